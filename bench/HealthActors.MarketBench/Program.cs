using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using HealthActors.TestKit;
using Microsoft.AspNetCore.SignalR.Client;

namespace HealthActors.MarketBench;

/// <summary>
/// One hot auction: doctors bid as fast as they are answered while many watchers follow it over SignalR.
/// Measures accepted bids per second and, per bid, the time from its HTTP 201 to the moment the last
/// watcher received its event. The Api runs as a child process (embedded silo) on the real PostgreSQL and
/// Redis given in the environment; everything is on loopback and bounded in count and time.
/// </summary>
public static class Program
{
    private static readonly string[] EventNames = ["BidPlaced", "BidReplaced", "BidWithdrawn", "AuctionExtended", "AuctionClosed", "AuctionExpired"];

    public static async Task<int> Main(string[] args)
    {
        Options o;
        try { o = Options.Parse(args); }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine("usage: HealthActors.MarketBench --api PATH/HealthActors.Api.dll [--bidders 20] [--watchers 100] [--bids 3000] [--seconds 60] [--group-commit on|off] [--out results.md] [--log api.log]");
            return 2;
        }
        var postgres = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres");
        var redis = Environment.GetEnvironmentVariable("ConnectionStrings__Redis");
        if (string.IsNullOrEmpty(postgres) || string.IsNullOrEmpty(redis))
        {
            Console.Error.WriteLine("ConnectionStrings__Postgres and ConnectionStrings__Redis must be set: run through bench/run-market.sh.");
            return 2;
        }

