using System.Text.RegularExpressions;

namespace Canary.Sidecar.Quality;

/// <summary>
/// Applies the configured redaction rules to text before it is stored. A rule that times out on a text redacts the
/// whole text: what could not be checked is not kept.
/// </summary>
internal sealed class Redactor
{
    private readonly IReadOnlyList<Regex> _rules;

    public Redactor(QualitySettings settings)
    {
        _rules = settings.Redactions;
    }

    public string Apply(string text)
    {
        foreach (var rule in _rules)
        {
            try
            {
                text = rule.Replace(text, QualitySettings.RedactedMark);
            }
            catch (RegexMatchTimeoutException)
            {
                return QualitySettings.RedactedMark;
            }
        }

        return text;
    }
}
