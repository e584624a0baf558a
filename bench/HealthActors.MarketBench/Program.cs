using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using HealthActors.TestKit;
using Microsoft.AspNetCore.SignalR.Client;

namespace HealthActors.MarketBench;

/// <summary>
/// One hot auction: doctors bid while many watchers follow it over SignalR. Measures accepted bids per second and,
/// per bid, where its time goes: the commit wait (request sent → HTTP 201: grain checks, calendar hold, the group
/// commit holding the bid), the fan-out (201 → the last watcher has the event) and the whole (request sent → the
/// last of the watchers has it). The watchers follow the auction one way per phase: per event over JSON (the web
/// app's way), or batched (WatchAuctionBatched, one message per group commit) over JSON or MessagePack; by default
/// the per-event JSON path and batched MessagePack alternate in one run against one Api, so they compare side by
/// side. Bids are closed-loop (each doctor bids again when answered) or, with --rate, open-loop at a fixed rate.
/// The Api runs as a child process (embedded silo) on the real PostgreSQL and Redis given in the environment;
/// everything is on loopback and bounded in count and time.
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
            Console.Error.WriteLine("usage: HealthActors.MarketBench --api PATH/HealthActors.Api.dll [--bidders 20] [--watchers 100] [--bids 3000] [--seconds 60] " +
                "[--rate BIDS_PER_S] [--protocol json|messagepack] [--batched on|off] [--rounds 1] [--group-commit on|off] [--api-env KEY=a,b] [--out results.md] [--log api.log]");
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
        using var overall = new CancellationTokenSource(TimeSpan.FromSeconds((o.Seconds + 60) * o.Phases.Count + 300));
        // One Api per pipeline depth asked for (or one with the Api's default), all started before the first phase, so that
        // phases of different depths alternate in one run; the Apis not being measured sit idle.
        var apis = new List<ApiProcess>();
        try
        {
            foreach (var value in o.EnvValues) apis.Add(await ApiProcess.StartAsync(o, value, postgres, redis, overall.Token));
            var results = await RunAsync(o, apis, overall.Token);
            var table = Result.ToMarkdown(o, results);
            Console.WriteLine();
            Console.WriteLine(table);
            foreach (var last in results.GroupBy(r => r.Variant).Select(g => g.Last())) last.AppendSummary(o);
            if (o.Out is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(o.Out))!);
                await File.WriteAllTextAsync(o.Out, table);
            }
            return results.All(r => r.Missing == 0 && r.OrderViolations == 0) ? 0 : 1;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"bench failed: {e}");
            Console.Error.WriteLine($"Api log: {o.Log}");
            return 1;
        }
        finally
        {
            foreach (var api in apis) await api.DisposeAsync();
        }
    }

    /// <summary>One Api with its own specialty, doctors, patient and auction, ready for the measured phases.</summary>
    private sealed record Setup(ApiProcess Api, HttpClient Http, ApiDriver Driver, string Admin, string[] Doctors, string Patient, Guid Auction, decimal[] Prices,
        Func<int, DateTimeOffset> SlotOf);

    private static async Task<List<Result>> RunAsync(Options o, IReadOnlyList<ApiProcess> apis, CancellationToken ct)
    {
        var setups = new List<Setup>();
        try
        {
            foreach (var api in apis) setups.Add(await SetUpAsync(o, api, ct));
            var results = new List<Result>();
            foreach (var variant in o.Phases)
            {
                var setup = setups[Math.Max(0, o.EnvValues.IndexOf(variant.EnvValue))];
                results.Add(await PhaseAsync(o, variant, setup, results.Count, ct));
            }
            return results;
        }
        finally
        {
            foreach (var setup in setups) setup.Http.Dispose();
        }
    }

    private static async Task<Setup> SetUpAsync(Options o, ApiProcess api, CancellationToken ct)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

        Log($"setting up on {api.BaseAddress}: specialty, doctors, patient, auction");
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

        // Warm-up, not measured: each doctor's first bid (a new hold), JIT and connection pools.
        var prices = new decimal[o.Bidders];
        await Task.WhenAll(Enumerable.Range(0, o.Bidders).Select(async i =>
        {
            prices[i] = 90_000;
            await driver.BidAsync(doctors[i], auction, prices[i], SlotOf(i), ct: ct);
        }));
        return new Setup(api, http, driver, admin, doctors, patient, auction, prices, SlotOf);
    }

    private static async Task<Result> PhaseAsync(Options o, Variant variant, Setup setup, int done, CancellationToken ct)
    {
        var (api, http, driver, admin, doctors, patient, auction, prices, SlotOf) = setup;
        {
            Log($"phase {done + 1}/{o.Phases.Count} ({variant}): connecting {o.Watchers} watchers to the Api with pid {api.Pid}");
            var tracks = new ConcurrentDictionary<Guid, Track>();
            var watchers = new Watcher[o.Watchers];
            await Parallel.ForEachAsync(Enumerable.Range(0, o.Watchers), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, c) =>
            {
                var w = new Watcher(api.BaseAddress, i == 0 ? patient : doctors[i % doctors.Length], tracks, variant);
                await w.StartAsync(auction, c);
                watchers[i] = w;
            });
            try
            {
                // One round of bids seen by every watcher before measuring: each connection's first message is behind us.
                var settle = await Task.WhenAll(Enumerable.Range(0, Math.Min(o.Bidders, 20)).Select(async i =>
                {
                    prices[i] -= 1;
                    return await driver.BidAsync(doctors[i], auction, prices[i], SlotOf(i), ct: ct);
                }));
                await WaitFor(() => settle.All(id => tracks.TryGetValue(id, out var t) && t.Received >= o.Watchers), TimeSpan.FromSeconds(30), ct);
                tracks.Clear();
                foreach (var w in watchers) w.ResetCounts();
                var before = await ServerHistograms.ScrapeAsync(http, admin, ct);
                var result = await MeasureAsync(o, variant, api, driver, doctors, prices, SlotOf, auction, tracks, watchers, ct);
                result = result with { Server = (await ServerHistograms.ScrapeAsync(http, admin, ct)).Minus(before) };
                Log(result.OneLine());
                return result;
            }
            finally
            {
                await Task.WhenAll(watchers.Where(w => w is not null).Select(w => w.Hub.DisposeAsync().AsTask()));
            }
        }
    }

    private static async Task<Result> MeasureAsync(Options o, Variant variant, ApiProcess api, ApiDriver driver, string[] doctors, decimal[] prices,
        Func<int, DateTimeOffset> slotOf, Guid auction, ConcurrentDictionary<Guid, Track> tracks, Watcher[] watchers, CancellationToken ct)
    {
        var mode = o.Rate is { } r ? $"open loop, {r} bids/s offered across {o.Bidders} doctors" : $"closed loop, {o.Bidders} doctors";
        Log($"measuring ({mode}): at most {o.Bids} bids or {o.Seconds} s");
        var measured = new ConcurrentBag<Guid>();
        var failed = 0;
        var cpuBefore = api.CpuTime;
        var clock = Stopwatch.StartNew();
        var start = Stopwatch.GetTimestamp();
        var stopAt = TimeSpan.FromSeconds(o.Seconds);

        async Task BidOnce(int i, long sentAt)
        {
            // One unit cheaper each time: always a valid replacement of the doctor's standing bid.
            prices[i] -= 1;
            try
            {
                var id = await driver.BidAsync(doctors[i], auction, prices[i], slotOf(i), ct: ct);
                var t = tracks.GetOrAdd(id, _ => new Track());
                t.Sent = sentAt;
                t.Accepted = Stopwatch.GetTimestamp();
                measured.Add(id);
            }
            catch (ApiCallException)
            {
                Interlocked.Increment(ref failed);
            }
        }

        if (o.Rate is not { } rate)
        {
            var remaining = o.Bids;
            await Task.WhenAll(Enumerable.Range(0, o.Bidders).Select(async i =>
            {
                while (clock.Elapsed < stopAt && Interlocked.Decrement(ref remaining) >= 0)
                    await BidOnce(i, Stopwatch.GetTimestamp());
            }));
        }
        else
        {
            // Open loop: bid k is due at start + k / rate whatever happened to the ones before, and its time counts from
            // then, so a backlog shows as latency rather than as a slower offered rate. A doctor has one bid in flight at
            // a time (the grain would queue a second one behind it anyway); a due bid waits for a free doctor.
            var free = System.Threading.Channels.Channel.CreateUnbounded<int>();
            for (var i = 0; i < o.Bidders; i++) free.Writer.TryWrite(i);
            var inFlight = new List<Task>();
            var issued = 0;
            while (issued < o.Bids && clock.Elapsed < stopAt)
            {
                var due = Math.Min(o.Bids, (int)(clock.Elapsed.TotalSeconds * rate) + 1);
                for (; issued < due; issued++)
                {
                    var sentAt = start + (long)(issued / rate * Stopwatch.Frequency);
                    var doctor = await free.Reader.ReadAsync(ct);
                    inFlight.Add(Task.Run(async () =>
                    {
                        try { await BidOnce(doctor, sentAt); }
                        finally { free.Writer.TryWrite(doctor); }
                    }, ct));
                }
                await Task.Delay(1, ct);
            }
            await Task.WhenAll(inFlight);
        }
        var elapsed = clock.Elapsed;
        var cpu = api.CpuTime - cpuBefore;
        Log($"{measured.Count} bids in {elapsed.TotalSeconds:0.0} s ({failed} refused); waiting for the watchers to drain");
        await WaitFor(() => measured.All(id => tracks[id].Received >= o.Watchers), TimeSpan.FromSeconds(30), ct, throwOnTimeout: false);

        var whole = new List<double>();
        var commit = new List<double>();
        var fanOut = new List<double>();
        var spread = new List<double>();
        var missing = 0L;
        var beforeResponse = 0;
        double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
        foreach (var id in measured)
        {
            var t = tracks[id];
            missing += o.Watchers - t.Received;
            commit.Add(Ms(t.Accepted - t.Sent));
            if (t.Received < o.Watchers) continue;
            var afterResponse = Ms(t.LastReceived - t.Accepted);
            if (afterResponse < 0) beforeResponse++;
            fanOut.Add(Math.Max(0, afterResponse));
            whole.Add(Ms(Math.Max(t.LastReceived, t.Accepted) - t.Sent));
            spread.Add(Ms(t.LastReceived - t.FirstReceived));
        }
        return new Result(variant, mode, measured.Count, failed, elapsed, Sorted(whole), Sorted(commit), Sorted(fanOut), Sorted(spread), missing, beforeResponse,
            watchers.Sum(w => w.OrderViolations), watchers.Sum(w => (long)w.Count), watchers.Sum(w => (long)w.Messages), cpu);
    }

    private static List<double> Sorted(List<double> list)
    {
        list.Sort();
        return list;
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

    /// <summary>Per bid (Stopwatch ticks): when it was sent (due, in open loop), its 201, the first and the last watcher's receipt.</summary>
    private sealed class Track
    {
        public long Sent;
        public long Accepted;
        public int Received;
        public long FirstReceived = long.MaxValue;
        public long LastReceived;

        public void Arrived(long at)
        {
            Interlocked.Increment(ref Received);
            long seen;
            do seen = Interlocked.Read(ref LastReceived);
            while (at > seen && Interlocked.CompareExchange(ref LastReceived, at, seen) != seen);
            do seen = Interlocked.Read(ref FirstReceived);
            while (at < seen && Interlocked.CompareExchange(ref FirstReceived, at, seen) != seen);
        }
    }

    // Only what the bench reads; both protocols skip the rest of each event.
    public sealed record BidLite(Guid Id);
    public sealed record EventLite(long Seq, string Type, BidLite? Bid);

    private sealed class Watcher
    {
        private readonly Variant _variant;
        private long _lastSeq;
        public HubConnection Hub { get; }
        public int OrderViolations;
        public int Count;
        public int Messages;

        public Watcher(Uri baseAddress, string token, ConcurrentDictionary<Guid, Track> tracks, Variant variant)
        {
            _variant = variant;
            Hub = HubClients.Build(new Uri(baseAddress, "/hubs/marketplace"), () => token, protocol: variant.Protocol);
            // Handlers run one at a time per connection, in arrival order.
            void Take(EventLite e, long at)
            {
                if (e.Seq != _lastSeq + 1) OrderViolations++;
                _lastSeq = e.Seq;
                Count++;
                if (e.Bid is { } b) tracks.GetOrAdd(b.Id, _ => new Track()).Arrived(at);
            }
            if (variant.Batched)
                Hub.On<EventLite[]>("AuctionEvents", events =>
                {
                    var at = Stopwatch.GetTimestamp();
                    Messages++;
                    foreach (var e in events) Take(e, at);
                });
            else
                foreach (var name in EventNames)
                    Hub.On<EventLite>(name, e =>
                    {
                        Messages++;
                        Take(e, Stopwatch.GetTimestamp());
                    });
        }

        public async Task StartAsync(Guid auction, CancellationToken ct)
        {
            await Hub.StartAsync(ct);
            _lastSeq = await Hub.InvokeAsync<long>(_variant.Batched ? "WatchAuctionBatched" : "WatchAuction", auction, ct);
        }

        public void ResetCounts()
        {
            OrderViolations = 0;
            Count = 0;
            Messages = 0;
        }
    }

    private sealed record Result(Variant Variant, string Mode, int Bids, int Refused, TimeSpan Elapsed, List<double> Whole, List<double> Commit, List<double> FanOut,
        List<double> Spread, long Missing, int BeforeResponse, int OrderViolations, long Deliveries, long Messages, TimeSpan ApiCpu)
    {
        /// <summary>What the Api measured itself over the phase (its /metrics, after minus before).</summary>
        public ServerHistograms? Server { get; init; }

        private static double P(List<double> l, double q) => l.Count == 0 ? double.NaN : l[Math.Clamp((int)Math.Ceiling(q * l.Count) - 1, 0, l.Count - 1)];
        private double Rate => Bids / Elapsed.TotalSeconds;

        public string OneLine() => string.Format(CultureInfo.InvariantCulture,
            "{0}: {1:0} bids/s, bid → all watchers p50 {2:0.0} / p99 {3:0.0} ms (commit wait p99 {4:0.0}, 201 → all p99 {5:0.0}), {6} missing, {7} out of order",
            Variant, Rate, P(Whole, 0.5), P(Whole, 0.99), P(Commit, 0.99), P(FanOut, 0.99), Missing, OrderViolations);

        /// <summary>bench/run-all.sh's summary line (HA_BENCH_SUMMARY; the format HealthActors.Bench's Summary reads).</summary>
        public void AppendSummary(Options o)
        {
            var path = Environment.GetEnvironmentVariable("HA_BENCH_SUMMARY");
            if (string.IsNullOrWhiteSpace(path)) return;
            var c = CultureInfo.InvariantCulture;
            var met = Rate >= 1000 && P(Whole, 0.99) < 50 && Missing == 0;
            File.AppendAllText(path, string.Join('\t',
                "marketplace", $"one hot auction, {Mode}, {o.Watchers} watchers ({Variant}): bids/s and bid → every watcher",
                string.Format(c, "{0:0}/s, p99 {1:0.0} ms, {2} missing", Rate, P(Whole, 0.99), Missing), "", "",
                "≥ 1,000 bids/s with p99 < 50 ms", met ? "met" : "**not met**") + "\n");
        }

        public static string ToMarkdown(Options o, IReadOnlyList<Result> results)
        {
            var c = CultureInfo.InvariantCulture;
            var sb = new StringBuilder();
            sb.AppendLine(c, $"{results[0].Mode}; {o.Watchers} watchers (SignalR, WebSockets); group commit {(o.GroupCommit ? "on" : "off")}; phases in run order.");
            sb.AppendLine();
            sb.AppendLine("| phase | watchers follow | bids/s | bid → all watchers p50 | p99 | commit wait (→ 201) p50 | p99 | 201 → all watchers p99 | first → last watcher p99 | messages per watcher per bid | Api CPU per bid | missing | out of order |");
            sb.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            for (var i = 0; i < results.Count; i++)
            {
                var r = results[i];
                sb.AppendLine(c, $"| {i + 1} | {r.Variant} | {r.Rate:0.0} | {P(r.Whole, 0.5):0.0} ms | {P(r.Whole, 0.99):0.0} ms | {P(r.Commit, 0.5):0.0} ms | {P(r.Commit, 0.99):0.0} ms | {P(r.FanOut, 0.99):0.0} ms | {P(r.Spread, 0.99):0.0} ms | {r.Messages / (double)Math.Max(1, (long)r.Bids * o.Watchers):0.00} | {r.ApiCpu.TotalMilliseconds / Math.Max(1, r.Bids):0.00} ms | {r.Missing} | {r.OrderViolations} |");
            }
            sb.AppendLine();
            sb.AppendLine("Inside the Api (its own histograms over each phase; a percentile is the bucket bound it falls under):");
            sb.AppendLine();
            sb.AppendLine("| phase | watchers follow | bid request in the Api, mean | p50 | p99 | auction commits | bids per commit, mean | commit duration, mean | p99 |");
            sb.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            for (var i = 0; i < results.Count; i++)
            {
                var r = results[i];
                if (r.Server is not { } m) continue;
                sb.AppendLine(c, $"| {i + 1} | {r.Variant} | {m.BidRequest.Mean:0.0} ms | ≤ {m.BidRequest.Quantile(0.5):0.#} ms | ≤ {m.BidRequest.Quantile(0.99):0.#} ms | {m.Commit.Count:0} | {m.BidsPerCommit.Mean:0.0} | {m.Commit.Mean:0.0} ms | ≤ {m.Commit.Quantile(0.99):0.#} ms |");
            }
            sb.AppendLine();
            sb.AppendLine(c, $"Bids accepted per phase: {string.Join(", ", results.Select(r => $"{r.Bids} in {r.Elapsed.TotalSeconds:0.0} s" + (r.Refused > 0 ? $" ({r.Refused} refused)" : "")))}; " +
                $"bids every watcher had before the 201 arrived (201 → all counted as 0 ms): {string.Join(", ", results.Select(r => r.BeforeResponse))}.");
            return sb.ToString();
        }
    }
}

