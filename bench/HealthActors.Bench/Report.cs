using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace HealthActors.Bench;

internal sealed record LevelResult(int Conversations, PhaseMeasurement Hub, PhaseMeasurement Plain, double SummariesPerHubTurn);

internal static class Report
{
    private const string Begin = "<!-- bench:chat-turn:begin (written by bench/run-chat.sh; edits between these markers are overwritten) -->";
    private const string End = "<!-- bench:chat-turn:end -->";

    public static string Table(IReadOnlyList<LevelResult> levels)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| conversations | path | turns/s | p50 ms | p99 ms | CPU ms/turn | of which Api | of which PostgreSQL | plain/hub throughput | errors |");
        sb.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var l in levels)
        {
            sb.AppendLine(Row(l.Conversations, "hub+grain", l.Hub, ""));
            sb.AppendLine(Row(l.Conversations, "plain", l.Plain, Ratio(l.Plain.TurnsPerSecond, l.Hub.TurnsPerSecond)));
        }
        return sb.ToString();
    }

    /// <summary>The ratios on their own: they are the result; absolute numbers move with the machine's other load.</summary>
    public static string RatioTable(IReadOnlyList<LevelResult> levels)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| conversations | throughput plain/hub | p50 latency hub/plain | p99 latency hub/plain | CPU per turn hub/plain | summary refreshes per hub turn |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var l in levels)
            sb.AppendLine($"| {l.Conversations} | {Ratio(l.Plain.TurnsPerSecond, l.Hub.TurnsPerSecond)} | {Ratio(l.Hub.P50Ms, l.Plain.P50Ms)} | " +
                          $"{Ratio(l.Hub.P99Ms, l.Plain.P99Ms)} | {Ratio(l.Hub.CpuMsPerTurn, l.Plain.CpuMsPerTurn)} | {N(l.SummariesPerHubTurn, 2)} |");
        return sb.ToString();
    }

    public static string Block(BenchOptions options, IReadOnlyList<LevelResult> levels, DateTimeOffset when, string? loadBefore, string? loadAfter)
    {
        var sb = new StringBuilder();
        sb.AppendLine(Begin);
        sb.Append($"Measured {when.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC on {Machine(options.Note)}");
        // Says how much else was competing for the cores, which is what makes absolute numbers move.
        if (loadBefore is not null && loadAfter is not null)
            sb.Append($"; 1-minute load average {loadBefore} before the measurements, {loadAfter} after");
        sb.AppendLine(".");
        sb.AppendLine();
        sb.AppendLine("Reproduce (from the repository root):");
        sb.AppendLine();
        sb.AppendLine("```sh");
        sb.AppendLine(options.ReproduceCommand());
        sb.AppendLine("```");
        sb.AppendLine();
        sb.AppendLine($"{options.Duration.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s measured per level and path, " +
                      $"the paths alternating in {options.Rounds} round{(options.Rounds == 1 ? "" : "s")}, each after a warm-up " +
                      $"({options.Warmup.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s in the first round, at most 1 s after); " +
                      $"at most {options.Users} users (one SignalR connection each)" +
                      (options.PgAsyncCommit ? "; the Api's PostgreSQL sessions ran with synchronous_commit=off" : "") + ". Ratios:");
        sb.AppendLine();
        sb.Append(RatioTable(levels));
        sb.AppendLine();
        sb.AppendLine("Measurements:");
        sb.AppendLine();
        sb.Append(Table(levels));
        var failed = levels.SelectMany(l => new[] { l.Hub, l.Plain }).FirstOrDefault(m => m.FirstError is not null);
        if (failed is not null)
        {
            sb.AppendLine();
            sb.AppendLine($"First error: `{failed.FirstError!.ReplaceLineEndings(" ")}`");
        }
        sb.AppendLine(End);
        return sb.ToString();
    }

    /// <summary>Replaces the results block in the file, or adds the "Chat turn" section (and the file) when missing.</summary>
    public static void Write(string path, string block)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n";
        var begin = text.IndexOf(Begin[..Begin.IndexOf(' ', 5)], StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        if (begin >= 0 && end > begin)
        {
            text = text[..begin] + block + text[(end + End.Length)..].TrimStart('\r', '\n').Insert(0, "\n");
        }
        else
        {
            text = text.TrimEnd() + "\n\n## Chat turn\n\n" + block;
        }
        File.WriteAllText(path, text.TrimEnd() + "\n");
    }

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

    private static string Row(int level, string path, PhaseMeasurement m, string ratio) =>
        $"| {level} | {path} | {N(m.TurnsPerSecond, m.TurnsPerSecond < 100 ? 1 : 0)} | {Ms(m.P50Ms)} | {Ms(m.P99Ms)} | {Ms(m.CpuMsPerTurn)} | {Ms(m.ApiCpuMsPerTurn)} | {Ms(m.PostgresCpuMsPerTurn)} | {ratio} | {m.Errors} |";

    private static string Ratio(double a, double b) =>
        double.IsFinite(a) && double.IsFinite(b) && b > 0 ? N(a / b, 1) + "×" : "n/a";

    private static string Ms(double ms) => !double.IsFinite(ms) ? "n/a" : N(ms, ms < 10 ? 2 : 1);

    private static string N(double v, int decimals) =>
        double.IsFinite(v) ? v.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "n/a";
}
