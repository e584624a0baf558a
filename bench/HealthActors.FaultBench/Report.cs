using System.Globalization;
using System.Text;
using static HealthActors.FaultBench.Culture;

namespace HealthActors.FaultBench;

/// <summary>
/// A stretch of the run: from the moment its fault was applied until the next fault (the baseline has none). Every
/// request is counted in the phase in which it started, every finding in the phase of its moment.
/// </summary>
public sealed class Phase(string name, double start)
{
    public string Name { get; } = name;
    public double Start { get; } = start;
    public double End { get; set; } = double.MaxValue;
    public List<string> Notes { get; } = [];

    public bool Holds(double at) => at >= Start && at < End;
}

/// <summary>One row of the table per phase, and the whole section written into docs/reliability.md.</summary>
public static class Report
{
    public const string Begin = "<!-- fault-run:begin (written by bench/run-faults.sh) -->";
    public const string End = "<!-- fault-run:end -->";

    /// <summary>An answer later than this is not service, even when it is right: a person has given up or tapped again.</summary>
    public const double SlowSeconds = 5;

    private static bool Served(RequestRecord r) => r.Ok && r.End - r.Start <= SlowSeconds;

    /// <summary>
    /// The first moment after the fault from which every request in a 2 s window succeeds: every request in flight
    /// during [t, t + 2 s) got its right answer within <see cref="SlowSeconds"/>, and at least one was answered in it.
    /// Null when no such window came in the phase.
    /// </summary>
    public static double? Recovery(IReadOnlyList<RequestRecord> requests, double faultAt)
    {
        var bad = requests.Where(r => !Served(r)).ToList();
        if (bad.Count == 0) return 0;
        foreach (var t in bad.Select(f => f.End).Prepend(faultAt).Order())
        {
            var until = t + 2;
            if (requests.Where(r => r.Start < until && r.End > t).All(Served) && requests.Any(r => r.Ok && r.Start >= t && r.End <= until))
                return t - faultAt;
        }
        return null;
    }

    public static string Table(IReadOnlyList<Phase> phases, IReadOnlyList<RequestRecord> requests, Acknowledged acks, IReadOnlyList<Finding> findings)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"| phase | requests | failed, by status | right but slower than {SlowSeconds:0} s | slowest answer | sent again to the other node | full service again after | last failure or slow answer | acknowledged writes | lost | double bookings | double charges | charged, not booked | watcher events missing | watcher events out of order |");
        sb.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var phase in phases)
        {
            var mine = requests.Where(r => phase.Holds(r.Start)).ToList();
            var failed = mine.Where(r => !r.Ok).ToList();
            var slow = mine.Count(r => r.Ok && !Served(r));
            var byStatus = failed.Count == 0 ? "0"
                : $"{failed.Count}: " + string.Join(", ", failed.GroupBy(r => r.Status).OrderByDescending(g => g.Count()).Select(g => $"{g.Count()} × {g.Key}"));
            var slowest = mine.Count == 0 ? 0 : mine.Max(r => r.End - r.Start);
            var recovery = Recovery(mine, phase.Start);
            var bad = mine.Where(r => !Served(r)).ToList();
            var lastBad = bad.Count == 0 ? "–" : F(bad.Max(r => r.End) - phase.Start) + " s";
            var written = acks.Profiles.Count(a => phase.Holds(a.At)) + acks.Rows.Count(a => phase.Holds(a.At)) + acks.Bookings.Count(a => phase.Holds(a.At));
            int Found(string kind) => findings.Count(f => f.Kind == kind && phase.Holds(f.At));
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {phase.Name} | {mine.Count} | {byStatus} | {slow} | {F(slowest)} s | {mine.Count(r => r.Attempts > 1)} | {(recovery is { } r ? F(r) + " s" : "not within the phase")} | {lastBad} | {written} "
                + $"| {Found(FindingKinds.Lost)} | {Found(FindingKinds.DoubleBooking)} | {Found(FindingKinds.DoubleCharge)} | {Found(FindingKinds.ChargedNotBooked)} "
                + $"| {Found(FindingKinds.WatcherMissing)} | {Found(FindingKinds.WatcherOrder)} |");
        }
        return sb.ToString();
    }

    /// <summary>The mix as sent: requests per operation and how many of them failed.</summary>
    public static string Mix(IReadOnlyList<RequestRecord> requests, double seconds)
    {
        var parts = requests.GroupBy(r => r.Operation).OrderByDescending(g => g.Count())
            .Select(g => $"{g.Key} {g.Count()}" + (g.Any(r => !r.Ok) ? $" ({g.Count(r => !r.Ok)} failed)" : ""));
        return $"{requests.Count} requests in {F(seconds, "0")} s ({F(requests.Count / Math.Max(seconds, 1))} per second): " + string.Join(", ", parts) + ".";
    }

    public static string Machine(string loadAtStart)
    {
        string Read(string path) => File.Exists(path) ? File.ReadAllText(path) : "";
        var cpu = Read("/proc/cpuinfo").Split('\n').FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        var memKb = Read("/proc/meminfo").Split('\n').FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var mem = long.TryParse(memKb, CultureInfo.InvariantCulture, out var kb) ? $"{kb / 1024 / 1024} GiB RAM" : "RAM unknown";
        return $"{Environment.ProcessorCount} cores ({cpu}), {mem}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, "
            + $".NET {Environment.Version}; load average at the start {loadAtStart}, at the end {LoadAverage()} (the machine is shared with other builds and test runs)";
    }

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>Replaces the fault-run section of the file (between the markers), keeping the prose around it.</summary>
    public static async Task WriteAsync(string path, string section)
    {
        var block = Begin + "\n" + section.TrimEnd() + "\n" + End;
        var text = File.Exists(path) ? await File.ReadAllTextAsync(path) : "# Reliability under faults\n\n" + Begin + "\n" + End + "\n";
        var from = text.IndexOf(Begin, StringComparison.Ordinal);
        var to = text.IndexOf(End, StringComparison.Ordinal);
        text = from >= 0 && to > from ? text[..from] + block + text[(to + End.Length)..] : text.TrimEnd() + "\n\n" + block + "\n";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, text);
    }
}
