using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using HealthActors.Bench;
using Npgsql;
using StackExchange.Redis;

// The backend's own cost of a chat turn: the model answers instantly, so whatever time a turn takes is ours.
var root = FindRepositoryRoot();
if (root is null)
{
    Console.Error.WriteLine("Run from inside the repository (HealthActors.sln not found above the current directory).");
    return 2;
}
var options = BenchOptions.Parse(args, root);
if (options is null) return args.Contains("--help") || args.Contains("-h") ? 0 : 2;

var postgres = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres");
var redis = Environment.GetEnvironmentVariable("ConnectionStrings__Redis");
if (string.IsNullOrWhiteSpace(postgres) || string.IsNullOrWhiteSpace(redis))
{
    Console.Error.WriteLine("ConnectionStrings__Postgres and ConnectionStrings__Redis must be set; bench/run-chat.sh provides them.");
    return 2;
}

using var stop = new CancellationTokenSource();
ApiProcess? api = null;
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    if (stop.IsCancellationRequested)
    {
        // Second Ctrl-C: the user no longer waits for a clean stop.
        api?.KillNow();
        Environment.Exit(130);
    }
    Console.Error.WriteLine("[bench] stopping (Ctrl-C again to kill at once)");
    stop.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
{
    ctx.Cancel = true;
    stop.Cancel();
});
// Last line of defence (unhandled exception, Environment.Exit): the Api must not outlive the bench.
AppDomain.CurrentDomain.ProcessExit += (_, _) => api?.KillNow();

var ct = stop.Token;
var wall = Stopwatch.StartNew();
using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
{
    Timeout = TimeSpan.FromSeconds(60),
};
try
{
    await using var local = await LocalServer.StartAsync(ct);
    Console.WriteLine($"[bench] zero-latency model and plain endpoint on {local.BaseAddress}");

    // A session setting, so the shared server's configuration is left alone.
    var apiPostgres = options.PgAsyncCommit ? postgres.TrimEnd(';') + ";Options=-c synchronous_commit=off" : postgres;
    api = ApiProcess.Start(options.ApiDll!, apiPostgres, redis, local.ModelEndpoint, Path.Combine(root, ".data", "bench", "api.log"));
    Console.WriteLine($"[bench] Api starting on {api.BaseAddress} (cluster {api.ClusterId}, log {api.LogPath})");
    await api.WaitReadyAsync(http, TimeSpan.FromSeconds(120), ct);
    Console.WriteLine($"[bench] Api ready after {wall.Elapsed.TotalSeconds:0.0} s");

    var userCount = Math.Min(options.Users, options.Levels.Max());
    var users = await RegisterUsersAsync(http, api.BaseAddress, userCount, ct);
    Console.WriteLine($"[bench] {users.Count} users registered ({wall.Elapsed.TotalSeconds:0.0} s)");

    // Every process for both paths: the Api idles during the plain runs, and the bench's own client and model work
    // is in both, so the difference is the hub path's.
    await using var benchDb = NpgsqlDataSource.Create(postgres);
    using var cpu = new CpuMeter(api, benchDb);
    using var plainHttp = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };
    var plainEndpoint = new Uri(local.BaseAddress, "/plain/chat");

    if (options.Warmup > TimeSpan.Zero)
    {
        // JIT and connection pools first, so that the first level is not the one paying for them.
        var n = Math.Min(8, users.Count);
        Console.WriteLine($"[bench] warming up both paths ({n} conversations, {options.Warmup.TotalSeconds:0.#} s each)");
        await using (var hub = await HubLoad.OpenAsync(api.BaseAddress, users, n, ct))
            await Phase.RunAsync(n, hub.TurnAsync, TimeSpan.Zero, options.Warmup, cpu, ct);
        await Phase.RunAsync(n, new PlainLoad(plainHttp, plainEndpoint, n).TurnAsync, TimeSpan.Zero, options.Warmup, cpu, ct);
    }

    var loadBefore = Report.LoadAverage();
    var results = new List<LevelResult>();
    var slice = options.Duration / options.Rounds;
    foreach (var level in options.Levels)
    {
        foreach (var user in users) await user.EnsureFreshAsync(http, api.BaseAddress, ct);
        var plain = new PlainLoad(plainHttp, plainEndpoint, level);
        List<PhaseSample> hubSamples = [], plainSamples = [];
        long answers = 0, summaries = 0;
        await using (var hub = await HubLoad.OpenAsync(api.BaseAddress, users, level, ct))
        {
            Console.WriteLine($"[bench] {level} conversations ({Math.Min(level, users.Count)} hub connections), {options.Rounds} round{(options.Rounds == 1 ? "" : "s")}");
            for (var round = 0; round < options.Rounds; round++)
            {
                // The paths alternate so that a change in the machine's other load hits both, not one.
                // After the first round only the ramp after the pause needs warming up.
                var warmup = round == 0 ? options.Warmup : TimeSpan.FromSeconds(Math.Min(1, options.Warmup.TotalSeconds));
                var (answersBefore, summariesBefore) = (local.StreamingRequests, local.CompletionRequests);
                var hubSample = await Phase.RunAsync(level, hub.TurnAsync, warmup, slice, cpu, ct);
                answers += local.StreamingRequests - answersBefore;
                summaries += local.CompletionRequests - summariesBefore;
                hubSamples.Add(hubSample);
                Print("hub+grain", hubSample);
                var plainSample = await Phase.RunAsync(level, plain.TurnAsync, warmup, slice, cpu, ct);
                plainSamples.Add(plainSample);
                Print("plain", plainSample);
            }
        }
        results.Add(new LevelResult(level, PhaseMeasurement.Combine(hubSamples), PhaseMeasurement.Combine(plainSamples),
            answers == 0 ? double.NaN : (double)summaries / answers));
    }

    Console.WriteLine();
    Console.WriteLine($"Chat turn, zero-latency model, {Report.Machine(options.Note)}" +
                      (options.PgAsyncCommit ? "; Api with synchronous_commit=off" : ""));
    Console.WriteLine();
    Console.Write(Report.RatioTable(results));
    Console.WriteLine();
    Console.Write(Report.Table(results));
    Console.WriteLine();
    if (options.WriteDoc)
    {
        Report.Write(options.OutputPath!, Report.Block(options, results, DateTimeOffset.UtcNow, loadBefore, Report.LoadAverage()));
        Console.WriteLine($"[bench] results written to {options.OutputPath}");
    }
    Console.WriteLine($"[bench] done in {wall.Elapsed.TotalSeconds:0} s");
    return results.Any(r => r.Hub.Errors + r.Plain.Errors > 0) ? 3 : 0;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("[bench] cancelled");
    return 130;
}
catch (Exception e)
{
    Console.Error.WriteLine($"[bench] failed: {e}");
    return 1;
}
finally
{
    if (api is not null)
    {
        await api.DisposeAsync();
        await ForgetClusterAsync(redis, api);
    }
}