        // The whole run is bounded, whatever happens.
        using var overall = new CancellationTokenSource(TimeSpan.FromSeconds(o.Seconds + 300));
        await using var api = await ApiProcess.StartAsync(o, postgres, redis, overall.Token);
        try
        {
            var result = await RunAsync(o, api, overall.Token);
            var table = result.ToMarkdown(o);
            Console.WriteLine();
            Console.WriteLine(table);
            result.AppendSummary(o);
            if (o.Out is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(o.Out))!);
                await File.WriteAllTextAsync(o.Out, table);
            }
            return result.Missing == 0 && result.OrderViolations == 0 ? 0 : 1;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"bench failed: {e}");
            Console.Error.WriteLine($"Api log: {o.Log}");
            return 1;
        }
    }

    private static async Task<Result> RunAsync(Options o, ApiProcess api, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        Log("setting up: specialty, doctors, patient, auction");
        var driver = new ApiDriver(http);
        var admin = (await driver.SignInAsync(api.AdminEmail, api.AdminPassword, ct)).AccessToken;
        var specialty = await driver.CreateSpecialtyAsync(admin, "Bench-" + Guid.NewGuid().ToString("N")[..8], "bench", ct);
        var doctors = new string[o.Bidders];
        await Parallel.ForEachAsync(Enumerable.Range(0, o.Bidders), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (i, c) =>
        {
            const string password = "doctor-lantern-passphrase-1";
            var profile = ApiDriver.EveryDayDoctor(specialty, password, $"bench.doctor.{Guid.NewGuid():N}@bench.example.org", price: 50, currency: "USD") with
            {
                Name = $"Dr Bench {i}", LicenseNumber = $"LIC-{i:0000}", YearsOfExperience = 5, Languages = ["en"],
            };
            await driver.CreateDoctorAsync(admin, profile, c);
            doctors[i] = (await driver.SignInAsync(profile.Email!, password, c)).AccessToken;
        });
        var patient = (await driver.RegisterTokensAsync($"bench.patient.{Guid.NewGuid():N}@bench.example.org", "harbor-violet-93-candle", "Bench Patient", ct)).AccessToken;

        var from = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(2);
        DateTimeOffset SlotOf(int i) => from.AddDays(i / 40).AddMinutes(30 * (i % 40));
        // Closes far enough out that no bid falls in the last two minutes and extends it.
        var auction = await driver.CreateAuctionAsync(patient, specialty, from, from.AddDays(o.Bidders / 40 + 1), DateTimeOffset.UtcNow.AddHours(1),
            maxPrice: 100_000, currency: "USD", symptoms: "benchmark: recurring headaches", ct: ct);

        Log($"connecting {o.Watchers} watchers");
        var tracks = new ConcurrentDictionary<Guid, Track>();
        var watchers = new Watcher[o.Watchers];
        await Parallel.ForEachAsync(Enumerable.Range(0, o.Watchers), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, c) =>
        {
            var w = new Watcher(api.BaseAddress, i == 0 ? patient : doctors[i % doctors.Length], tracks);
            await w.Hub.StartAsync(c);
            var seq = await w.Hub.InvokeAsync<long>("WatchAuction", auction, c);
            if (seq != 0) throw new InvalidOperationException($"watcher {i} joined at seq {seq}, expected 0");
            watchers[i] = w;
        });

        try
        {
            // Warm-up, not measured: each doctor's first bid (a new hold), JIT and connection pools.
            var prices = new decimal[o.Bidders];
            await Task.WhenAll(Enumerable.Range(0, o.Bidders).Select(async i =>
            {
                prices[i] = 90_000;
                await driver.BidAsync(doctors[i], auction, prices[i], SlotOf(i), ct: ct);
            }));
            await WaitFor(() => tracks.Values.All(t => t.Received >= o.Watchers), TimeSpan.FromSeconds(30), ct);
            tracks.Clear();

            Log($"measuring: {o.Bidders} doctors bidding, at most {o.Bids} bids or {o.Seconds} s");
            var measured = new ConcurrentBag<Guid>();
            var remaining = o.Bids;
            var cpuBefore = api.CpuTime;
            var clock = Stopwatch.StartNew();
            var stopAt = TimeSpan.FromSeconds(o.Seconds);
            await Task.WhenAll(Enumerable.Range(0, o.Bidders).Select(async i =>
            {
                while (clock.Elapsed < stopAt && Interlocked.Decrement(ref remaining) >= 0)
                {
                    // One unit cheaper each time: always a valid replacement of the doctor's standing bid.
                    prices[i] -= 1;
                    var id = await driver.BidAsync(doctors[i], auction, prices[i], SlotOf(i), ct: ct);
                    tracks.GetOrAdd(id, _ => new Track()).Accepted = Stopwatch.GetTimestamp();
                    measured.Add(id);
                }
            }));
            var elapsed = clock.Elapsed;
            var cpu = api.CpuTime - cpuBefore;
            Log($"{measured.Count} bids in {elapsed.TotalSeconds:0.0} s; waiting for the watchers to drain");
            await WaitFor(() => measured.All(id => tracks[id].Received >= o.Watchers), TimeSpan.FromSeconds(30), ct, throwOnTimeout: false);

            var latencies = new List<double>();
            var missing = 0L;
            var beforeResponse = 0;
            foreach (var id in measured)
            {
                var t = tracks[id];
                missing += o.Watchers - t.Received;
                if (t.Received < o.Watchers) continue;
                var ms = (t.LastReceived - t.Accepted) * 1000.0 / Stopwatch.Frequency;
                if (ms < 0) beforeResponse++;
                latencies.Add(Math.Max(0, ms));
            }
            latencies.Sort();
            return new Result(measured.Count, elapsed, latencies, missing, beforeResponse, watchers.Sum(w => w.OrderViolations),
                watchers.Sum(w => (long)w.Count), cpu);
        }
        finally
        {
            await Task.WhenAll(watchers.Where(w => w is not null).Select(w => w.Hub.DisposeAsync().AsTask()));
        }
    }

    private static async Task WaitFor(Func<bool> done, TimeSpan timeout, CancellationToken ct, bool throwOnTimeout = true)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (clock.Elapsed > timeout)
            {
                if (throwOnTimeout) throw new TimeoutException($"not done within {timeout.TotalSeconds:0} s");
                return;
            }
            await Task.Delay(20, ct);
        }
    }

    internal static void Log(string message) => Console.WriteLine($"[market-bench {DateTime.UtcNow:HH:mm:ss}] {message}");

    /// <summary>Per bid: when its 201 arrived and when the last watcher got its event (Stopwatch ticks).</summary>
    private sealed class Track
    {
        public long Accepted;
        public int Received;
        public long LastReceived;

        public void Arrived(long at)
        {
            Interlocked.Increment(ref Received);
            long seen;
            do seen = Interlocked.Read(ref LastReceived);
            while (at > seen && Interlocked.CompareExchange(ref LastReceived, at, seen) != seen);
        }
    }

    private sealed record BidLite(Guid Id);
    private sealed record EventLite(long Seq, string Type, BidLite? Bid);

    private sealed class Watcher
    {
        private long _lastSeq;
        public HubConnection Hub { get; }
        public int OrderViolations;
        public int Count;

        public Watcher(Uri baseAddress, string token, ConcurrentDictionary<Guid, Track> tracks)
        {
            Hub = HubClients.Build(new Uri(baseAddress, "/hubs/marketplace"), () => token);
            foreach (var name in EventNames)
                Hub.On<EventLite>(name, e =>
                {
                    var at = Stopwatch.GetTimestamp();
                    // Handlers run one at a time per connection, in arrival order.
                    if (e.Seq != _lastSeq + 1) OrderViolations++;
                    _lastSeq = e.Seq;
                    Count++;
                    if (e.Bid is { } b) tracks.GetOrAdd(b.Id, _ => new Track()).Arrived(at);
                });
        }
    }

    private sealed record Result(int Bids, TimeSpan Elapsed, List<double> Latencies, long Missing, int BeforeResponse, int OrderViolations, long Deliveries, TimeSpan ApiCpu)
    {
        private double P(double q) => Latencies.Count == 0 ? double.NaN : Latencies[Math.Clamp((int)Math.Ceiling(q * Latencies.Count) - 1, 0, Latencies.Count - 1)];

        /// <summary>bench/run-all.sh's summary line (HA_BENCH_SUMMARY; the format HealthActors.Bench's Summary reads).</summary>
        public void AppendSummary(Options o)
        {
            var path = Environment.GetEnvironmentVariable("HA_BENCH_SUMMARY");
            if (string.IsNullOrWhiteSpace(path)) return;
            var c = CultureInfo.InvariantCulture;
            var rate = Bids / Elapsed.TotalSeconds;
            var met = rate >= 1000 && P(0.99) < 50 && Missing == 0;
            File.AppendAllText(path, string.Join('\t',
                "marketplace", $"one hot auction, {o.Bidders} bidders, {o.Watchers} watchers: bids/s and 201 → every watcher",
                string.Format(c, "{0:0}/s, p99 {1:0.0} ms, {2} missing", rate, P(0.99), Missing), "", "",
                "≥ 1,000 bids/s with p99 < 50 ms", met ? "met" : "**not met**") + "\n");
        }

        public string ToMarkdown(Options o)
        {
            var c = CultureInfo.InvariantCulture;
            var sb = new StringBuilder();
            sb.AppendLine(c, $"| metric | value |");
            sb.AppendLine("| --- | --- |");
            sb.AppendLine(c, $"| group commit | {(o.GroupCommit ? "on" : "off")} |");
            sb.AppendLine(c, $"| doctors bidding concurrently | {o.Bidders} |");
            sb.AppendLine(c, $"| watchers (SignalR, WebSockets) | {o.Watchers} |");
            sb.AppendLine(c, $"| bids accepted (HTTP 201) | {Bids} in {Elapsed.TotalSeconds:0.0} s |");
            sb.AppendLine(c, $"| **bids per second** | **{Bids / Elapsed.TotalSeconds:0.0}** |");
            sb.AppendLine(c, $"| event deliveries | {Deliveries} |");
            sb.AppendLine(c, $"| Api+silo CPU per bid (measured phase, incl. its 100 pushes) | {ApiCpu.TotalMilliseconds / Math.Max(1, Bids):0.00} ms |");
            sb.AppendLine(c, $"| 201 → all watchers, p50 | {P(0.50):0.0} ms |");
            sb.AppendLine(c, $"| 201 → all watchers, p95 | {P(0.95):0.0} ms |");
            sb.AppendLine(c, $"| 201 → all watchers, p99 | {P(0.99):0.0} ms |");
            sb.AppendLine(c, $"| 201 → all watchers, max | {(Latencies.Count == 0 ? double.NaN : Latencies[^1]):0.0} ms |");
            sb.AppendLine(c, $"| bids every watcher had before the 201 arrived (counted as 0 ms) | {BeforeResponse} |");
            sb.AppendLine(c, $"| deliveries missing after 30 s | {Missing} |");
            sb.AppendLine(c, $"| out-of-order or repeated sequence numbers | {OrderViolations} |");
            return sb.ToString();
        }
    }
}

