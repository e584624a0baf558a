using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Connections;
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
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly string[] EventNames = ["BidPlaced", "BidReplaced", "BidWithdrawn", "AuctionExtended", "AuctionClosed", "AuctionExpired"];

    public static async Task<int> Main(string[] args)
    {
        Options o;
        try { o = Options.Parse(args); }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine("usage: HealthActors.MarketBench --api PATH/HealthActors.Api.dll [--bidders 20] [--watchers 100] [--bids 3000] [--seconds 60] [--out results.md] [--log api.log]");
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
        var admin = await Login(http, api.AdminEmail, api.AdminPassword, ct);
        var specialty = (await Send(http, HttpMethod.Post, "/api/admin/specialties", admin, new { name = "Bench-" + Guid.NewGuid().ToString("N")[..8], description = "bench" }, HttpStatusCode.Created, ct))["id"]!.GetValue<Guid>();
        var doctors = new string[o.Bidders];
        await Parallel.ForEachAsync(Enumerable.Range(0, o.Bidders), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (i, c) =>
        {
            var email = $"bench.doctor.{Guid.NewGuid():N}@bench.example.org";
            await Send(http, HttpMethod.Post, "/api/admin/doctors", admin, new
            {
                email, password = "doctor-lantern-passphrase-1", name = $"Dr Bench {i}", specialtyId = specialty, licenseNumber = $"LIC-{i:0000}",
                yearsOfExperience = 5, price = new { amount = 50, currency = "USD" }, languages = new[] { "en" },
                availability = new { timeZone = "UTC", days = new[] { "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday" }, startTime = "00:00", endTime = "23:30", slotMinutes = 30 },
            }, HttpStatusCode.Created, c);
            doctors[i] = await Login(http, email, "doctor-passphrase-1", c);
        });
        var patientEmail = $"bench.patient.{Guid.NewGuid():N}@bench.example.org";
        var patient = (await Send(http, HttpMethod.Post, "/api/auth/register", null, new { email = patientEmail, password = "patient-passphrase-1", name = "Bench Patient" }, HttpStatusCode.Created, ct))["accessToken"]!.GetValue<string>();

        var from = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(2);
        DateTimeOffset SlotOf(int i) => from.AddDays(i / 40).AddMinutes(30 * (i % 40));
        // Closes far enough out that no bid falls in the last two minutes and extends it.
        var auction = (await Send(http, HttpMethod.Post, "/api/auctions", patient, new
        {
            symptoms = "benchmark: recurring headaches", specialtyId = specialty, maxPrice = 100_000, currency = "USD",
            window = new { from, to = from.AddDays(o.Bidders / 40 + 1) }, closesAt = DateTimeOffset.UtcNow.AddHours(1),
        }, HttpStatusCode.Created, ct))["id"]!.GetValue<Guid>();

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
                await Bid(http, auction, doctors[i], prices[i], SlotOf(i), ct);
            }));
            await WaitFor(() => tracks.Values.All(t => t.Received >= o.Watchers), TimeSpan.FromSeconds(30), ct);
            tracks.Clear();

            Log($"measuring: {o.Bidders} doctors bidding, at most {o.Bids} bids or {o.Seconds} s");
            var measured = new ConcurrentBag<Guid>();
            var remaining = o.Bids;
            var clock = Stopwatch.StartNew();
            var stopAt = TimeSpan.FromSeconds(o.Seconds);
            await Task.WhenAll(Enumerable.Range(0, o.Bidders).Select(async i =>
            {
                while (clock.Elapsed < stopAt && Interlocked.Decrement(ref remaining) >= 0)
                {
                    // One unit cheaper each time: always a valid replacement of the doctor's standing bid.
                    prices[i] -= 1;
                    var id = await Bid(http, auction, doctors[i], prices[i], SlotOf(i), ct);
                    tracks.GetOrAdd(id, _ => new Track()).Accepted = Stopwatch.GetTimestamp();
                    measured.Add(id);
                }
            }));
            var elapsed = clock.Elapsed;
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
                watchers.Sum(w => (long)w.Count));
        }
        finally
        {
            await Task.WhenAll(watchers.Where(w => w is not null).Select(w => w.Hub.DisposeAsync().AsTask()));
        }
    }

    private static async Task<Guid> Bid(HttpClient http, Guid auction, string token, decimal price, DateTimeOffset slot, CancellationToken ct) =>
        (await Send(http, HttpMethod.Post, $"/api/auctions/{auction}/bids", token, new { price, slotStart = slot }, HttpStatusCode.Created, ct))["id"]!.GetValue<Guid>();

    private static async Task<string> Login(HttpClient http, string email, string password, CancellationToken ct) =>
        (await Send(http, HttpMethod.Post, "/api/auth/login", null, new { email, password }, HttpStatusCode.OK, ct))["accessToken"]!.GetValue<string>();

    private static async Task<JsonNode> Send(HttpClient http, HttpMethod method, string url, string? token, object? body, HttpStatusCode expected, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, url);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = JsonContent.Create(body, options: Json);
        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != expected) throw new InvalidOperationException($"{method} {url}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
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
            Hub = new HubConnectionBuilder()
                .WithUrl(new Uri(baseAddress, "/hubs/marketplace"), o =>
                {
                    o.Transports = HttpTransportType.WebSockets;
                    o.SkipNegotiation = true;
                    o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                })
                .Build();
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

    private sealed record Result(int Bids, TimeSpan Elapsed, List<double> Latencies, long Missing, int BeforeResponse, int OrderViolations, long Deliveries)
    {
        private double P(double q) => Latencies.Count == 0 ? double.NaN : Latencies[Math.Clamp((int)Math.Ceiling(q * Latencies.Count) - 1, 0, Latencies.Count - 1)];

        public string ToMarkdown(Options o)
        {
            var c = CultureInfo.InvariantCulture;
            var sb = new StringBuilder();
            sb.AppendLine(c, $"| metric | value |");
            sb.AppendLine("| --- | --- |");
            sb.AppendLine(c, $"| doctors bidding concurrently | {o.Bidders} |");
            sb.AppendLine(c, $"| watchers (SignalR, WebSockets) | {o.Watchers} |");
            sb.AppendLine(c, $"| bids accepted (HTTP 201) | {Bids} in {Elapsed.TotalSeconds:0.0} s |");
            sb.AppendLine(c, $"| **bids per second** | **{Bids / Elapsed.TotalSeconds:0.0}** |");
            sb.AppendLine(c, $"| event deliveries | {Deliveries} |");
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

public sealed record Options(string Api, int Bidders, int Watchers, int Bids, int Seconds, string? Out, string Log)
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
            map.GetValueOrDefault("out"), map.GetValueOrDefault("log") ?? Path.Combine(Path.GetTempPath(), $"healthactors-market-bench-{Environment.ProcessId}.log"));
    }
}

