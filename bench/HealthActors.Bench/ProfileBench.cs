using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Npgsql;
using static HealthActors.Bench.Markdown;

namespace HealthActors.Bench;

/// <summary>
/// The signed-in hot reads, GET /api/patients/me/profile and GET /api/doctors/{id}, against a plain Kestrel endpoint in
/// the bench process that serves the same bytes from memory, on up to three topologies started side by side and
/// measured in alternating windows of one run: the embedded Release Api (silo in the Api's process), the Api as an
/// Orleans client of a separate Release silo (the ./run.sh topology), and that client Api again with
/// Auth:SessionCache=false (a grain call per request for the session check, as before the cache).
/// </summary>
internal static class ProfileBench
{
    private const string Begin = "<!-- bench:profile:begin (written by bench/run-profile.sh; edits between these markers are overwritten) -->";
    private const string End = "<!-- bench:profile:end -->";

    /// <summary>The issue-15 target: at least this share of plain Kestrel's reads/s on the ./run.sh topology.</summary>
    private const double Target = 0.5;

    public static Task<int> RunAsync(string[] args, string root) => ProfileBenchOptions.RunAsync(args, root, MeasureAsync);

    private sealed record Topology(string Name, ApiProcess Api, List<BenchUser> Users, Guid Doctor, Func<TimeSpan> ServerCpu);

