using System.Diagnostics;
using System.Net;
using System.Text;
using Npgsql;
using static HealthActors.Bench.Markdown;

namespace HealthActors.Bench;

/// <summary>
/// What authentication costs per request: the same hot read (GET /api/doctors/{id}, answered from an active
/// doctor grain) sent anonymously and with a patient's access token, alternating in time. The difference is
/// the JWT check plus the per-request session check (AccountGrain.IsSessionValid) the token triggers.
/// </summary>
internal static class AuthBench
{
    public static Task<int> RunAsync(string[] args, string root) => BookingBenchOptions.RunAsync(args, root, MeasureAsync);

    private static async Task<int> MeasureAsync(BenchSession session, BookingBenchOptions options)
    {
        var ct = session.Token;
        var http = session.Http;
        var (api, doctors) = await BookingBench.StartWithDoctorsAsync(session, options, "api-auth.log");
        var baseAddress = api.BaseAddress;
        var users = await Accounts.RegisterAsync(http, baseAddress, options.Levels.Max(), ct);
        Console.WriteLine($"[bench] {doctors.Length} doctors, {users.Count} signed-in users ({session.Wall.Elapsed.TotalSeconds:0.0} s)");
        var reads = doctors.Select(d => new Uri(baseAddress, $"/api/doctors/{d}")).ToArray();

        async Task<TurnOutcome> Read(int worker, BenchUser? user, CancellationToken token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, reads[worker % reads.Length]);
            if (user is not null) request.Headers.Authorization = user.Bearer;
            using var response = await http.SendAsync(request, token);
            var at = Stopwatch.GetTimestamp();
            return response.StatusCode == HttpStatusCode.OK ? TurnOutcome.Ok(at) : TurnOutcome.Failed(await BookingLoad.DescribeAsync(response, token));
        }
        Task<TurnOutcome> Anonymous(int worker, CancellationToken token) => Read(worker, null, token);
        Task<TurnOutcome> Authenticated(int worker, CancellationToken token) => Read(worker, users[worker % users.Count], token);

        await using var benchDb = NpgsqlDataSource.Create(session.Postgres);
        using var cpu = new CpuMeter(api, benchDb);
        var levels = await Phase.AlternateAsync(options,
            new Phase.Path("anonymous", "reads", Anonymous), new Phase.Path("signed-in", "reads", Authenticated),
            async level =>
            {
                foreach (var user in users) await user.EnsureFreshAsync(http, baseAddress, ct);
                Console.WriteLine($"[bench] {level} in flight, {options.Rounds} round{(options.Rounds == 1 ? "" : "s")}");
            }, cpu, ct);

        var sb = new StringBuilder();
        sb.AppendLine("| in flight | throughput anonymous/signed-in | p50 signed-in/anonymous | p99 signed-in/anonymous | CPU per request signed-in/anonymous | reads/s anonymous | reads/s signed-in | errors |");
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (inFlight, a, b) in levels)
            sb.AppendLine($"| {inFlight} | {Ratio(a.TurnsPerSecond, b.TurnsPerSecond)} | {Ratio(b.P50Ms, a.P50Ms)} | {Ratio(b.P99Ms, a.P99Ms)} | " +
                          $"{Ratio(b.CpuMsPerTurn, a.CpuMsPerTurn)} | {Rate(a.TurnsPerSecond)} | {Rate(b.TurnsPerSecond)} | {a.Errors + b.Errors} |");
        Console.WriteLine();
        Console.WriteLine($"Authentication per request, {Machine(options.Note)}");
        Console.WriteLine();
        Console.Write(sb.ToString());
        foreach (var (inFlight, a, b) in levels)
            Summary.Add("authentication", $"`GET /api/doctors/{{id}}` signed-in vs anonymous (embedded), {inFlight} in flight",
                $"{Rate(b.TurnsPerSecond)}/s, p99 {Ms(b.P99Ms)} ms", $"anonymous {Rate(a.TurnsPerSecond)}/s, p99 {Ms(a.P99Ms)} ms",
                N(b.TurnsPerSecond / a.TurnsPerSecond, 2), "", "");
        Console.WriteLine($"[bench] done in {session.Wall.Elapsed.TotalSeconds:0} s");
        return levels.Any(l => l.A.Errors + l.B.Errors > 0) ? 3 : 0;
    }
}