/// <summary>
/// The Api's own view of a phase, from its Prometheus endpoint (admin token): the bid requests' duration inside the Api
/// (ASP.NET Core's http.server.request.duration for POST .../bids) and the auction's commits (duration, bids per commit).
/// Together with the bench's own timings they say whether a bid's time went to the grain and PostgreSQL or outside.
/// </summary>
public sealed record ServerHistograms(Histogram BidRequest, Histogram Commit, Histogram BidsPerCommit)
{
    public static async Task<ServerHistograms> ScrapeAsync(HttpClient http, string adminToken, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", adminToken);
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        var lines = (await response.Content.ReadAsStringAsync(ct)).Split('\n');
        return new ServerHistograms(
            // Seconds in the exporter; milliseconds here.
            Histogram.Parse(lines, "http_server_request_duration_seconds", l => l.Contains("http_request_method=\"POST\"", StringComparison.Ordinal)
                && l.Contains("/bids\"", StringComparison.Ordinal), 1000),
            Histogram.Parse(lines, "healthactors_auction_commit_duration", _ => true, 1),
            Histogram.Parse(lines, "healthactors_auction_commit_bids", _ => true, 1));
    }

    public ServerHistograms Minus(ServerHistograms before) =>
        new(BidRequest.Minus(before.BidRequest), Commit.Minus(before.Commit), BidsPerCommit.Minus(before.BidsPerCommit));
}

