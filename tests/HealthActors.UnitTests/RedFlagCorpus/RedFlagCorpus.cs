using System.Globalization;
using System.Text.RegularExpressions;

namespace HealthActors.RedFlagCorpus;

/// <summary>One phrasing of the red-flag corpus and the category it is (an emergency) or nearly is (a near miss; "none" for a plain complaint).</summary>
public sealed record CorpusLine(string Category, string Text, int LineNumber);

/// <summary>
/// Reads the corpus files ("category | text" per line, '#' comments). "\uXXXX" in a line stands for that character,
/// so invisible and space-like characters stay visible in the file.
/// </summary>
public static partial class RedFlagCorpusFiles
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "RedFlagCorpus");

    public static IReadOnlyList<CorpusLine> Emergencies() => Read("emergencies.txt");

    public static IReadOnlyList<CorpusLine> NonUrgent() => Read("nonurgent.txt");

    private static List<CorpusLine> Read(string file) => File.ReadAllLines(Path.Combine(Directory, file))
        .Select((line, i) => (line, i))
        .Where(l => l.line.Trim().Length > 0 && !l.line.TrimStart().StartsWith('#'))
        .Select(l =>
        {
            var bar = l.line.IndexOf(" | ", StringComparison.Ordinal);
            if (bar < 0) throw new FormatException($"{file}:{l.i + 1}: expected 'category | text'");
            return new CorpusLine(l.line[..bar].Trim(), Unescape(l.line[(bar + 3)..].Trim()), l.i + 1);
        })
        .ToList();

    private static string Unescape(string text) =>
        Escape().Replace(text, m => ((char)int.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToString());

    [GeneratedRegex(@"\\u([0-9a-fA-F]{4})")]
    private static partial Regex Escape();
}
