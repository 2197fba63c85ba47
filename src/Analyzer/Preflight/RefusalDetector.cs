namespace Canary.Analyzer.Preflight;

/// <summary>
/// Says whether an answer is a refusal: the provider said so (a refusal field or stop reason), or the answer opens with
/// one of a short list of refusal phrases. The phrase list is deliberately small: a false "refused" fails a case loudly,
/// which is better than a refusal passing quietly.
/// </summary>
internal static class RefusalDetector
{
    private static readonly string[] Openings =
    [
        "i can't help", "i cannot help", "i can't assist", "i cannot assist", "i won't", "i will not",
        "i'm sorry, but i can", "i am sorry, but i can", "i'm not able to help", "i am not able to help",
        "i'm unable to", "i am unable to", "sorry, i can't", "sorry, but i can't", "i can't do that", "i cannot do that",
        "i must decline", "i'm not comfortable", "as an ai, i can't", "as an ai, i cannot",
    ];

    public static bool IsRefusal(ModelAnswer answer)
    {
        if (answer.ProviderRefusal)
        {
            return true;
        }

        var text = answer.Text.AsSpan().TrimStart();
        var head = text.Length > 120 ? text[..120] : text;
        Span<char> lower = stackalloc char[head.Length];
        head.ToLowerInvariant(lower);
        // Typographic apostrophes are common in model output.
        lower.Replace('\u2019', '\'');
        foreach (var opening in Openings)
        {
            if (lower.StartsWith(opening, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
