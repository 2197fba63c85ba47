using System.Text;

namespace Canary.IntegrationTests.EndToEnd;

/// <summary>
/// The commands of docs/runbook.md's fenced blocks marked <c>sh runbook</c>, in document order, split into arguments
/// the way a POSIX shell splits them (double and single quotes, no expansion), without the leading program name.
/// </summary>
internal static class RunbookCommands
{
    public static List<string[]> Read()
    {
        var commands = new List<string[]>();
        var inBlock = false;
        foreach (var raw in File.ReadLines(RunbookPath()))
        {
            var line = raw.Trim();
            if (!inBlock)
            {
                inBlock = line == "```sh runbook";
                continue;
            }

            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inBlock = false;
                continue;
            }

            if (line.Length > 0 && !line.StartsWith('#'))
            {
                var words = Split(line);
                Assert.Equal("canary-analyzer", words[0]);
                commands.Add(words[1..]);
            }
        }

        return commands;
    }

    public static string RunbookPath()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "docs", "runbook.md");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("docs/runbook.md not found above " + AppContext.BaseDirectory);
    }

    internal static string[] Split(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        foreach (var c in line)
        {
            if (quote is { } q)
            {
                if (c == q)
                {
                    quote = null;
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        Assert.Null(quote);
        if (inWord)
        {
            words.Add(word.ToString());
        }

        return [.. words];
    }
}
