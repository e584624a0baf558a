using System.Text;
using static HealthActors.Bench.Markdown;

namespace HealthActors.Bench;

internal sealed record LevelResult(int Conversations, PhaseMeasurement Hub, PhaseMeasurement Plain, double SummariesPerHubTurn);

/// <summary>The chat-turn results block.</summary>
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

    public static string OpenLoopTable(BenchOptions options, OpenLoopMeasurement hub, OpenLoopMeasurement plain)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"Open loop: {options.OpenConversations} conversations, each sending one message every {RunOptions.Invariant(options.OpenInterval)} s " +
                      "whether or not its last answer has come back; latency from the scheduled send to the final chunk (hub) or the end " +
                      "of the body (plain); overhead is that latency less the model's own mean time per answer.");
        sb.AppendLine();
        sb.AppendLine("| path | turns/s | scheduled | overhead p50 ms | overhead p99 ms | model ms/answer | CPU ms/turn | of which Api | of which PostgreSQL | errors |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, m) in new[] { ("hub+grain", hub), ("plain", plain) })
            sb.AppendLine($"| {name} | {Rate(m.TurnsPerSecond)} | {m.Scheduled} | {Ms(m.OverheadP50Ms)} | {Ms(m.OverheadP99Ms)} | {N(m.ModelMs, 3)} | " +
                          $"{Ms(m.CpuMsPerTurn)} | {Ms(m.ApiCpuMsPerTurn)} | {Ms(m.PostgresCpuMsPerTurn)} | {m.Errors} |");
        sb.AppendLine();
        sb.AppendLine($"Ratios hub/plain: overhead p99 {Ratio(hub.OverheadP99Ms, plain.OverheadP99Ms)}, CPU per turn {Ratio(hub.CpuMsPerTurn, plain.CpuMsPerTurn)}.");
        return sb.ToString();
    }

    public static string Block(BenchOptions options, IReadOnlyList<LevelResult> levels, (OpenLoopMeasurement Hub, OpenLoopMeasurement Plain)? open, DateTimeOffset when, string? loadBefore, string? loadAfter)
    {
        var sb = new StringBuilder();
        sb.AppendLine(Begin);
        sb.AppendLine(MeasuredLine(when, options.Note, loadBefore, loadAfter));
        sb.AppendLine();
        sb.AppendLine(ReproduceBlock(options.ReproduceCommand()));
        sb.AppendLine($"{RunOptions.Invariant(options.Duration)} s measured per level and path, " +
                      $"the paths alternating in {options.Rounds} round{(options.Rounds == 1 ? "" : "s")}, each after a warm-up " +
                      $"({RunOptions.Invariant(options.Warmup)} s in the first round, at most 1 s after); " +
                      $"at most {options.Users} users (one SignalR connection each)" +
                      (options.PgAsyncCommit ? "; the Api's PostgreSQL sessions ran with synchronous_commit=off" : "") + ". Ratios:");
        sb.AppendLine();
        sb.Append(RatioTable(levels));
        sb.AppendLine();
        sb.AppendLine("Measurements:");
        sb.AppendLine();
        sb.Append(Table(levels));
        if (open is { } o)
        {
            sb.AppendLine();
            sb.Append(OpenLoopTable(options, o.Hub, o.Plain));
        }
        var firstError = levels.SelectMany(l => new[] { l.Hub.FirstError, l.Plain.FirstError })
            .Concat(open is { } f ? [f.Hub.FirstError, f.Plain.FirstError] : [])
            .FirstOrDefault(e => e is not null);
        if (firstError is not null)
        {
            sb.AppendLine();
            sb.AppendLine($"First error: `{firstError.ReplaceLineEndings(" ")}`");
        }
        sb.AppendLine(End);
        return sb.ToString();
    }

    public static void Write(string path, string block) => WriteBlock(path, Begin, End, "Chat turn", block);

    private static string Row(int level, string path, PhaseMeasurement m, string ratio) =>
        $"| {level} | {path} | {Rate(m.TurnsPerSecond)} | {Ms(m.P50Ms)} | {Ms(m.P99Ms)} | {Ms(m.CpuMsPerTurn)} | {Ms(m.ApiCpuMsPerTurn)} | {Ms(m.PostgresCpuMsPerTurn)} | {ratio} | {m.Errors} |";
}