static void Print(string path, PhaseSample sample)
{
    var m = PhaseMeasurement.Combine([sample]);
    Console.WriteLine($"    {path,-9} {m.TurnsPerSecond,8:0.0} turns/s  p50 {m.P50Ms,7:0.00} ms  p99 {m.P99Ms,7:0.00} ms  " +
                      $"CPU {m.CpuMsPerTurn:0.00} ms/turn (Api {m.ApiCpuMsPerTurn:0.00}, PostgreSQL {m.PostgresCpuMsPerTurn:0.00})  errors {m.Errors}" +
                      (m.FirstError is null ? "" : $" (first: {m.FirstError})"));
}

static async Task<List<BenchUser>> RegisterUsersAsync(HttpClient http, Uri api, int count, CancellationToken ct)
{
    var run = Guid.NewGuid().ToString("N")[..10];
    var users = new BenchUser[count];
    // Few at a time: each registration is a deliberately slow password hash, and the machine has few cores.
    await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct },
        async (i, token) =>
        {
            var body = new
            {
                email = $"bench-{run}-{i}@bench.example",
                password = "Bench-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12)),
                name = $"Bench user {i}",
            };
            using var response = await http.PostAsJsonAsync(new Uri(api, "/api/auth/register"), body, token);
            if (response.StatusCode != HttpStatusCode.Created)
                throw new InvalidOperationException($"registration failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(token)}");
            var pair = await response.Content.ReadFromJsonAsync<JsonElement>(token);
            users[i] = new BenchUser(pair.GetProperty("accessToken").GetString()!, pair.GetProperty("refreshToken").GetString()!);
        });
    return [.. users];
}

// Every run uses a fresh cluster id; its membership entry in Redis would otherwise stay behind for good.
static async Task ForgetClusterAsync(string redis, ApiProcess api)
{
    try
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync(redis);
        await mux.GetDatabase().KeyDeleteAsync($"{api.ServiceId}/members/{api.ClusterId}");
    }
    catch (Exception e) when (e is RedisException or TimeoutException)
    {
        Console.Error.WriteLine($"[bench] could not remove the bench cluster's membership from Redis: {e.Message}");
    }
}

static string? FindRepositoryRoot()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HealthActors.sln"))) return dir.FullName;
    }
    return null;
}