/// <summary>The Api as a child process: embedded silo, its own cluster and service ids, free loopback ports.</summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    public Uri BaseAddress { get; }
    public string AdminEmail { get; }
    public string AdminPassword { get; }

    private ApiProcess(Process process, StreamWriter log, Uri baseAddress, string adminEmail, string adminPassword)
    {
        _process = process;
        _log = log;
        BaseAddress = baseAddress;
        AdminEmail = adminEmail;
        AdminPassword = adminPassword;
    }

    public static async Task<ApiProcess> StartAsync(Options o, string postgres, string redis, CancellationToken ct)
    {
        var port = FreePort();
        var id = Guid.NewGuid().ToString("N")[..12];
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(o.Api)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(o.Api);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        var env = start.Environment;
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["DOTNET_ENVIRONMENT"] = "Production";
        env["Orleans__Mode"] = "Embedded";
        env["Orleans__ClusterId"] = "market-bench-" + id;
        env["Orleans__ServiceId"] = "market-bench-" + id;
        env["Orleans__SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture);
        env["Orleans__GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture);
        env["ConnectionStrings__Postgres"] = postgres;
        env["ConnectionStrings__Redis"] = redis;
        env["Jwt__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var adminEmail = $"bench.admin.{id}@bench.example.org";
        var adminPassword = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        env["Admin__Email"] = adminEmail;
        env["Admin__Password"] = adminPassword;
        env["RateLimiting__AuthPermitsPerWindow"] = "1000000";
        // A bench account books, bids or chats far faster than a person; the per-user limits are not what is measured.
        env["RateLimiting__UserRequestsPerMinute"] = "100000000";
        env["RateLimiting__ModelCallsPerMinute"] = "100000000";
        env["Catalog__SeedDemo"] = "false";
        env["Api__DataDirectory"] = Path.Combine(Path.GetTempPath(), "healthactors-market-bench-" + id);
        env["Logging__LogLevel__Default"] = "Warning";

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(o.Log))!);
        var log = new StreamWriter(o.Log) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the Api");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var api = new ApiProcess(process, log, new Uri($"http://127.0.0.1:{port}"), adminEmail, adminPassword);
        Program.Log($"Api starting on {api.BaseAddress} (pid {process.Id}, log {o.Log})");

        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"the Api exited during start-up ({process.ExitCode}); see {o.Log}");
            try
            {
                if ((await probe.GetAsync(new Uri(api.BaseAddress, "/health/ready"), ct)).IsSuccessStatusCode) break;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            if (clock.Elapsed > TimeSpan.FromSeconds(120)) throw new TimeoutException($"the Api was not ready within 120 s; see {o.Log}");
            await Task.Delay(500, ct);
        }
        Program.Log($"Api ready after {clock.Elapsed.TotalSeconds:0.0} s");
        return api;
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try { await _process.WaitForExitAsync(wait.Token); }
            catch (OperationCanceledException) { Console.Error.WriteLine($"the Api (pid {_process.Id}) did not exit within 30 s"); }
        }
        _process.Dispose();
        lock (_log) _log.Dispose();
    }
}