/// <summary>One histogram's cumulative bucket counts by upper bound, its sum and count, summed over the series that match.</summary>
public sealed record Histogram(IReadOnlyDictionary<double, double> Buckets, double Sum, double Count)
{
    public double Mean => Count == 0 ? double.NaN : Sum / Count;

    /// <summary>The upper bound of the first bucket holding the q-quantile (infinity when it is past the last bound).</summary>
    public double Quantile(double q)
    {
        if (Count == 0) return double.NaN;
        foreach (var (bound, cumulative) in Buckets.OrderBy(b => b.Key))
            if (cumulative >= q * Count) return bound;
        return double.PositiveInfinity;
    }

    public Histogram Minus(Histogram before) =>
        new(Buckets.ToDictionary(b => b.Key, b => b.Value - before.Buckets.GetValueOrDefault(b.Key)), Sum - before.Sum, Count - before.Count);

    public static Histogram Parse(string[] lines, string prefix, Func<string, bool> series, double scale)
    {
        var buckets = new Dictionary<double, double>();
        double sum = 0, count = 0;
        foreach (var line in lines)
        {
            if (!line.StartsWith(prefix, StringComparison.Ordinal) || !series(line)) continue;
            var name = line[..line.IndexOfAny(['{', ' '])];
            // "name{labels} value [timestamp]"
            var labelsEnd = line.LastIndexOf('}');
            var rest = (labelsEnd >= 0 ? line[(labelsEnd + 1)..] : line[name.Length..]).Trim();
            var value = double.Parse(rest.Split(' ')[0], CultureInfo.InvariantCulture);
            if (name.EndsWith("_bucket", StringComparison.Ordinal))
            {
                var le = line.IndexOf("le=\"", StringComparison.Ordinal) + 4;
                var text = line[le..line.IndexOf('"', le)];
                var bound = text == "+Inf" ? double.PositiveInfinity : double.Parse(text, CultureInfo.InvariantCulture) * scale;
                buckets[bound] = buckets.GetValueOrDefault(bound) + value;
            }
            else if (name.EndsWith("_sum", StringComparison.Ordinal)) sum += value * scale;
            else if (name.EndsWith("_count", StringComparison.Ordinal)) count += value;
        }
        return new Histogram(buckets, sum, count);
    }
}

