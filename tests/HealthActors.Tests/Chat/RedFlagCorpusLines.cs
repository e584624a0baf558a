using System.Globalization;
using System.Text.RegularExpressions;

namespace HealthActors.Tests.Chat;

/// <summary>One line of a red-flag corpus file: the category it is (or nearly is), its text, and where it came from.</summary>
public sealed record CorpusEntry(string File, int Line, string Category, string Text)
{
    public override string ToString() => $"{File}:{Line} {Category} | {Text}";
}

/// <summary>
/// Every corpus file of the unit tests (linked into this project's output as RedFlagCorpus/*.txt), found by name so
/// a new batch (holdout-emergencies.txt, holdout2-nonurgent.txt ...) is run without a code change. The format is the
/// unit tests' ("category | text", '#' comments, \uXXXX for a character); it is read here rather than shared because
/// that reader is owned by the detector's tests and may change shape.
/// </summary>
public static partial class RedFlagCorpusLines
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "RedFlagCorpus");

    public static IReadOnlyList<CorpusEntry> Emergencies() => ReadAll("*emergencies*.txt");

    public static IReadOnlyList<CorpusEntry> NonUrgent() => ReadAll("*nonurgent*.txt");

    private static List<CorpusEntry> ReadAll(string pattern)
    {
        var files = System.IO.Directory.GetFiles(Directory, pattern).Order(StringComparer.Ordinal).ToList();
        // An empty set would make every assertion below pass vacuously.
        if (files.Count == 0) throw new InvalidOperationException($"no corpus file {pattern} in {Directory}");
        return files.SelectMany(Read).ToList();
    }

    private static IEnumerable<CorpusEntry> Read(string path)
    {
        var name = Path.GetFileName(path);
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var bar = line.IndexOf(" | ", StringComparison.Ordinal);
            if (bar < 0) throw new FormatException($"{name}:{i + 1}: expected 'category | text'");
            yield return new CorpusEntry(name, i + 1, line[..bar].Trim(), Unescape(line[(bar + 3)..].Trim()));
        }
    }

    private static string Unescape(string text) =>
        Escape().Replace(text, m => ((char)int.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToString());

    [GeneratedRegex(@"\\u([0-9a-fA-F]{4})")]
    private static partial Regex Escape();
}
