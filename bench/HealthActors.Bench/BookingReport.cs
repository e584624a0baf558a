using System.Text;
using static HealthActors.Bench.Markdown;

namespace HealthActors.Bench;

internal sealed record BookingLevel(int InFlight, PhaseMeasurement Booking, PhaseMeasurement Read);

/// <summary>What a run found, for the tables.</summary>
internal sealed record BookingRun(IReadOnlyList<BookingLevel> Levels, RaceResult Race, long Bookings, int Doctors, int Patients);

/// <summary>The booking results block.</summary>
internal static class BookingReport
{
    private const string Begin = "<!-- bench:booking:begin (written by bench/run-booking.sh; edits between these markers are overwritten) -->";
    private const string End = "<!-- bench:booking:end -->";

    public static string RatioTable(IReadOnlyList<BookingLevel> levels)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| in flight | throughput read/booking | p50 latency booking/read | p99 latency booking/read | CPU per request booking/read |");
        sb.AppendLine("|---:|---:|---:|---:|---:|");
        foreach (var l in levels)
            sb.AppendLine($"| {l.InFlight} | {Ratio(l.Read.TurnsPerSecond, l.Booking.TurnsPerSecond)} | {Ratio(l.Booking.P50Ms, l.Read.P50Ms)} | " +
                          $"{Ratio(l.Booking.P99Ms, l.Read.P99Ms)} | {Ratio(l.Booking.CpuMsPerTurn, l.Read.CpuMsPerTurn)} |");
        return sb.ToString();
    }

    public static string Table(IReadOnlyList<BookingLevel> levels, string baseline)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| in flight | request | per second | p50 ms | p99 ms | CPU ms/request | of which Api | of which PostgreSQL | errors |");
        sb.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var l in levels)
        {
            sb.AppendLine(Row(l.InFlight, "booking (201s)", l.Booking));
            sb.AppendLine(Row(l.InFlight, $"read: `{baseline}`", l.Read));
        }
        return sb.ToString();
    }

    public static string RaceTable(RaceResult r)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| responses | count | p50 ms | p99 ms |");
        sb.AppendLine("|---|---:|---:|---:|");
        sb.AppendLine(RaceRow("all, in the race", r.AllMs));
        sb.AppendLine(RaceRow("409, the slot was taken", r.LostMs));
        sb.AppendLine(RaceRow("201, the one booking", r.WonMs));
        sb.AppendLine(RaceRow("a whole round, release to last answer", r.RoundMs));
        return sb.ToString();
    }

    public static string RaceSummary(RaceResult r) =>
        $"Rounds without exactly one 201 and one appointment row for the slot: **{r.Violations}** of {r.Rounds}. " +
        $"Responses other than 201 or 409: {r.OtherStatuses}.";

    public static string Block(BookingBenchOptions options, BookingRun run, DateTimeOffset when, string? loadBefore, string? loadAfter)
    {
        var sb = new StringBuilder();
        sb.AppendLine(Begin);
        sb.AppendLine(MeasuredLine(when, options.Note, loadBefore, loadAfter));
        sb.AppendLine();
        sb.AppendLine(ReproduceBlock(options.ReproduceCommand()));
        sb.AppendLine($"**Spread**: {run.Doctors} doctors, {run.Patients} patients (in-flight request i books as patient i), " +
                      $"{Invariant(options.Duration)} s measured per level and request, the two alternating in {options.Rounds} " +
                      $"round{(options.Rounds == 1 ? "" : "s")}, each after a warm-up ({Invariant(options.Warmup)} s in the first round, " +
                      $"at most 1 s after); {run.Bookings} bookings made in all, warm-ups and races included " +
                      $"(about {(double)run.Bookings / run.Doctors:0} per doctor). Ratios:");
        sb.AppendLine();
        sb.Append(RatioTable(run.Levels));
        sb.AppendLine();
        sb.AppendLine("Measurements:");
        sb.AppendLine();
        sb.Append(Table(run.Levels, options.BaselineName));
        sb.AppendLine();
        sb.AppendLine($"**Contested**: {run.Race.Rounds} rounds of {run.Race.Racers} patients booking the same slot at once, a new slot each round " +
                      $"(the 201 row has one response per round, so its p99 is the slowest of {run.Race.Rounds}):");
        sb.AppendLine();
        sb.Append(RaceTable(run.Race));
        sb.AppendLine();
        sb.AppendLine(RaceSummary(run.Race));
        var firstError = run.Levels.SelectMany(l => new[] { l.Booking, l.Read }).Select(m => m.FirstError).FirstOrDefault(e => e is not null)
                         ?? run.Race.FirstProblem;
        if (firstError is not null)
        {
            sb.AppendLine();
            sb.AppendLine($"First error: `{firstError.ReplaceLineEndings(" ")}`");
        }
        sb.AppendLine(End);
        return sb.ToString();
    }

    public static void Write(string path, string block) => WriteBlock(path, Begin, End, "Booking", block);

    private static string Invariant(TimeSpan t) => RunOptions.Invariant(t);

    private static string Row(int level, string request, PhaseMeasurement m) =>
        $"| {level} | {request} | {Rate(m.TurnsPerSecond)} | {Ms(m.P50Ms)} | {Ms(m.P99Ms)} | {Ms(m.CpuMsPerTurn)} | {Ms(m.ApiCpuMsPerTurn)} | {Ms(m.PostgresCpuMsPerTurn)} | {m.Errors} |";

    private static string RaceRow(string what, double[] sortedMs) =>
        $"| {what} | {sortedMs.Length} | {Ms(PhaseMeasurement.Percentile(sortedMs, 0.50))} | {Ms(PhaseMeasurement.Percentile(sortedMs, 0.99))} |";
}
