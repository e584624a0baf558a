using Npgsql;

namespace HealthActors.Bench;

/// <summary>The backend's own cost of a chat turn: the model answers instantly, so whatever time a turn takes is ours.</summary>
internal static class ChatBench
{
    public static async Task<int> RunAsync(string[] args, string root)
    {
        var options = BenchOptions.Parse(args, root);
        if (options is null) return args.Contains("--help") || args.Contains("-h") ? 0 : 2;
        return await BenchSession.RunAsync(root, session => MeasureAsync(session, options));
    }

    private static async Task<int> MeasureAsync(BenchSession session, BenchOptions options)
    {
        var ct = session.Token;
        var http = session.Http;
        await using var local = await LocalServer.StartAsync(ct);
        Console.WriteLine($"[bench] zero-latency model and plain endpoint on {local.BaseAddress}");

        // A session setting, so the shared server's configuration is left alone.
        var apiPostgres = options.PgAsyncCommit ? session.Postgres.TrimEnd(';') + ";Options=-c synchronous_commit=off" : session.Postgres;
        var api = await session.StartApiAsync(options.ApiDll!, apiPostgres, "api.log", new Dictionary<string, string>
        {
            ["Llm__Provider"] = "OpenAI",
            ["Llm__Endpoint"] = local.ModelEndpoint,
            ["Llm__Model"] = "bench",
            ["Llm__ApiKey"] = "bench",
        });

        var userCount = Math.Min(options.Users, options.Levels.Max());
        var users = await Accounts.RegisterAsync(http, api.BaseAddress, userCount, ct);
        Console.WriteLine($"[bench] {users.Count} users registered ({session.Wall.Elapsed.TotalSeconds:0.0} s)");

        // Every process for both paths: the Api idles during the plain runs, and the bench's own client and model work
        // is in both, so the difference is the hub path's.
        await using var benchDb = NpgsqlDataSource.Create(session.Postgres);
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

        var loadBefore = Markdown.LoadAverage();
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
                    Phase.Print("hub+grain", "turns", hubSample);
                    var plainSample = await Phase.RunAsync(level, plain.TurnAsync, warmup, slice, cpu, ct);
                    plainSamples.Add(plainSample);
                    Phase.Print("plain", "turns", plainSample);
                }
            }
            results.Add(new LevelResult(level, PhaseMeasurement.Combine(hubSamples), PhaseMeasurement.Combine(plainSamples),
                answers == 0 ? double.NaN : (double)summaries / answers));
        }

        (OpenLoopMeasurement Hub, OpenLoopMeasurement Plain)? open = null;
        if (options.OpenConversations > 0)
        {
            var n = options.OpenConversations;
            foreach (var user in users) await user.EnsureFreshAsync(http, api.BaseAddress, ct);
            var plain = new PlainLoad(plainHttp, plainEndpoint, n);
            List<OpenLoopSample> hubSamples = [], plainSamples = [];
            var openSlice = options.OpenDuration / options.Rounds;
            (long, long) ModelTime() => (local.StreamingRequests, local.StreamingTicks);
            await using (var hub = await HubLoad.OpenAsync(api.BaseAddress, users, n, ct))
            {
                Console.WriteLine($"[bench] open loop: {n} conversations, one message each every {options.OpenInterval.TotalSeconds:0.##} s, " +
                                  $"{options.Rounds} round{(options.Rounds == 1 ? "" : "s")} of {openSlice.TotalSeconds:0.#} s per path");
                for (var round = 0; round < options.Rounds; round++)
                {
                    // A warm-up of one interval, so that every conversation has sent once before the window opens.
                    var warmup = options.OpenInterval;
                    var hubSample = await OpenLoop.RunAsync(n, options.OpenInterval, hub.TurnAsync, warmup, openSlice, cpu, ModelTime, ct);
                    hubSamples.Add(hubSample);
                    OpenLoopMeasurement.Combine([hubSample]).Print("hub+grain");
                    var plainSample = await OpenLoop.RunAsync(n, options.OpenInterval, plain.TurnAsync, warmup, openSlice, cpu, ModelTime, ct);
                    plainSamples.Add(plainSample);
                    OpenLoopMeasurement.Combine([plainSample]).Print("plain");
                }
                Console.WriteLine($"    hub chunks (SignalR stream items) per answer: {hub.ChunksPerAnswer:0.0}");
            }
            open = (OpenLoopMeasurement.Combine(hubSamples), OpenLoopMeasurement.Combine(plainSamples));
        }

        Console.WriteLine();
        Console.WriteLine($"Chat turn, zero-latency model, {Markdown.Machine(options.Note)}" +
                          (options.PgAsyncCommit ? "; Api with synchronous_commit=off" : ""));
        Console.WriteLine();
        Console.Write(Report.RatioTable(results));
        Console.WriteLine();
        Console.Write(Report.Table(results));
        Console.WriteLine();
        if (open is { } o)
        {
            Console.Write(Report.OpenLoopTable(options, o.Hub, o.Plain));
            Console.WriteLine();
        }
        if (options.WriteDoc)
        {
            Report.Write(options.OutputPath!, Report.Block(options, results, open, DateTimeOffset.UtcNow, loadBefore, Markdown.LoadAverage()));
            Console.WriteLine($"[bench] results written to {options.OutputPath}");
        }
        foreach (var r in results)
        {
            Summary.Add("chat turn", $"zero-latency model, {r.Conversations} conversations (closed loop): turns/s",
                $"{Markdown.Rate(r.Hub.TurnsPerSecond)}/s, p99 {Markdown.Ms(r.Hub.P99Ms)} ms", $"plain {Markdown.Rate(r.Plain.TurnsPerSecond)}/s, p99 {Markdown.Ms(r.Plain.P99Ms)} ms",
                Markdown.N(r.Hub.TurnsPerSecond / r.Plain.TurnsPerSecond, 2), "", "");
            Summary.Add("chat turn", $"CPU per turn, {r.Conversations} conversations", $"{Markdown.Ms(r.Hub.CpuMsPerTurn)} ms", $"plain {Markdown.Ms(r.Plain.CpuMsPerTurn)} ms",
                Markdown.N(r.Hub.CpuMsPerTurn / r.Plain.CpuMsPerTurn, 1), "≤ 1 ms per turn", Summary.Verdict(r.Hub.CpuMsPerTurn <= 1.0));
        }
        if (open is { } ol)
        {
            Summary.Add("chat turn", $"open loop, {options.OpenConversations} conversations each sending every {RunOptions.Invariant(options.OpenInterval)} s: backend overhead (to the final chunk, model time taken off)",
                $"p50 {Markdown.Ms(ol.Hub.OverheadP50Ms)} ms, p99 {Markdown.Ms(ol.Hub.OverheadP99Ms)} ms, {ol.Hub.Errors} errors",
                $"plain p50 {Markdown.Ms(ol.Plain.OverheadP50Ms)} ms, p99 {Markdown.Ms(ol.Plain.OverheadP99Ms)} ms",
                Markdown.N(ol.Hub.OverheadP99Ms / ol.Plain.OverheadP99Ms, 1), "p99 < 5 ms", Summary.Verdict(ol.Hub.OverheadP99Ms < 5.0 && ol.Hub.Errors == 0));
            Summary.Add("chat turn", $"CPU per turn, open loop, {options.OpenConversations} conversations", $"{Markdown.Ms(ol.Hub.CpuMsPerTurn)} ms", $"plain {Markdown.Ms(ol.Plain.CpuMsPerTurn)} ms",
                Markdown.N(ol.Hub.CpuMsPerTurn / ol.Plain.CpuMsPerTurn, 1), "≤ 1 ms per turn", Summary.Verdict(ol.Hub.CpuMsPerTurn <= 1.0));
        }
        Console.WriteLine($"[bench] done in {session.Wall.Elapsed.TotalSeconds:0} s");
        return results.Any(r => r.Hub.Errors + r.Plain.Errors > 0) || open is { } failed && failed.Hub.Errors + failed.Plain.Errors > 0 ? 3 : 0;
    }
}