    private static async Task<int> MeasureAsync(BenchSession session, ProfileBenchOptions options)
    {
        var ct = session.Token;
        var http = session.Http;
        var log = Path.Combine(session.Root, ".data", "bench");
        // An admin per cluster, each new: an address known from an earlier run (or the other cluster) would not sign in.
        var adminPassword = Accounts.NewPassword();
        string NewAdmin() => $"bench-admin-{Guid.NewGuid().ToString("N")[..10]}@bench.example";
        var (embeddedAdmin, clusterAdmin) = (NewAdmin(), NewAdmin());
        Dictionary<string, string> WithAdmin(string email) => new() { ["Admin__Email"] = email, ["Admin__Password"] = adminPassword };

        // The two Apis of one cluster sign and check tokens with one key, as ./run.sh's Apis would.
        var clusterKey = ApiProcess.RandomKey(48);
        // Everything starts at once: each start is mostly waiting (JIT, schema check, cluster join).
        await using var silo = SiloProcess.Start(options.SiloDll!, session.Postgres, session.Redis, Path.Combine(log, "silo-profile.log"));
        await using var client = ApiProcess.Start(options.ApiDll!, session.Postgres, session.Redis, Path.Combine(log, "api-profile-client.log"),
            Settings(cache: true, WithAdmin(clusterAdmin), clusterKey), clientOf: silo);
        await using var uncached = options.Uncached
            ? ApiProcess.Start(options.ApiDll!, session.Postgres, session.Redis, Path.Combine(log, "api-profile-client-uncached.log"),
                Settings(cache: false, null, clusterKey), clientOf: silo)
            : null;
        await using var before = options.Before is { } beforeSettings
            ? ApiProcess.Start(options.ApiDll!, session.Postgres, session.Redis, Path.Combine(log, "api-profile-client-before.log"),
                Settings(cache: true, beforeSettings, clusterKey), clientOf: silo)
            : null;
        var embeddedStart = session.StartApiAsync(options.ApiDll!, session.Postgres, "api-profile-embedded.log", Settings(cache: true, WithAdmin(embeddedAdmin)));
        await Task.WhenAll(
            embeddedStart,
            client.WaitReadyAsync(TimeSpan.FromSeconds(120), ct),
            uncached?.WaitReadyAsync(TimeSpan.FromSeconds(120), ct) ?? Task.CompletedTask,
            before?.WaitReadyAsync(TimeSpan.FromSeconds(120), ct) ?? Task.CompletedTask);
        var embedded = await embeddedStart;
        Console.WriteLine($"[bench] embedded Api, silo (pid {silo.Pid}) and client Api{(uncached is null ? "" : "s")} ready ({session.Wall.Elapsed.TotalSeconds:0.0} s)");

        // One doctor per cluster (the two client Apis share the silo's), made by this run's admin.
        async Task<Guid> DoctorOn(Uri api, string adminEmail)
        {
            var admin = await Accounts.SignInAsync(http, api, adminEmail, adminPassword, ct);
            return (await BookingApi.CreateDoctorsAsync(http, api, admin, 1, ct))[0];
        }
        var embeddedDoctorTask = DoctorOn(embedded.BaseAddress, embeddedAdmin);
        var clusterDoctorTask = DoctorOn(client.BaseAddress, clusterAdmin);
        var embeddedUsersTask = Accounts.RegisterAsync(http, embedded.BaseAddress, options.Users, ct);
        var clusterUsersTask = Accounts.RegisterAsync(http, client.BaseAddress, options.Users, ct);
        await Task.WhenAll(embeddedDoctorTask, clusterDoctorTask, embeddedUsersTask, clusterUsersTask);
        var clusterUsers = await clusterUsersTask;
        var topologies = new List<Topology>
        {
            new("embedded (silo in the Api)", embedded, await embeddedUsersTask, await embeddedDoctorTask, () => embedded.CpuTime),
            new("./run.sh (Api → silo)", client, clusterUsers, await clusterDoctorTask, () => client.CpuTime + silo.CpuTime),
        };
        if (uncached is not null)
            topologies.Add(new("./run.sh, no session cache", uncached, clusterUsers, await clusterDoctorTask, () => uncached.CpuTime + silo.CpuTime));
        if (before is not null)
            topologies.Add(new($"./run.sh, before ({string.Join(", ", options.Before!.Select(kv => $"{kv.Key}={kv.Value}"))})", before, clusterUsers,
                await clusterDoctorTask, () => before.CpuTime + silo.CpuTime));
        Console.WriteLine($"[bench] doctors created, {options.Users} patients per cluster registered ({session.Wall.Elapsed.TotalSeconds:0.0} s)");

        // The plain endpoints serve exactly what the product answered, so both sides write the same bytes.
        var profileBytes = await GetBytesAsync(http, new Uri(embedded.BaseAddress, "/api/patients/me/profile"), topologies[0].Users[0], ct);
        var doctorBytes = await GetBytesAsync(http, new Uri(embedded.BaseAddress, $"/api/doctors/{topologies[0].Doctor}"), topologies[0].Users[0], ct);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var plain = builder.Build();
        plain.MapGet("/plain/profile", () => Results.Bytes(profileBytes, "application/json"));
        plain.MapGet("/plain/doctor", () => Results.Bytes(doctorBytes, "application/json"));
        await plain.StartAsync(ct);
        var plainBase = new Uri(plain.Urls.First());

        async Task<TurnOutcome> Send(Uri uri, BenchUser? user, CancellationToken token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            if (user is not null) request.Headers.Authorization = user.Bearer;
            using var response = await http.SendAsync(request, token);
            await response.Content.ReadAsByteArrayAsync(token);
            var at = Stopwatch.GetTimestamp();
            return response.StatusCode == HttpStatusCode.OK ? TurnOutcome.Ok(at) : TurnOutcome.Failed(await BookingLoad.DescribeAsync(response, token));
        }

        await using var benchDb = NpgsqlDataSource.Create(session.Postgres);
        // Plain runs in the bench process; its server-side CPU is the bench's own, which the meter counts anyway.
        var meters = new List<CpuMeter> { new(() => TimeSpan.Zero, benchDb) };
        var paths = new List<Phase.Path>
        {
            new("plain profile", "reads", (w, t) => Send(new Uri(plainBase, "/plain/profile"), null, t)),
            new("plain doctor", "reads", (w, t) => Send(new Uri(plainBase, "/plain/doctor"), null, t)),
        };
        var meterOfPath = new List<int> { 0, 0 };
        foreach (var topology in topologies)
        {
            meters.Add(new CpuMeter(topology.ServerCpu, benchDb));
            var profile = new Uri(topology.Api.BaseAddress, "/api/patients/me/profile");
            var doctor = new Uri(topology.Api.BaseAddress, $"/api/doctors/{topology.Doctor}");
            var users = topology.Users;
            paths.Add(new($"{topology.Name}: profile", "reads", (w, t) => Send(profile, users[w % users.Count], t)));
            paths.Add(new($"{topology.Name}: doctor", "reads", (w, t) => Send(doctor, users[w % users.Count], t)));
            meterOfPath.Add(meters.Count - 1);
            meterOfPath.Add(meters.Count - 1);
        }

        var loadBefore = LoadAverage();
        List<(int InFlight, PhaseMeasurement[] Paths)> levels;
        try
        {
            levels = await Phase.AlternateAllAsync(options, paths, i => meters[meterOfPath[i]], async level =>
            {
                foreach (var topology in topologies)
                    foreach (var user in topology.Users) await user.EnsureFreshAsync(http, topology.Api.BaseAddress, ct);
                Console.WriteLine($"[bench] {level} in flight, {paths.Count} paths, {options.Rounds} rounds");
            }, ct);
        }
        finally
        {
            foreach (var meter in meters) meter.Dispose();
        }
        var loadAfter = LoadAverage();

        var table = Table(levels, topologies);
        Console.WriteLine();
        Console.WriteLine($"Signed-in hot reads, {Machine(options.Note)}");
        Console.WriteLine();
        Console.Write(table);
        if (options.WriteDoc)
        {
            var block = new StringBuilder()
                .AppendLine(Begin)
                .AppendLine(MeasuredLine(DateTimeOffset.UtcNow, options.Note, loadBefore, loadAfter))
                .AppendLine()
                .AppendLine(ReproduceBlock(options.ReproduceCommand()))
                .AppendLine($"{options.Duration.TotalSeconds:0.#} s measured per level and path, the {paths.Count} paths alternating in {options.Rounds} rounds, " +
                            $"each after a warm-up ({options.Warmup.TotalSeconds:0.#} s in the first round, at most 1 s after); {options.Users} signed-in patients per cluster. " +
                            "CPU ms/read is the processor time of the processes serving the path (the Api, plus the silo on ./run.sh), of the bench process and of the " +
                            "PostgreSQL backends, per read; for plain it is the bench process alone, which also runs the client.")
                .AppendLine()
                .Append(table)
                .Append(End)
                .ToString();
            WriteBlock(options.OutputPath!, Begin, End, "Signed-in profile read (session cache)", block);
            Console.WriteLine($"[bench] results written to {options.OutputPath}");
        }
        foreach (var (inFlight, m) in levels)
        {
            for (var t = 0; t < topologies.Count; t++)
            {
                foreach (var (read, plainIndex) in new[] { ("profile", 0), ("doctor", 1) })
                {
                    var ours = m[2 + 2 * t + plainIndex];
                    var baseline = m[plainIndex];
                    var ratio = ours.TurnsPerSecond / baseline.TurnsPerSecond;
                    var onRunSh = t == 1;
                    Summary.Add("hot read", $"{topologies[t].Name}, signed-in {(read == "profile" ? "GET /api/patients/me/profile" : "GET /api/doctors/{id}")}, {inFlight} in flight",
                        $"{Rate(ours.TurnsPerSecond)}/s, p99 {Ms(ours.P99Ms)} ms", $"plain Kestrel {Rate(baseline.TurnsPerSecond)}/s, p99 {Ms(baseline.P99Ms)} ms",
                        N(ratio, 2), onRunSh ? $"≥ {Target:0.0} of plain on ./run.sh" : "", onRunSh ? Summary.Verdict(ratio >= Target) : "(for comparison)");
                }
            }
        }
        Console.WriteLine($"[bench] done in {session.Wall.Elapsed.TotalSeconds:0} s");
        return levels.Any(l => l.Paths.Any(p => p.Errors > 0)) ? 3 : 0;
    }

