using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HealthActors.TestKit;
using Npgsql;
using NpgsqlTypes;

namespace HealthActors.RecordsBench;

/// <summary>
/// Health record benchmark. (1) Record writes from many patients through the real path (HTTP -> Api -> records
/// grain -> duplicate check -> append in PostgreSQL), against plain Npgsql inserts of the same rows with the same
/// concurrency in the same run. (2) One patient with --big records over a year: the 90-day range query (first
/// page and a walk through every page) and the insights call, p50/p99.
/// </summary>
public static class Program
{
    public static void Log(string message) => Console.Error.WriteLine($"[records-bench {DateTime.UtcNow:HH:mm:ss}] {message}");

    public static async Task<int> Main(string[] args)
    {
        var o = Options.Parse(args);
        var postgres = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres");
        var redis = Environment.GetEnvironmentVariable("ConnectionStrings__Redis");
        if (postgres is null || redis is null)
        {
            Console.Error.WriteLine("ConnectionStrings__Postgres and ConnectionStrings__Redis must be set: run through bench/run-records.sh.");
            return 2;
        }
        await using var api = await ApiProcess.StartAsync(o, postgres, redis);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        var driver = new ApiDriver(http);
        await using var db = NpgsqlDataSource.Create(postgres);
        var rows = new List<string[]>();

        // ---- writes: grain path vs plain inserts ----
        Log($"registering {o.Patients} patients");
        var patients = new TestUser[o.Patients];
        await Parallel.ForAsync(0, o.Patients, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) => patients[i] = await driver.RegisterAsync(ct: ct));
        var now = DateTimeOffset.UtcNow;
        string Body(int p, int n) => $$"""{"type":"heart-rate","value":{{60 + (p * 7 + n) % 60}},"recordedAt":"{{Iso(now.AddMinutes(-10 * n - 1))}}"}""";
        var total = o.Patients * o.WritesPerPatient;

        // A short warm-up so JIT and connection pools are not part of either measurement.
        await Parallel.ForAsync(0, o.Patients, async (p, ct) => await PostRecord(http, patients[p], $$"""{"type":"spo2","value":98,"recordedAt":"{{Iso(now.AddDays(-1))}}"}"""));
        var grainLatencies = new ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, o.Patients, new ParallelOptions { MaxDegreeOfParallelism = o.Patients }, async (p, ct) =>
        {
            for (var n = 0; n < o.WritesPerPatient; n++)
            {
                var t = Stopwatch.GetTimestamp();
                await PostRecord(http, patients[p], Body(p, n));
                grainLatencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
        });
        var grainSeconds = clock.Elapsed.TotalSeconds;
        Log($"grain path: {total} records in {grainSeconds:0.0} s");

