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
/// The signed-in hot read, GET /api/patients/me/profile, against a plain Kestrel endpoint in the bench process that
/// serves the same bytes from memory, for two Api processes started side by side: one with the per-node session
/// cache (after) and one asking the account grain on every request (Auth:SessionCache=false, before).
/// </summary>
internal static class ProfileBench
{
    public static Task<int> RunAsync(string[] args, string root) => BookingBenchOptions.RunAsync(args, root, MeasureAsync);

    private static async Task<int> MeasureAsync(BenchSession session, BookingBenchOptions options)
    {
        var ct = session.Token;
        var http = session.Http;
        var after = await session.StartApiAsync(options.ApiDll!, session.Postgres, "api-profile-after.log",
            new Dictionary<string, string> { ["Catalog__SeedDemo"] = "false", ["Auth__SessionCache"] = "true" });
        await using var before = ApiProcess.Start(options.ApiDll!, session.Postgres, session.Redis,
            Path.Combine(session.Root, ".data", "bench", "api-profile-before.log"),
            new Dictionary<string, string> { ["Catalog__SeedDemo"] = "false", ["Auth__SessionCache"] = "false" });
        await before.WaitReadyAsync(TimeSpan.FromSeconds(120), ct);
        var n = options.Levels.Max();
        var usersAfter = await Accounts.RegisterAsync(http, after.BaseAddress, n, ct);
        var usersBefore = await Accounts.RegisterAsync(http, before.BaseAddress, n, ct);

        using var probe = new HttpRequestMessage(HttpMethod.Get, new Uri(after.BaseAddress, "/api/patients/me/profile"));
        probe.Headers.Authorization = usersAfter[0].Bearer;
        using var probed = await http.SendAsync(probe, ct);
        probed.EnsureSuccessStatusCode();
        var bytes = await probed.Content.ReadAsByteArrayAsync(ct);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var plain = builder.Build();
        plain.MapGet("/plain/profile", () => Results.Bytes(bytes, "application/json"));
        await plain.StartAsync(ct);
        var plainUri = new Uri(plain.Urls.First() + "/plain/profile");

        async Task<TurnOutcome> Send(Uri uri, BenchUser? user, CancellationToken token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            if (user is not null) request.Headers.Authorization = user.Bearer;
            using var response = await http.SendAsync(request, token);
            await response.Content.ReadAsByteArrayAsync(token);
            var at = Stopwatch.GetTimestamp();
            return response.StatusCode == HttpStatusCode.OK ? TurnOutcome.Ok(at) : TurnOutcome.Failed(await BookingLoad.DescribeAsync(response, token));
        }
        var afterUri = new Uri(after.BaseAddress, "/api/patients/me/profile");
        var beforeUri = new Uri(before.BaseAddress, "/api/patients/me/profile");

        await using var benchDb = NpgsqlDataSource.Create(session.Postgres);
        var rows = new List<(string Path, int InFlight, PhaseMeasurement Plain, PhaseMeasurement Ours)>();
        foreach (var (name, api, uri, users) in new[] { ("before (grain call per request)", before, beforeUri, usersBefore), ("after (per-node cache)", after, afterUri, usersAfter) })
        {
            using var cpu = new CpuMeter(api, benchDb);
            var levels = await Phase.AlternateAsync(options,
                new Phase.Path("plain", "reads", (w, t) => Send(plainUri, null, t)),
                new Phase.Path(name, "reads", (w, t) => Send(uri, users[w % users.Count], t)),
                async level =>
                {
                    foreach (var user in users) await user.EnsureFreshAsync(http, api.BaseAddress, ct);
                    Console.WriteLine($"[bench] {name}: {level} in flight");
                }, cpu, ct);
            rows.AddRange(levels.Select(l => (name, l.InFlight, l.A, l.B)));
        }

        var sb = new StringBuilder();
        sb.AppendLine("| path | in flight | ours/plain throughput | reads/s plain | reads/s ours | p50 ms ours | p99 ms ours | errors |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (path, inFlight, p, o) in rows)
            sb.AppendLine($"| {path} | {inFlight} | {o.TurnsPerSecond / p.TurnsPerSecond:0.00} | {Rate(p.TurnsPerSecond)} | {Rate(o.TurnsPerSecond)} | {o.P50Ms:0.00} | {o.P99Ms:0.00} | {p.Errors + o.Errors} |");
        Console.WriteLine();
        Console.WriteLine($"Signed-in profile read, {Machine(options.Note)}");
        Console.WriteLine();
        Console.Write(sb.ToString());
        return rows.Any(r => r.Plain.Errors + r.Ours.Errors > 0) ? 3 : 0;
    }
}
