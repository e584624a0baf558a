using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using HealthActors.Grains.Abstractions.Chat;
using HealthActors.TestKit;
using Microsoft.AspNetCore.SignalR.Client;

namespace HealthActors.Bench;

internal static class Workload
{
    /// <summary>Benign on purpose: a red flag would be answered without the model and skip the path under test.</summary>
    public const string Message = "I have had a mild headache since yesterday afternoon. What can I take for it?";
}

/// <summary>When a turn's answer was complete (Stopwatch timestamp), or why it does not count.</summary>
internal readonly record struct TurnOutcome(long CompletedAt, string? Problem)
{
    public static TurnOutcome Ok(long at) => new(at, null);
    public static TurnOutcome Failed(string problem) => new(Stopwatch.GetTimestamp(), problem);
}

/// <summary>One measured window of one path.</summary>
internal sealed record PhaseSample(double[] LatenciesMs, double Seconds, CpuTimes Cpu, long Errors, string? FirstError);

internal sealed record PhaseMeasurement(
    int Turns, double Seconds, double P50Ms, double P99Ms, double CpuMsPerTurn, double ApiCpuMsPerTurn, double PostgresCpuMsPerTurn,
    long Errors, string? FirstError)
{
    public double TurnsPerSecond => Turns / Seconds;

    /// <summary>The windows of one path taken together, as if they were one.</summary>
    public static PhaseMeasurement Combine(IReadOnlyCollection<PhaseSample> samples)
    {
        var latencies = samples.SelectMany(s => s.LatenciesMs).ToArray();
        Array.Sort(latencies);
        var cpu = samples.Aggregate(default(CpuTimes), (sum, s) => sum + s.Cpu);
        var perTurn = latencies.Length == 0 ? double.NaN : 1.0 / latencies.Length;
        return new PhaseMeasurement(
            latencies.Length, samples.Sum(s => s.Seconds), Percentile(latencies, 0.50), Percentile(latencies, 0.99),
            cpu.Total.TotalMilliseconds * perTurn, cpu.Api.TotalMilliseconds * perTurn, cpu.Postgres.TotalMilliseconds * perTurn,
            samples.Sum(s => s.Errors), samples.Select(s => s.FirstError).FirstOrDefault(e => e is not null));
    }

    /// <summary>Nearest-rank percentile of a sorted array.</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>
/// Runs one turn function (a chat turn, a booking, a read) per worker back to back: warm-up first, then the measured
/// window. A turn counts when it completes inside the window; no new turn starts after it, and stragglers are
/// abandoned 30 s later.
/// </summary>
internal static class Phase
{
    private static readonly TimeSpan Straggle = TimeSpan.FromSeconds(30);

    public static async Task<PhaseSample> RunAsync(
        int workers, Func<int, CancellationToken, Task<TurnOutcome>> turn, TimeSpan warmup, TimeSpan duration,
        CpuMeter cpu, CancellationToken ct)
    {
        var measureStart = Stopwatch.GetTimestamp() + Ticks(warmup);
        var measureEnd = measureStart + Ticks(duration);
        using var hard = CancellationTokenSource.CreateLinkedTokenSource(ct);
        hard.CancelAfter(warmup + duration + Straggle);

        var cpuWindow = CpuDuring(cpu, measureStart, measureEnd, hard.Token);
        var stats = await Task.WhenAll(Enumerable.Range(0, workers)
            .Select(i => Task.Run(() => Worker(i, turn, measureStart, measureEnd, hard.Token), CancellationToken.None)));
        ct.ThrowIfCancellationRequested();
        var cpuUsed = await cpuWindow;

        return new PhaseSample(stats.SelectMany(s => s.Latencies).ToArray(), duration.TotalSeconds, cpuUsed,
            stats.Sum(s => s.Errors), stats.Select(s => s.FirstError).FirstOrDefault(e => e is not null));
    }

    /// <summary>A path to measure: its name and unit on the console, and one turn of it.</summary>
    public sealed record Path(string Name, string Unit, Func<int, CancellationToken, Task<TurnOutcome>> Turn);

    /// <summary>
    /// Two paths at each level of in-flight requests, in alternating windows (rounds of each, the measured time split
    /// between them), so that a change in the machine's other load hits both, not one. The first round of a level
    /// warms up for the full warm-up, later ones for at most a second.
    /// </summary>
    public static async Task<List<(int InFlight, PhaseMeasurement A, PhaseMeasurement B)>> AlternateAsync(
        RunOptions options, Path a, Path b, Func<int, Task> beforeLevel, CpuMeter cpu, CancellationToken ct)
    {
        var levels = new List<(int, PhaseMeasurement, PhaseMeasurement)>();
        var slice = options.Duration / options.Rounds;
        foreach (var level in options.Levels)
        {
            await beforeLevel(level);
            List<PhaseSample> first = [], second = [];
            for (var round = 0; round < options.Rounds; round++)
            {
                var warmup = round == 0 ? options.Warmup : TimeSpan.FromSeconds(Math.Min(1, options.Warmup.TotalSeconds));
                foreach (var (path, samples) in new[] { (a, first), (b, second) })
                {
                    var sample = await RunAsync(level, path.Turn, warmup, slice, cpu, ct);
                    samples.Add(sample);
                    Print(path.Name, path.Unit, sample);
                }
            }
            levels.Add((level, PhaseMeasurement.Combine(first), PhaseMeasurement.Combine(second)));
        }
        return levels;
    }

    /// <summary>
    /// Any number of paths at each level, in alternating windows as <see cref="AlternateAsync"/> does for two: every
    /// round runs each path once, in the given order, so that the machine's other load is spread over all of them.
    /// Each path's processor time is taken from its own meter (the processes that serve it).
    /// </summary>
    public static async Task<List<(int InFlight, PhaseMeasurement[] Paths)>> AlternateAllAsync(
        RunOptions options, IReadOnlyList<Path> paths, Func<int, CpuMeter> cpuOf, Func<int, Task> beforeLevel, CancellationToken ct)
    {
        var levels = new List<(int, PhaseMeasurement[])>();
        var slice = options.Duration / options.Rounds;
        foreach (var level in options.Levels)
        {
            await beforeLevel(level);
            var samples = paths.Select(_ => new List<PhaseSample>()).ToArray();
            for (var round = 0; round < options.Rounds; round++)
            {
                var warmup = round == 0 ? options.Warmup : TimeSpan.FromSeconds(Math.Min(1, options.Warmup.TotalSeconds));
                for (var i = 0; i < paths.Count; i++)
                {
                    var sample = await RunAsync(level, paths[i].Turn, warmup, slice, cpuOf(i), ct);
                    samples[i].Add(sample);
                    Print(paths[i].Name, paths[i].Unit, sample);
                }
            }
            levels.Add((level, samples.Select(PhaseMeasurement.Combine).ToArray()));
        }
        return levels;
    }

    /// <summary>One window's line on the console, so that a long run shows its progress and the rounds' spread.</summary>
    public static void Print(string path, string unit, PhaseSample sample)
    {
        var m = PhaseMeasurement.Combine([sample]);
        Console.WriteLine($"    {path,-9} {m.TurnsPerSecond,8:0.0} {unit}/s  p50 {m.P50Ms,7:0.00} ms  p99 {m.P99Ms,7:0.00} ms  " +
                          $"CPU {m.CpuMsPerTurn:0.00} ms each (Api {m.ApiCpuMsPerTurn:0.00}, PostgreSQL {m.PostgresCpuMsPerTurn:0.00})  errors {m.Errors}" +
                          (m.FirstError is null ? "" : $" (first: {m.FirstError})"));
    }

    private static async Task<WorkerStats> Worker(int index, Func<int, CancellationToken, Task<TurnOutcome>> turn,
        long measureStart, long measureEnd, CancellationToken ct)
    {
        var stats = new WorkerStats();
        while (!ct.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            if (started >= measureEnd) break;
            TurnOutcome outcome;
            try { outcome = await turn(index, ct); }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                stats.Fail($"a turn was still running {Straggle.TotalSeconds:0} s after the end and was abandoned");
                break;
            }
            catch (Exception e) { outcome = TurnOutcome.Failed($"{e.GetType().Name}: {e.Message}"); }

            if (outcome.Problem is not null)
            {
                stats.Fail(outcome.Problem);
                // A broken connection fails instantly; without a pause the loop would spin and drown the machine.
                try { await Task.Delay(100, ct); } catch (OperationCanceledException) { break; }
                continue;
            }
            if (outcome.CompletedAt >= measureStart && outcome.CompletedAt < measureEnd)
                stats.Latencies.Add((outcome.CompletedAt - started) * 1000.0 / Stopwatch.Frequency);
        }
        return stats;
    }

    private static async Task<CpuTimes> CpuDuring(CpuMeter cpu, long from, long to, CancellationToken ct)
    {
        try
        {
            await DelayUntil(from, ct);
            var before = await cpu.SnapshotAsync(ct);
            await DelayUntil(to, ct);
            return CpuMeter.Between(before, await cpu.SnapshotAsync(ct));
        }
        catch (OperationCanceledException) { return default; }
    }

    private static Task DelayUntil(long timestamp, CancellationToken ct)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        return wait > TimeSpan.Zero ? Task.Delay(wait, ct) : Task.CompletedTask;
    }

    private static long Ticks(TimeSpan t) => (long)(t.TotalSeconds * Stopwatch.Frequency);

    private sealed class WorkerStats
    {
        public List<double> Latencies { get; } = new(4096);
        public long Errors { get; private set; }
        public string? FirstError { get; private set; }

        public void Fail(string problem)
        {
            Errors++;
            FirstError ??= problem;
        }
    }
}