    private static Dictionary<string, string> Settings(bool cache, Dictionary<string, string>? extra, string? signingKey = null)
    {
        var settings = new Dictionary<string, string> { ["Catalog__SeedDemo"] = "false", ["Auth__SessionCache"] = cache ? "true" : "false" };
        if (signingKey is not null) settings["Jwt__SigningKey"] = signingKey;
        foreach (var (key, value) in extra ?? new Dictionary<string, string>()) settings[key] = value;
        return settings;
    }

    private static async Task<byte[]> GetBytesAsync(HttpClient http, Uri uri, BenchUser user, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = user.Bearer;
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync(ct);
    }

    private static string Table(List<(int InFlight, PhaseMeasurement[] Paths)> levels, List<Topology> topologies)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| topology | read (signed-in) | in flight | ours/plain reads/s | reads/s ours | reads/s plain | p50 ms ours | p99 ms ours | p99 ms plain | CPU ms/read ours | CPU ms/read plain | errors |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (inFlight, m) in levels)
        {
            for (var t = 0; t < topologies.Count; t++)
            {
                foreach (var (read, i) in new[] { ("`GET /api/patients/me/profile`", 0), ("`GET /api/doctors/{id}`", 1) })
                {
                    var o = m[2 + 2 * t + i];
                    var p = m[i];
                    sb.AppendLine($"| {topologies[t].Name} | {read} | {inFlight} | **{N(o.TurnsPerSecond / p.TurnsPerSecond, 2)}** | {Rate(o.TurnsPerSecond)} | {Rate(p.TurnsPerSecond)} | " +
                                  $"{Ms(o.P50Ms)} | {Ms(o.P99Ms)} | {Ms(p.P99Ms)} | {Ms(o.CpuMsPerTurn)} | {Ms(p.CpuMsPerTurn)} | {o.Errors + p.Errors} |");
                }
            }
        }
        return sb.ToString();
    }
}