public sealed record Options(string Api, int Bidders, int Watchers, int Bids, int Seconds, string? Out, string Log, bool GroupCommit = true)
{
    public static Options Parse(string[] args)
    {
        var map = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length) throw new ArgumentException($"unexpected argument: {args[i]}");
            map[args[i][2..]] = args[++i];
        }
        int Int(string key, int fallback, int max)
        {
            if (!map.TryGetValue(key, out var v)) return fallback;
            return int.TryParse(v, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= max ? n : throw new ArgumentException($"--{key} must be 1..{max}");
        }
        var api = map.GetValueOrDefault("api") ?? throw new ArgumentException("--api is required");
        if (!File.Exists(api)) throw new ArgumentException($"no such file: {api} (build Release first)");
        return new Options(Path.GetFullPath(api), Int("bidders", 20, 200), Int("watchers", 100, 1000), Int("bids", 3000, 100_000), Int("seconds", 60, 600),
            map.GetValueOrDefault("out"), map.GetValueOrDefault("log") ?? Path.Combine(Path.GetTempPath(), $"healthactors-market-bench-{Environment.ProcessId}.log"),
            map.GetValueOrDefault("group-commit", "on") switch { "on" => true, "off" => false, _ => throw new ArgumentException("--group-commit must be on or off") });
    }
}