        var plainPatients = Enumerable.Range(0, o.Patients).Select(_ => Guid.NewGuid()).ToArray();
        var plainLatencies = new ConcurrentBag<double>();
        clock.Restart();
        await Parallel.ForAsync(0, o.Patients, new ParallelOptions { MaxDegreeOfParallelism = o.Patients }, async (p, ct) =>
        {
            for (var n = 0; n < o.WritesPerPatient; n++)
            {
                var t = Stopwatch.GetTimestamp();
                await PlainInsert(db, plainPatients[p], Body(p, n));
                plainLatencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
        });
        var plainSeconds = clock.Elapsed.TotalSeconds;
        Log($"plain Npgsql: {total} rows in {plainSeconds:0.0} s");
        rows.Add(["writes, grain path (HTTP, 1 record/request)", $"{total / grainSeconds:0}/s", Ms(grainLatencies, 50), Ms(grainLatencies, 99), $"{total} records, {o.Patients} patients"]);
        rows.Add(["writes, plain Npgsql INSERT", $"{total / plainSeconds:0}/s", Ms(plainLatencies, 50), Ms(plainLatencies, 99), "same rows, same concurrency"]);
        rows.Add(["ratio grain / plain", $"{plainSeconds / grainSeconds:0.00}", "", "", ""]);

        // ---- one patient with a big record ----
        var big = await driver.RegisterAsync();
        Log($"seeding {o.Big} records for one patient through the batch endpoint");
        clock.Restart();
        var batches = (o.Big + 499) / 500;
        await Parallel.ForAsync(0, batches, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (b, ct) =>
        {
            // One kind per batch call; a year of records, newest a minute ago, the kinds interleaved.
            var kind = (b % 10) switch { < 7 => "vitals", 7 => "water", 8 => "exercise", _ => "sleep" };
            var items = new StringBuilder("{\"items\":[");
            for (var i = 0; i < 500 && b * 500 + i < o.Big; i++)
            {
                var at = now.AddMinutes(-1 - (long)(b * 500 + i) * 525_600 / o.Big);
                if (i > 0) items.Append(',');
                items.Append(Seed(kind, b * 500 + i, at));
            }
            items.Append("]}");
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/patients/me/records/{kind}/batch?allowDuplicate=true")
            {
                Content = new StringContent(items.ToString(), Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new("Bearer", big.Tokens.AccessToken);
            using var response = await http.SendAsync(request, ct);
            if (response.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"batch: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        });
        var seedSeconds = clock.Elapsed.TotalSeconds;
        rows.Add(["writes, batch endpoint (500/request)", $"{o.Big / seedSeconds:0}/s", "", "", $"{o.Big} records of one patient (seed)"]);

        var from = Iso(now.AddDays(-90));
        var to = Iso(now);
        var firstPage = await Measure(o.Queries, () => Get(http, big, $"/api/patients/me/records/vitals?from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}&limit=200"));
        rows.Add(["90-day range, first page (200 vitals)", "", Ms(firstPage, 50), Ms(firstPage, 99), $"{o.Queries} calls"]);
        var pageLatencies = new List<double>();
        var walked = 0;
        clock.Restart();
        string? cursor = null;
        do
        {
            var t = Stopwatch.GetTimestamp();
            var page = await Get(http, big, $"/api/patients/me/records/vitals?from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}&limit=200"
                + (cursor is null ? "" : $"&cursor={cursor}"));
            pageLatencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            walked += page["items"]!.AsArray().Count;
            cursor = (string?)page["nextCursor"];
        } while (cursor is not null);
        rows.Add(["90-day range, every page (keyset)", $"{clock.Elapsed.TotalMilliseconds:0} ms", Ms(pageLatencies, 50), Ms(pageLatencies, 99), $"{walked} vitals in {pageLatencies.Count} pages"]);

        foreach (var days in new[] { 90, 7 })
        {
            var insights = await Measure(o.Queries, () => Get(http, big, $"/api/patients/me/insights?days={days}"));
            rows.Add([$"insights days={days}", "", Ms(insights, 50), Ms(insights, 99), $"{o.Queries} calls"]);
        }
        var summary = await Measure(o.Queries, () => Get(http, big, "/api/patients/me/insights/summary"));
        rows.Add(["day summary (today)", "", Ms(summary, 50), Ms(summary, 99), $"{o.Queries} calls"]);

        var table = new StringBuilder();
        table.AppendLine($"records bench: {o.Patients} patients x {o.WritesPerPatient} writes, one patient with {o.Big} records, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        table.AppendLine();
        table.AppendLine("| measurement | rate / total | p50 ms | p99 ms | notes |");
        table.AppendLine("| --- | ---: | ---: | ---: | --- |");
        foreach (var r in rows) table.AppendLine($"| {string.Join(" | ", r)} |");
        // bench/run-all.sh's summary line (HA_BENCH_SUMMARY; the format HealthActors.Bench's Summary reads).
        if (Environment.GetEnvironmentVariable("HA_BENCH_SUMMARY") is { Length: > 0 } summaryPath)
            await File.AppendAllTextAsync(summaryPath, string.Join('\t', "health records",
                $"single-record writes, {o.Patients} patients at once: grain path (HTTP, JWT, grain, duplicate check, insert) vs plain INSERT",
                $"{total / grainSeconds:0}/s, p99 {Ms(grainLatencies, 99)} ms", $"plain {total / plainSeconds:0}/s, p99 {Ms(plainLatencies, 99)} ms",
                $"{plainSeconds / grainSeconds:0.00}", "", "") + "\n");
        Console.WriteLine(table.ToString());
        if (o.Out is not null) await File.WriteAllTextAsync(o.Out, table.ToString());
        return 0;
    }

    private static string Seed(string kind, int n, DateTimeOffset at) => kind switch
    {
        "vitals" => (n % 4) switch
        {
            0 => $$"""{"type":"heart-rate","value":{{55 + n % 50}},"recordedAt":"{{Iso(at)}}"}""",
            1 => $$"""{"type":"blood-pressure","systolic":{{105 + n % 40}},"diastolic":{{65 + n % 25}},"recordedAt":"{{Iso(at)}}"}""",
            2 => $$"""{"type":"glucose","value":{{4 + n % 5}}.{{n % 10}},"unit":"mmol/L","recordedAt":"{{Iso(at)}}"}""",
            _ => $$"""{"type":"spo2","value":{{92 + n % 8}},"recordedAt":"{{Iso(at)}}"}""",
        },
        "water" => $$"""{"ml":{{150 + n % 300}},"recordedAt":"{{Iso(at)}}"}""",
        "exercise" => $$"""{"type":"walking","minutes":{{10 + n % 50}},"intensity":"low","recordedAt":"{{Iso(at)}}"}""",
        _ => $$"""{"start":"{{Iso(at.AddHours(-7))}}","end":"{{Iso(at)}}","quality":{{1 + n % 10}},"recordedAt":"{{Iso(at)}}"}""",
    };

    private static string Iso(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static async Task PostRecord(HttpClient http, TestUser user, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/patients/me/records/vitals") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", user.Tokens.AccessToken);
        using var response = await http.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"write: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The row the grain would append for this body, inserted directly: the floor the grain path is compared to.</summary>
    private static async Task PlainInsert(NpgsqlDataSource db, Guid patientId, string body)
    {
        var json = JsonNode.Parse(body)!.AsObject();
        var at = DateTimeOffset.Parse((string)json["recordedAt"]!, CultureInfo.InvariantCulture);
        var payload = new JsonObject { ["value"] = json["value"]!.GetValue<decimal>(), ["unit"] = "bpm" }.ToJsonString();
        await using var cmd = db.CreateCommand("""
            INSERT INTO health_records (record_id, version, patient_id, kind, type, recorded_at, payload, note, deleted, created_at)
            VALUES ($1, 1, $2, 'vitals', 'heart-rate', $3, $4, NULL, false, now())
            """);
        cmd.Parameters.AddWithValue(Guid.NewGuid());
        cmd.Parameters.AddWithValue(patientId);
        cmd.Parameters.AddWithValue(at.UtcDateTime);
        cmd.Parameters.Add(new NpgsqlParameter { Value = payload, NpgsqlDbType = NpgsqlDbType.Jsonb });
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<JsonObject> Get(HttpClient http, TestUser user, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Bearer", user.Tokens.AccessToken);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>One call to warm up, then <paramref name="count"/> sequential calls timed one by one.</summary>
    private static async Task<List<double>> Measure(int count, Func<Task> call)
    {
        await call();
        var list = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var t = Stopwatch.GetTimestamp();
            await call();
            list.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
        return list;
    }

    private static string Ms(IEnumerable<double> samples, int percentile)
    {
        var sorted = samples.Order().ToArray();
        if (sorted.Length == 0) return "";
        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)].ToString("0.0", CultureInfo.InvariantCulture);
    }
}

public sealed record Options(string Api, int Patients, int WritesPerPatient, int Big, int Queries, string? Out, string Log)
{
    public static Options Parse(string[] args)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length) throw new ArgumentException($"unexpected argument: {args[i]}");
            map[args[i][2..]] = args[i + 1];
        }
        int Int(string key, int fallback) => map.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new Options(Path.GetFullPath(map.GetValueOrDefault("api") ?? throw new ArgumentException("--api is required")),
            Int("patients", 50), Int("writes", 40), Int("big", 100_000), Int("queries", 100), map.GetValueOrDefault("out"),
            map.GetValueOrDefault("log") ?? Path.Combine(Path.GetTempPath(), $"healthactors-records-bench-{Environment.ProcessId}.log"));
    }
}

/// <summary>The Api as a child process through the test kit's launcher: embedded silo, its own cluster and service ids, loopback ports.</summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;
    public Uri BaseAddress { get; }

    private ApiProcess(ChildProcess process, Uri baseAddress) => (_process, BaseAddress) = (process, baseAddress);

    public static async Task<ApiProcess> StartAsync(Options o, string postgres, string redis)
    {
        var port = FreePort.Next();
        var id = Guid.NewGuid().ToString("N")[..12];
        var env = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["Orleans__Mode"] = "Embedded",
            ["Orleans__ClusterId"] = "records-bench-" + id,
            ["Orleans__ServiceId"] = "records-bench-" + id,
            ["Orleans__SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["ConnectionStrings__Postgres"] = postgres,
            ["ConnectionStrings__Redis"] = redis,
            ["Jwt__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
            ["Admin__Email"] = $"bench.admin.{id}@bench.example.org",
            ["Admin__Password"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)),
            ["RateLimiting__AuthPermitsPerWindow"] = "1000000",
            // Bench patients write far faster than people; the per-user limit is not what is measured.
            ["RateLimiting__UserRequestsPerMinute"] = "100000000",
            ["Catalog__SeedDemo"] = "false",
            ["Api__DataDirectory"] = Path.Combine(Path.GetTempPath(), "healthactors-records-bench-" + id),
            ["Logging__LogLevel__Default"] = "Warning",
        };
        var process = ChildProcess.Start("api", o.Api, ["--urls", $"http://127.0.0.1:{port}"], env, o.Log);
        var api = new ApiProcess(process, new Uri($"http://127.0.0.1:{port}"));
        Program.Log($"Api starting on {api.BaseAddress} (pid {process.Pid}, log {o.Log})");
        try
        {
            await process.WaitReadyAsync(new Uri(api.BaseAddress, "/health/ready"), TimeSpan.FromSeconds(120), CancellationToken.None);
        }
        catch
        {
            await api.DisposeAsync();
            throw;
        }
        return api;
    }

    public async ValueTask DisposeAsync()
    {
        try { await _process.KillAsync(); }
        catch (TimeoutException e) { Console.Error.WriteLine(e.Message); }
        await _process.DisposeAsync();
    }
}
