using System.Diagnostics;

namespace HealthActors.Bench;

/// <summary>One open-loop window of one path: latencies from each turn's scheduled send to its completion.</summary>
internal sealed record OpenLoopSample(double[] LatenciesMs, int Scheduled, double Seconds, CpuTimes Cpu, double ModelMsPerTurn, long Errors, string? FirstError);

/// <summary>
/// Open-loop load: every conversation sends on a fixed schedule whether or not its previous answer has come back, the
/// way patients do. A closed loop slows its senders down when the backend slows, and so hides queueing; here a slow
/// turn makes the next ones wait behind it, and that wait is measured because latency starts at the scheduled send
/// time, not at the moment the client got round to sending.
/// </summary>
internal static class OpenLoop
{
    private static readonly TimeSpan Straggle = TimeSpan.FromSeconds(30);

    public static async Task<OpenLoopSample> RunAsync(
        int conversations, TimeSpan interval, Func<int, CancellationToken, Task<TurnOutcome>> turn, TimeSpan warmup, TimeSpan duration,
        CpuMeter cpu, Func<(long Requests, long Ticks)> modelTime, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        var measureStart = start + Ticks(warmup);
        var measureEnd = measureStart + Ticks(duration);
        using var hard = CancellationTokenSource.CreateLinkedTokenSource(ct);
        hard.CancelAfter(warmup + duration + Straggle);

        var window = Window(cpu, modelTime, measureStart, measureEnd, hard.Token);
        var results = await Task.WhenAll(Enumerable.Range(0, conversations).Select(i => Task.Run(async () =>
        {
            // Spread evenly over the interval, so that the load is a steady rate and not 50 messages at once.
            var first = start + Ticks(interval * i / conversations);
            var turns = new List<Task<(long At, TurnOutcome Outcome)>>();
            for (var at = first; at < measureEnd && !hard.IsCancellationRequested; at += Ticks(interval))
            {
                try { await DelayUntil(at, hard.Token); }
                catch (OperationCanceledException) { break; }
                turns.Add(Timed(at, i, turn, hard.Token));
            }
            return await Task.WhenAll(turns);
        }, CancellationToken.None)));
        ct.ThrowIfCancellationRequested();
        var (cpuUsed, modelMs) = await window;

        var latencies = new List<double>();
        long errors = 0, scheduled = 0;
        string? firstError = null;
        foreach (var (at, outcome) in results.SelectMany(r => r))
        {
            if (at < measureStart) continue;
            scheduled++;
            if (outcome.Problem is not null)
            {
                errors++;
                firstError ??= outcome.Problem;
                continue;
            }
            latencies.Add((outcome.CompletedAt - at) * 1000.0 / Stopwatch.Frequency);
        }
        return new OpenLoopSample([.. latencies], (int)scheduled, duration.TotalSeconds, cpuUsed, modelMs, errors, firstError);
    }

    private static async Task<(long, TurnOutcome)> Timed(long at, int conversation, Func<int, CancellationToken, Task<TurnOutcome>> turn, CancellationToken ct)
    {
        try { return (at, await turn(conversation, ct)); }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return (at, TurnOutcome.Failed($"a turn was still running {Straggle.TotalSeconds:0} s after the end and was abandoned"));
        }
        catch (Exception e) { return (at, TurnOutcome.Failed($"{e.GetType().Name}: {e.Message}")); }
    }

    /// <summary>Processor time over the measured window, and the model's own mean time per streamed answer in it.</summary>
    private static async Task<(CpuTimes, double)> Window(CpuMeter cpu, Func<(long Requests, long Ticks)> modelTime, long from, long to, CancellationToken ct)
    {
        try
        {
            await DelayUntil(from, ct);
            var before = await cpu.SnapshotAsync(ct);
            var modelBefore = modelTime();
            await DelayUntil(to, ct);
            var cpuUsed = CpuMeter.Between(before, await cpu.SnapshotAsync(ct));
            var modelAfter = modelTime();
            var requests = modelAfter.Requests - modelBefore.Requests;
            return (cpuUsed, requests == 0 ? 0 : (modelAfter.Ticks - modelBefore.Ticks) * 1000.0 / Stopwatch.Frequency / requests);
        }
        catch (OperationCanceledException) { return (default, 0); }
    }

    private static Task DelayUntil(long timestamp, CancellationToken ct)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        return wait > TimeSpan.Zero ? Task.Delay(wait, ct) : Task.CompletedTask;
    }

    private static long Ticks(TimeSpan t) => (long)(t.TotalSeconds * Stopwatch.Frequency);
}

/// <summary>The open-loop windows of one path taken together.</summary>
internal sealed record OpenLoopMeasurement(int Turns, int Scheduled, double Seconds, double P50Ms, double P99Ms, double ModelMs,
    double CpuMsPerTurn, double ApiCpuMsPerTurn, double PostgresCpuMsPerTurn, long Errors, string? FirstError)
{
    public double TurnsPerSecond => Turns / Seconds;
    /// <summary>The backend's own part of the p50/p99: the model's mean time per answer taken off.</summary>
    public double OverheadP50Ms => Math.Max(0, P50Ms - ModelMs);
    public double OverheadP99Ms => Math.Max(0, P99Ms - ModelMs);

    public static OpenLoopMeasurement Combine(IReadOnlyCollection<OpenLoopSample> samples)
    {
        var latencies = samples.SelectMany(s => s.LatenciesMs).ToArray();
        Array.Sort(latencies);
        var cpu = samples.Aggregate(default(CpuTimes), (sum, s) => sum + s.Cpu);
        var perTurn = latencies.Length == 0 ? double.NaN : 1.0 / latencies.Length;
        var model = samples.Count == 0 ? 0 : samples.Average(s => s.ModelMsPerTurn);
        return new OpenLoopMeasurement(latencies.Length, samples.Sum(s => s.Scheduled), samples.Sum(s => s.Seconds),
            PhaseMeasurement.Percentile(latencies, 0.50), PhaseMeasurement.Percentile(latencies, 0.99), model,
            cpu.Total.TotalMilliseconds * perTurn, cpu.Api.TotalMilliseconds * perTurn, cpu.Postgres.TotalMilliseconds * perTurn,
            samples.Sum(s => s.Errors), samples.Select(s => s.FirstError).FirstOrDefault(e => e is not null));
    }

    public void Print(string path) =>
        Console.WriteLine($"    {path,-9} open loop {TurnsPerSecond,6:0.0} turns/s ({Scheduled} scheduled)  overhead p50 {OverheadP50Ms,7:0.00} ms  " +
                          $"p99 {OverheadP99Ms,7:0.00} ms (model {ModelMs:0.000} ms)  CPU {CpuMsPerTurn:0.00} ms each " +
                          $"(Api {ApiCpuMsPerTurn:0.00}, PostgreSQL {PostgresCpuMsPerTurn:0.00})  errors {Errors}" +
                          (FirstError is null ? "" : $" (first: {FirstError})"));
}