/// <summary>The Api as a child process (the test kit's launcher): embedded silo, its own cluster and service ids, free loopback ports.</summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;
    public Uri BaseAddress { get; }
    /// <summary>CPU time the Api process (with its embedded silo) has used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            using var p = Process.GetProcessById(_process.Pid);
            return p.TotalProcessorTime;
        }
    }
    public string AdminEmail { get; }
    public string AdminPassword { get; }

    private ApiProcess(ChildProcess process, Uri baseAddress, string adminEmail, string adminPassword)
    {
        _process = process;
        BaseAddress = baseAddress;
        AdminEmail = adminEmail;
        AdminPassword = adminPassword;
    }

    public static async Task<ApiProcess> StartAsync(Options o, string postgres, string redis, CancellationToken ct)
    {
        var port = FreePort.Next();
        var id = Guid.NewGuid().ToString("N")[..12];
        var adminEmail = $"bench.admin.{id}@bench.example.org";
        var adminPassword = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        var env = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["Orleans__Mode"] = "Embedded",
            ["Orleans__ClusterId"] = "market-bench-" + id,
            ["Orleans__ServiceId"] = "market-bench-" + id,
            ["Orleans__SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["ConnectionStrings__Postgres"] = postgres,
            ["ConnectionStrings__Redis"] = redis,
            ["Jwt__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
            ["Admin__Email"] = adminEmail,
            ["Admin__Password"] = adminPassword,
            ["RateLimiting__AuthPermitsPerWindow"] = "1000000",
            // A bench account books, bids or chats far faster than a person; the per-user limits are not what is measured.
            ["RateLimiting__UserRequestsPerMinute"] = "100000000",
            ["RateLimiting__ModelCallsPerMinute"] = "100000000",
            // The same for the per-doctor bid rate and the per-user hub connection cap: the bench's doctors bid as
            // fast as they are answered, which is what is measured.
            ["Marketplace__MaxBidsPerDoctorPerMinute"] = "100000000",
            // Off: one bid, one commit, one at a time (the write path before group commit), to alternate in one run.
            ["Marketplace__GroupCommit"] = o.GroupCommit ? "true" : "false",
            ["Hubs__MaxConnectionsPerUser"] = "10000",
            ["Catalog__SeedDemo"] = "false",
            ["Api__DataDirectory"] = Path.Combine(Path.GetTempPath(), "healthactors-market-bench-" + id),
            ["Logging__LogLevel__Default"] = "Warning",
        };
        var process = ChildProcess.Start("api", o.Api, ["--urls", $"http://127.0.0.1:{port}"], env, o.Log);
        var api = new ApiProcess(process, new Uri($"http://127.0.0.1:{port}"), adminEmail, adminPassword);
        Program.Log($"Api starting on {api.BaseAddress} (pid {process.Pid}, log {o.Log})");
        var clock = Stopwatch.StartNew();
        try
        {
            await process.WaitReadyAsync(new Uri(api.BaseAddress, "/health/ready"), TimeSpan.FromSeconds(120), ct);
        }
        catch
        {
            await api.DisposeAsync();
            throw;
        }
        Program.Log($"Api ready after {clock.Elapsed.TotalSeconds:0.0} s");
        return api;
    }

    /// <summary>Killed outright: the bench's numbers are taken, nothing in this throwaway cluster needs a clean stop.</summary>
    public async ValueTask DisposeAsync()
    {
        try { await _process.KillAsync(); }
        catch (TimeoutException e) { Console.Error.WriteLine(e.Message); }
        await _process.DisposeAsync();
    }
}