/// <summary>How the watchers of a phase follow the auction.</summary>
/// <param name="EnvValue">With --api-env: the value of that variable for the Api this phase runs on ("default": unset).</param>
public sealed record Variant(HubWireProtocol Protocol, bool Batched, string? EnvValue = null, string? EnvKey = null)
{
    public override string ToString() => (Protocol == HubWireProtocol.MessagePack ? "MessagePack" : "JSON") + (Batched ? ", batched" : ", per event") +
        (EnvValue is { } v ? $", {EnvKey}={v}" : "");
}

public sealed record Options(string Api, int Bidders, int Watchers, int Bids, int Seconds, string? Out, string Log, bool GroupCommit, double? Rate, IReadOnlyList<Variant> Phases,
    string? EnvKey, List<string?> EnvValues)
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
        bool OnOff(string key, bool fallback) => map.GetValueOrDefault(key) switch
        {
            null => fallback, "on" => true, "off" => false, _ => throw new ArgumentException($"--{key} must be on or off"),
        };
        var api = map.GetValueOrDefault("api") ?? throw new ArgumentException("--api is required");
        if (!File.Exists(api)) throw new ArgumentException($"no such file: {api} (build Release first)");
        double? rate = map.TryGetValue("rate", out var rv)
            ? double.TryParse(rv, CultureInfo.InvariantCulture, out var rr) && rr is >= 1 and <= 20_000 ? rr : throw new ArgumentException("--rate must be 1..20000 bids/s")
            : null;
        // Either the one variant asked for, or the web app's way (per event, JSON) against batched MessagePack, alternated.
        List<Variant> variants = map.ContainsKey("protocol") || map.ContainsKey("batched")
            ? [new Variant(map.GetValueOrDefault("protocol", "json") switch
                {
                    "json" => HubWireProtocol.Json, "messagepack" => HubWireProtocol.MessagePack,
                    _ => throw new ArgumentException("--protocol must be json or messagepack"),
                }, OnOff("batched", false))]
            : [new Variant(HubWireProtocol.Json, false), new Variant(HubWireProtocol.MessagePack, true)];
        // --api-env KEY=a,b: one Api per value of the environment variable KEY (a setting such as Marketplace__GroupCommit,
        // or a runtime knob; "default" leaves it unset), their phases alternated in each round.
        string? envKey = null;
        List<string?> values = [null];
        if (map.TryGetValue("api-env", out var ev))
        {
            var eq = ev.IndexOf('=', StringComparison.Ordinal);
            if (eq < 1 || eq == ev.Length - 1) throw new ArgumentException("--api-env must be KEY=value1,value2, e.g. DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=default,0");
            envKey = ev[..eq];
            values = [.. ev[(eq + 1)..].Split(',')];
        }
        var rounds = Int("rounds", 1, 20);
        return new Options(Path.GetFullPath(api), Int("bidders", 20, 1000), Int("watchers", 100, 1000), Int("bids", 3000, 100_000), Int("seconds", 60, 600),
            map.GetValueOrDefault("out"), map.GetValueOrDefault("log") ?? Path.Combine(Path.GetTempPath(), $"healthactors-market-bench-{Environment.ProcessId}.log"),
            OnOff("group-commit", true), rate, [.. Enumerable.Range(0, rounds).SelectMany(_ => values.SelectMany(d => variants.Select(v => v with { EnvValue = d, EnvKey = envKey })))],
            envKey, values);
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

    public int Pid => _process.Pid;

    public static async Task<ApiProcess> StartAsync(Options o, string? envValue, string postgres, string redis, CancellationToken ct)
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
        if (o.EnvKey is { } key && envValue is not (null or "default")) env[key] = envValue;
        // One log per Api when several run side by side.
        var log = o.EnvValues.Count > 1 ? Path.ChangeExtension(o.Log, $".{o.EnvValues.IndexOf(envValue)}{Path.GetExtension(o.Log)}") : o.Log;
        var process = ChildProcess.Start("api", o.Api, ["--urls", $"http://127.0.0.1:{port}"], env, log);
        var api = new ApiProcess(process, new Uri($"http://127.0.0.1:{port}"), adminEmail, adminPassword);
        Program.Log($"Api starting on {api.BaseAddress} (pid {process.Pid}, log {log})");
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