/// <summary>
/// The product path: SignalR over WebSockets with the token in the query string (as browsers send it), one
/// connection per user, conversations spread round-robin over the connections.
/// </summary>
internal sealed class HubLoad : IAsyncDisposable
{
    private readonly List<HubConnection> _connections;
    private readonly (Guid Id, HubConnection Connection)[] _conversations;
    private long _chunks, _answers;

    /// <summary>Stream items (SignalR messages) per complete answer, final chunk included, since this load opened.</summary>
    public double ChunksPerAnswer => Interlocked.Read(ref _answers) is var n and > 0 ? (double)Interlocked.Read(ref _chunks) / n : double.NaN;

    private HubLoad(List<HubConnection> connections, (Guid, HubConnection)[] conversations)
    {
        _connections = connections;
        _conversations = conversations;
    }

    public static async Task<HubLoad> OpenAsync(Uri api, IReadOnlyList<BenchUser> users, int conversations, CancellationToken ct)
    {
        var connections = users.Take(Math.Min(conversations, users.Count))
            .Select(user => HubClients.Build(new Uri(api, "/hubs/chat"), () => user.AccessToken))
            .ToList();
        var load = new HubLoad(connections, new (Guid, HubConnection)[conversations]);
        try
        {
            await Parallel.ForEachAsync(connections, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct },
                async (connection, token) => await connection.StartAsync(token));
            await Parallel.ForEachAsync(Enumerable.Range(0, conversations), new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = ct },
                async (i, token) =>
                {
                    var connection = connections[i % connections.Count];
                    var id = await connection.InvokeAsync<Guid>("StartConversation", $"bench {i}", token);
                    load._conversations[i] = (id, connection);
                });
            return load;
        }
        catch
        {
            await load.DisposeAsync();
            throw;
        }
    }

    public async Task<TurnOutcome> TurnAsync(int conversation, CancellationToken ct)
    {
        var (id, connection) = _conversations[conversation];
        ChatChunk? final = null;
        long finalAt = 0;
        var chars = 0;
        await foreach (var chunk in connection.StreamAsync<ChatChunk>("SendMessage", id, Workload.Message, ct))
        {
            if (chunk.Final)
            {
                finalAt = Stopwatch.GetTimestamp();
                final = chunk;
            }
            else chars += chunk.Text.Length;
        }
        if (final is null) return TurnOutcome.Failed("the stream ended without a final chunk");
        Interlocked.Add(ref _chunks, final.Index + 1);
        Interlocked.Increment(ref _answers);
        // An offline or degraded answer means the model path was not what got measured.
        if (final.Source != AnswerSources.Model || final.Degraded)
            return TurnOutcome.Failed($"answer from source '{final.Source}'{(final.Degraded ? " (degraded)" : "")}");
        if (chars != LocalServer.Answer.Length) return TurnOutcome.Failed($"answer of {chars} characters instead of {LocalServer.Answer.Length}");
        return TurnOutcome.Ok(finalAt);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _connections)
        {
            try { await c.DisposeAsync(); }
            catch (Exception e) when (e is not OutOfMemoryException) { }
        }
    }
}

/// <summary>The baseline path: one HTTP request per turn, the streamed body read to its end.</summary>
internal sealed class PlainLoad(HttpClient http, Uri endpoint, int workers)
{
    private static readonly byte[] Body = JsonSerializer.SerializeToUtf8Bytes(new PlainChatRequest(Workload.Message), JsonSerializerOptions.Web);
    private readonly byte[][] _buffers = Enumerable.Range(0, workers).Select(_ => new byte[4096]).ToArray();

    public async Task<TurnOutcome> TurnAsync(int worker, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new ByteArrayContent(Body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode) return TurnOutcome.Failed($"HTTP {(int)response.StatusCode}");
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = _buffers[worker];
        int read, total = 0;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0) total += read;
        var at = Stopwatch.GetTimestamp();
        return total == LocalServer.AnswerUtf8.Length
            ? TurnOutcome.Ok(at)
            : TurnOutcome.Failed($"answer of {total} bytes instead of {LocalServer.AnswerUtf8.Length}");
    }
}
