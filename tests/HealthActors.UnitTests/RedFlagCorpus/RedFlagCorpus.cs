using System.Globalization;
using System.Text.RegularExpressions;

namespace HealthActors.RedFlagCorpus;

/// <summary>
/// One phrasing of the red-flag corpus and the category it is (an emergency) or nearly is (a near miss; "none" for a
/// plain complaint), with the file it comes from (the original corpus and each blind holdout are measured apart).
/// </summary>
public sealed record CorpusLine(string Category, string Text, int LineNumber, string File = "");

/// <summary>
/// Reads the corpus files ("category | text" per line, '#' comments). "\uXXXX" in a line stands for that character,
/// so invisible and space-like characters stay visible in the file. Every "*emergencies*.txt" and "*nonurgent*.txt" in
/// the folder belongs to the corpus: the original set, written with the rules, and the blind holdouts written before
/// looking at them.
/// </summary>
public static partial class RedFlagCorpusFiles
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "RedFlagCorpus");

    public static IReadOnlyList<string> EmergencyFiles() => Files("*emergencies*.txt");

    public static IReadOnlyList<string> NonUrgentFiles() => Files("*nonurgent*.txt");

    public static IReadOnlyList<CorpusLine> Emergencies() => EmergencyFiles().SelectMany(Read).ToList();

    public static IReadOnlyList<CorpusLine> NonUrgent() => NonUrgentFiles().SelectMany(Read).ToList();

    /// <summary>The lines of one corpus file, by its name ("holdout-emergencies.txt").</summary>
    public static IReadOnlyList<CorpusLine> File(string name) => Read(name);

    // Sorted so that reports and line lists come out in the same order on every machine.
    private static List<string> Files(string pattern) => System.IO.Directory.GetFiles(Directory, pattern)
        .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();

    private static List<CorpusLine> Read(string file) => System.IO.File.ReadAllLines(Path.Combine(Directory, file))
        .Select((line, i) => (line, i))
        .Where(l => l.line.Trim().Length > 0 && !l.line.TrimStart().StartsWith('#'))
        .Select(l =>
        {
            var bar = l.line.IndexOf(" | ", StringComparison.Ordinal);
            if (bar < 0) throw new FormatException($"{file}:{l.i + 1}: expected 'category | text'");
            return new CorpusLine(l.line[..bar].Trim(), Unescape(l.line[(bar + 3)..].Trim()), l.i + 1, file);
        })
        .ToList();

    private static string Unescape(string text) =>
        Escape().Replace(text, m => ((char)int.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToString());

    [GeneratedRegex(@"\\u([0-9a-fA-F]{4})")]
    private static partial Regex Escape();
}
