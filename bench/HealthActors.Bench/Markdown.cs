using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace HealthActors.Bench;

/// <summary>What every bench's results block shares: the file handling, the machine line and number formatting.</summary>
internal static class Markdown
{
    /// <summary>
    /// Replaces the block between the markers, or adds it under a new "## heading" at the end (and the file) when
    /// missing. Everything outside the markers, other benches' sections included, is left as it is.
    /// </summary>
    public static void WriteBlock(string path, string begin, string end, string heading, string block)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n";
        // Only the marker's name is searched for: the explanation after it may be reworded between versions.
        var at = text.IndexOf(begin[..begin.IndexOf(' ', 5)], StringComparison.Ordinal);
        var to = text.IndexOf(end, StringComparison.Ordinal);
        text = at >= 0 && to > at
            ? text[..at] + block + text[(to + end.Length)..].TrimStart('\r', '\n').Insert(0, "\n")
            : text.TrimEnd() + $"\n\n## {heading}\n\n" + block;
        File.WriteAllText(path, text.TrimEnd() + "\n");
    }

    /// <summary>The first line of a block: when, on what, and how busy the machine was.</summary>
    public static string MeasuredLine(DateTimeOffset when, string? note, string? loadBefore, string? loadAfter)
    {
        var sb = new StringBuilder();
        sb.Append($"Measured {when.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC on {Machine(note)}");
        // Says how much else was competing for the cores, which is what makes absolute numbers move.
        if (loadBefore is not null && loadAfter is not null)
            sb.Append($"; 1-minute load average {loadBefore} before the measurements, {loadAfter} after");
        sb.Append('.');
        return sb.ToString();
    }

    public static string ReproduceBlock(string command) =>
        $"Reproduce (from the repository root):\n\n```sh\n{command}\n```\n";

    public static string? LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    public static string Machine(string? note)
    {
        var cpu = "unknown CPU";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))
                ?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        var text = $"{Environment.ProcessorCount} cores ({cpu}), {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
        return string.IsNullOrWhiteSpace(note) ? text : $"{text}; {note.Trim()}";
    }

    public static string Ratio(double a, double b) =>
        double.IsFinite(a) && double.IsFinite(b) && b > 0 ? N(a / b, 1) + "×" : "n/a";

    public static string Ms(double ms) => !double.IsFinite(ms) ? "n/a" : N(ms, ms < 10 ? 2 : 1);

    public static string N(double v, int decimals) =>
        double.IsFinite(v) ? v.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "n/a";

    /// <summary>Whole numbers from 100 on, one decimal below.</summary>
    public static string Rate(double perSecond) => N(perSecond, perSecond < 100 ? 1 : 0);
}
