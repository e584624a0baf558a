using System.Diagnostics;
using System.Globalization;
using System.Text;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Abstractions.Patients;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using static HealthActors.Bench.Markdown;

namespace HealthActors.Bench;

/// <summary>Options of the idle-activation bench (bench/run-idle.sh).</summary>
internal sealed class IdleBenchOptions : RunOptions
{
    public int Grains { get; private set; } = 100_000;
    public int Step { get; private set; } = 10_000;
    public int Concurrency { get; private set; } = 64;
    public int Samples { get; private set; } = 500;
    /// <summary>GC heap hard limit of the second silo, which shows shedding under memory pressure; 0 skips that run.</summary>
    public int ShedHeapMb { get; private set; } = 192;
    /// <summary>Activations asked of the capped silo; 0: as many as <see cref="Grains"/>.</summary>
    public int ShedGrains { get; private set; }
    public string? SiloDll { get; private set; }

    protected override int MaxLevel => 1;

    protected override string Usage => string.Join('\n', """
        usage: bench/run-idle.sh [options]   (or dotnet HealthActors.Bench.dll idle [options] with the connection strings set)
          defaults: --grains 100000 --step 10000 --concurrency 64 --samples 500 --shed-heap-mb 192
          --grains N        patient grains to activate in the silo (each a fresh id: activation plus an empty state read)
          --step N          silo memory is read (after a forced GC) every N activations
          --concurrency N   activation calls in flight during the bulk phase
          --samples N       activations timed one at a time, before and after the bulk phase (the cold-activation latency)
          --shed-heap-mb M  then a second silo with a GC heap hard limit of M MB gets the same load, to show the
                            memory-pressure shedding at work; 0 skips it
          --shed-grains N   activations asked of that silo (default: as many as --grains)
          --silo FILE       the silo dll (default src/Silo/bin/Release/net10.0/HealthActors.Silo.dll)
          --out FILE / --no-doc / --note TEXT as for the other benches
        """, "Environment: ConnectionStrings__Postgres and ConnectionStrings__Redis (bench/run-idle.sh provides them).");

    protected override bool ApplyOwn(string name, Func<string> next)
    {
        switch (name)
        {
            case "--grains": Grains = Bounded(next(), 1000, 1_000_000, "--grains"); return true;
            case "--step": Step = Bounded(next(), 100, 1_000_000, "--step"); return true;
            case "--concurrency": Concurrency = Bounded(next(), 1, 1024, "--concurrency"); return true;
            case "--samples": Samples = Bounded(next(), 10, 100_000, "--samples"); return true;
            case "--shed-heap-mb": ShedHeapMb = Bounded(next(), 0, 65536, "--shed-heap-mb"); return true;
            case "--shed-grains": ShedGrains = Bounded(next(), 0, 1_000_000, "--shed-grains"); return true;
            case "--silo": SiloDll = Path.GetFullPath(next()); return true;
            default: return false;
        }
    }

    public static async Task<int> RunAsync(string[] args, string root, Func<BenchSession, IdleBenchOptions, Task<int>> measure)
    {
        var o = new IdleBenchOptions { RepositoryRoot = root };
        if (!o.Parse(args)) return args.Contains("--help") || args.Contains("-h") ? 0 : 2;
        o.SiloDll ??= Path.Combine(root, "src", "Silo", "bin", "Release", "net10.0", "HealthActors.Silo.dll");
        return await BenchSession.RunAsync(root, session => measure(session, o));
    }

    public string ReproduceCommand() =>
        $"bench/run-idle.sh --grains {Grains} --step {Step} --concurrency {Concurrency} --samples {Samples} --shed-heap-mb {ShedHeapMb}{(ShedGrains > 0 ? $" --shed-grains {ShedGrains}" : "")}";
}

/// <summary>
/// Idle patient activations in a separate Release silo process (PostgreSQL storage, Redis clustering, as ./run.sh runs
/// it): what each costs in silo memory, how long a cold activation takes, and what the memory-pressure shedding does.
/// The bench is an Orleans client of that silo and calls <c>IPatientGrain.GetProfile</c> as the patient, once per new id:
/// an activation, an (empty) state read from PostgreSQL and the answer; the grain then stays idle.
/// </summary>
internal static class IdleBench
{
    private const string Begin = "<!-- bench:idle:begin (written by bench/run-idle.sh; edits between these markers are overwritten) -->";
    private const string End = "<!-- bench:idle:end -->";
    private const double Mb = 1024 * 1024;
    private const double TargetWorkingSetMb = 1024;
    private const double TargetColdP99Ms = 10;

    public static Task<int> RunAsync(string[] args, string root) => IdleBenchOptions.RunAsync(args, root, MeasureAsync);

    private sealed record Snapshot(int Activations, long WorkingSet, long GcHeap, double Seconds);

    private static async Task<int> MeasureAsync(BenchSession session, IdleBenchOptions options)
    {
        var ct = session.Token;
        var logDir = Path.Combine(session.Root, ".data", "bench");
        var loadBefore = LoadAverage();

        await using var silo = SiloProcess.Start(options.SiloDll!, session.Postgres, session.Redis, Path.Combine(logDir, "silo-idle.log"));
        using var host = await ConnectAsync(silo, session.Redis, ct);
        var client = host.Services.GetRequiredService<IClusterClient>();
        Console.WriteLine($"[bench] silo (pid {silo.Pid}) joined ({session.Wall.Elapsed.TotalSeconds:0.0} s)");
        var errors = new ErrorCount();

        // JIT, the storage provider's queries and connection pool, before anything is counted.
        await ActivateAsync(client, 500, 8, errors, ct);
        var start = await SnapshotAsync(client, silo, session.Wall);
        Console.WriteLine($"[bench] baseline: {start.Activations} activations, working set {start.WorkingSet / Mb:0} MB, GC heap {start.GcHeap / Mb:0.0} MB");

        var coldFirst = await ActivateAsync(client, options.Samples, 1, errors, ct);
        var rows = new List<(Snapshot Snap, double Rate)>();
        var activated = 0;
        var bulk = new List<double>();
        while (activated < options.Grains)
        {
            var batch = Math.Min(options.Step, options.Grains - activated);
            var clock = Stopwatch.StartNew();
            bulk.AddRange(await ActivateAsync(client, batch, options.Concurrency, errors, ct));
            var rate = batch / clock.Elapsed.TotalSeconds;
            activated += batch;
            var snap = await SnapshotAsync(client, silo, session.Wall);
            rows.Add((snap, rate));
            Console.WriteLine($"    {snap.Activations,8} activations  working set {snap.WorkingSet / Mb,6:0} MB  GC heap {snap.GcHeap / Mb,6:0.0} MB  {rate,6:0}/s  errors {errors.Count}");
        }
        var coldLast = await ActivateAsync(client, options.Samples, 1, errors, ct);
        var warm = await WarmCallsAsync(client, options.Samples, errors, ct);
        var end = await SnapshotAsync(client, silo, session.Wall);
        bulk.Sort();
        coldFirst.Sort();
        coldLast.Sort();
        warm.Sort();

        var shed = options.ShedHeapMb > 0 ? await ShedAsync(session, options, logDir, ct) : null;
        var loadAfter = LoadAverage();

        var added = end.Activations - start.Activations;
        double Per10k(long before, long after) => added <= 0 ? double.NaN : (after - before) / Mb / added * 10_000;
        var wsPer10k = Per10k(start.WorkingSet, end.WorkingSet);
        var heapPer10k = Per10k(start.GcHeap, end.GcHeap);
        var coldP99 = Math.Max(Pct(coldFirst, 0.99), Pct(coldLast, 0.99));

        var sb = new StringBuilder();
        sb.AppendLine($"Silo: Release, {(options.Grains >= 100_000 ? "" : $"**{options.Grains:N0} activations only** (fewer than the target's 100,000), ")}"
                      + "workstation GC (the silo's default), PostgreSQL storage, Redis clustering, the dashboard's collectors on. Memory read after a forced full GC "
                      + "(`IManagementGrain.ForceGarbageCollection`): working set is the process's VmRSS, GC heap is the live heap plus fragmentation as Orleans "
                      + "reports it (`EnvironmentStatistics.RawMemoryUsageBytes`).");
        sb.AppendLine();
        sb.AppendLine("| patient activations in the silo | working set MB | GC heap MB | activations/s in the step before |");
        sb.AppendLine("|---:|---:|---:|---:|");
        sb.AppendLine($"| {start.Activations:N0} (baseline) | {start.WorkingSet / Mb:0} | {start.GcHeap / Mb:0.0} | |");
        foreach (var (s, rate) in rows)
            sb.AppendLine($"| {s.Activations:N0} | {s.WorkingSet / Mb:0} | {s.GcHeap / Mb:0.0} | {rate:0} |");
        sb.AppendLine($"| {end.Activations:N0} (end) | {end.WorkingSet / Mb:0} | {end.GcHeap / Mb:0.0} | |");
        sb.AppendLine();
        sb.AppendLine("| measure | value |");
        sb.AppendLine("|---|---:|");
        sb.AppendLine($"| working set per 10,000 idle activations | {N(wsPer10k, 1)} MB |");
        sb.AppendLine($"| GC heap per 10,000 idle activations | {N(heapPer10k, 1)} MB |");
        sb.AppendLine($"| working set at {end.Activations:N0} activations | {end.WorkingSet / Mb:0} MB |");
        sb.AppendLine($"| cold activation, 1 in flight, at {start.Activations:N0} activations: p50 / p99 | {Ms(Pct(coldFirst, 0.5))} / {Ms(Pct(coldFirst, 0.99))} ms |");
        sb.AppendLine($"| cold activation, 1 in flight, at {end.Activations - options.Samples:N0} activations: p50 / p99 | {Ms(Pct(coldLast, 0.5))} / {Ms(Pct(coldLast, 0.99))} ms |");
        sb.AppendLine($"| call to an active grain, 1 in flight: p50 / p99 (the round trip without the activation) | {Ms(Pct(warm, 0.5))} / {Ms(Pct(warm, 0.99))} ms |");
        sb.AppendLine($"| cold activation, {options.Concurrency} in flight (bulk phase): p50 / p99 | {Ms(Pct(bulk, 0.5))} / {Ms(Pct(bulk, 0.99))} ms |");
        sb.AppendLine($"| failed calls | {errors.Count} |");
        if (shed is not null)
        {
            sb.AppendLine();
            sb.AppendLine($"**Shedding under memory pressure**: a second silo, started with `DOTNET_GCHeapHardLimit` = {options.ShedHeapMb} MB (so that Orleans' "
                          + "memory limit, 80 % of the heap limit, is reachable here), got the same activation load "
                          + $"({shed.Activated:N0} activations at {options.Concurrency} in flight). The silo's activation count after each step:");
            sb.AppendLine();
            sb.AppendLine("| activations requested so far | activations in the silo | GC heap MB | failed calls so far | silo alive |");
            sb.AppendLine("|---:|---:|---:|---:|---|");
            for (var i = 0; i < shed.Steps.Count; i++)
            {
                var (requested, active, heap, failed, alive) = shed.Steps[i];
                var when = i == shed.Steps.Count - 1 ? " (12 s later)" : "";
                sb.AppendLine($"| {requested:N0}{when} | {active:N0} | {heap / Mb:0.0} | {failed:N0} | {(alive ? "yes" : "**no**")} |");
            }
            sb.AppendLine();
            sb.AppendLine($"Most deactivated by the silo at one reading, while it was up: {shed.Shed:N0}; failed calls: {shed.Errors:N0}"
                          + (shed.FirstError is null ? "" : $" (first: {shed.FirstError})") + "; the silo "
                          + (shed.Survived ? "stayed up." : "**died** (see .data/bench/silo-idle-shed.log)."));
        }

        var table = sb.ToString();
        Console.WriteLine();
        Console.WriteLine($"Idle patient activations, {Machine(options.Note)}");
        Console.WriteLine();
        Console.Write(table);
        if (options.WriteDoc)
        {
            var block = new StringBuilder()
                .AppendLine(Begin)
                .AppendLine(MeasuredLine(DateTimeOffset.UtcNow, options.Note, loadBefore, loadAfter))
                .AppendLine()
                .AppendLine(ReproduceBlock(options.ReproduceCommand()))
                .Append(table)
                .Append(End)
                .ToString();
            WriteBlock(options.OutputPath!, Begin, End, "Idle patient activations", block);
            Console.WriteLine($"[bench] results written to {options.OutputPath}");
        }

        var projected = end.Activations >= 100_000 ? end.WorkingSet / Mb : start.WorkingSet / Mb + wsPer10k * 10;
        Summary.Add("idle activations", $"silo working set with 100,000 idle patient grains{(end.Activations >= 100_000 ? "" : $" (projected from {end.Activations:N0})")}",
            $"{projected:0} MB ({N(wsPer10k, 1)} MB and GC heap {N(heapPer10k, 1)} MB per 10k)", "", "", "< 1 GiB", Summary.Verdict(projected < TargetWorkingSetMb));
        Summary.Add("idle activations", "cold activation, 1 in flight (activation + empty state read in PostgreSQL + answer)",
            $"p50 {Ms(Pct(coldLast, 0.5))} ms, p99 {Ms(coldP99)} ms", $"warm call p50 {Ms(Pct(warm, 0.5))} ms, p99 {Ms(Pct(warm, 0.99))} ms",
            N(Pct(coldLast, 0.5) / Pct(warm, 0.5), 1), "p99 < 10 ms", Summary.Verdict(coldP99 < TargetColdP99Ms));
        if (shed is not null)
            Summary.Add("idle activations", $"shedding on memory pressure (silo with a {options.ShedHeapMb} MB heap limit)",
                $"{shed.Shed:N0} of {shed.Activated:N0} deactivated, {shed.Errors:N0} calls failed, silo {(shed.Survived ? "up" : "died")}", "", "",
                "configured and measured", shed.Shed > 0 && shed.Survived && shed.Errors == 0 ? "met" : shed.Shed > 0 ? "measured; **bursts outrun it**" : Summary.Verdict(false));
        Console.WriteLine($"[bench] done in {session.Wall.Elapsed.TotalSeconds:0} s");
        return errors.Count > 0 ? 3 : 0;
    }

    private sealed record ShedResult(int Activated, List<(int Requested, int Active, long Heap, long Errors, bool Alive)> Steps, int Shed, long Errors, string? FirstError, bool Survived);

    /// <summary>
    /// The same load on a silo whose GC heap is capped: Orleans compares the heap with the limit (80 % by default) and,
    /// past it, deactivates the oldest idle grains down to the target. No forced GC here: the shedding waits for the
    /// runtime's own full collections, as in production.
    /// </summary>
    private static async Task<ShedResult> ShedAsync(BenchSession session, IdleBenchOptions options, string logDir, CancellationToken ct)
    {
        Console.WriteLine($"[bench] shedding: a silo with a {options.ShedHeapMb} MB GC heap limit");
        await using var silo = SiloProcess.Start(options.SiloDll!, session.Postgres, session.Redis, Path.Combine(logDir, "silo-idle-shed.log"),
            new Dictionary<string, string>
            {
                ["DOTNET_GCHeapHardLimit"] = "0x" + ((long)options.ShedHeapMb * 1024 * 1024).ToString("X", CultureInfo.InvariantCulture),
                // Each shedding pass is logged, so the log shows when and how many.
                ["Logging__LogLevel__Orleans.Runtime.ActivationCollector"] = "Information",
            });
        using var host = await ConnectAsync(silo, session.Redis, ct);
        var client = host.Services.GetRequiredService<IClusterClient>();
        var errors = new ErrorCount();
        var steps = new List<(int, int, long, long, bool)>();
        var requested = 0;
        var step = Math.Max(1000, options.Step / 2);
        var total = options.ShedGrains > 0 ? options.ShedGrains : options.Grains;
        while (requested < total && !silo.HasExited)
        {
            var batch = Math.Min(step, total - requested);
            await ActivateAsync(client, batch, options.Concurrency, errors, ct);
            requested += batch;
            var (active, heap) = await StatsAsync(client, silo);
            steps.Add((requested, active, heap, errors.Count, !silo.HasExited));
            Console.WriteLine($"    {requested,8} requested  {active,8} active  GC heap {heap / Mb,6:0.0} MB  errors {errors.Count}");
        }
        // A shedding pass runs every 5 s at most, after a full GC: give it time to catch up with the last step.
        await Task.Delay(TimeSpan.FromSeconds(12), ct);
        var (last, lastHeap) = await StatsAsync(client, silo);
        steps.Add((requested, last, lastHeap, errors.Count, !silo.HasExited));
        Console.WriteLine($"    after 12 s idle: {last} active, GC heap {lastHeap / Mb:0.0} MB");
        // The most the silo had shed at any reading while it was up. The count includes a few system grains (the
        // management grain's and the like), so this slightly undercounts.
        var shed = steps.Where(s => s.Item5).Select(s => s.Item1 - s.Item2).DefaultIfEmpty(0).Max();
        return new ShedResult(requested, steps, Math.Max(0, shed), errors.Count, errors.First, !silo.HasExited);
    }

    private static async Task<(int Active, long Heap)> StatsAsync(IClusterClient client, SiloProcess silo)
    {
        if (silo.HasExited) return (0, 0);
        try
        {
            var stats = await client.GetGrain<IManagementGrain>(0).GetRuntimeStatistics([]);
            return (stats.Sum(s => s.ActivationCount), stats.Sum(s => s.EnvironmentStatistics.RawMemoryUsageBytes));
        }
        catch (Exception e)
        {
            Console.WriteLine($"    statistics unavailable: {e.GetType().Name}: {e.Message}");
            return (0, 0);
        }
    }

    private static async Task<Snapshot> SnapshotAsync(IClusterClient client, SiloProcess silo, Stopwatch wall)
    {
        var management = client.GetGrain<IManagementGrain>(0);
        var hosts = (await management.GetHosts(onlyActive: true)).Keys.ToArray();
        await management.ForceGarbageCollection(hosts);
        var stats = await management.GetRuntimeStatistics(hosts);
        return new Snapshot(stats.Sum(s => s.ActivationCount), silo.WorkingSetBytes() ?? 0,
            stats.Sum(s => s.EnvironmentStatistics.RawMemoryUsageBytes), wall.Elapsed.TotalSeconds);
    }

    /// <summary><paramref name="count"/> new patient grains, <paramref name="inFlight"/> calls at a time; each call's latency in ms.</summary>
    private static async Task<List<double>> ActivateAsync(IClusterClient client, int count, int inFlight, ErrorCount errors, CancellationToken ct)
    {
        var latencies = new double[count];
        var ok = new bool[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = inFlight, CancellationToken = ct },
            async (i, _) =>
            {
                var id = Guid.NewGuid();
                var started = Stopwatch.GetTimestamp();
                try
                {
                    // A new patient reading their own (absent) profile: the cheapest call that activates the grain and reads its state.
                    await client.GetGrain<IPatientGrain>(id).GetProfile(new Caller(id, Roles.Patient));
                    latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    ok[i] = true;
                }
                // Also an OutOfMemoryException: it is the silo's, sent back as the call's answer, not the bench's own.
                catch (Exception e)
                {
                    errors.Add(e);
                }
            });
        return [.. latencies.Where((_, i) => ok[i])];
    }

    /// <summary>Calls to one grain that is already active: the client-to-silo round trip without an activation.</summary>
    private static async Task<List<double>> WarmCallsAsync(IClusterClient client, int count, ErrorCount errors, CancellationToken ct)
    {
        var id = Guid.NewGuid();
        var grain = client.GetGrain<IPatientGrain>(id);
        var caller = new Caller(id, Roles.Patient);
        await grain.GetProfile(caller);
        var latencies = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var started = Stopwatch.GetTimestamp();
            try
            {
                await grain.GetProfile(caller);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (Exception e) { errors.Add(e); }
        }
        return latencies;
    }

    /// <summary>
    /// The bench's own Orleans client of the silo's cluster. The silo takes some seconds to join; until its gateway is
    /// in the membership table the client cannot start, so it is retried.
    /// </summary>
    private static async Task<IHost> ConnectAsync(SiloProcess silo, string redis, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (silo.HasExited) throw new InvalidOperationException($"the silo exited during start-up\n{silo.Output}");
            // No appsettings or environment: the bench's own variables must not configure this client.
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Logging.ClearProviders();
            builder.UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = silo.ClusterId;
                    o.ServiceId = silo.ServiceId;
                });
                client.UseRedisClustering(redis);
            });
            var host = builder.Build();
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
                attempt.CancelAfter(TimeSpan.FromSeconds(30));
                await host.StartAsync(attempt.Token);
                // Started means a gateway answered; a first call proves the silo serves grains.
                await host.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
                return host;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                host.Dispose();
                if (clock.Elapsed > TimeSpan.FromSeconds(120)) throw new TimeoutException($"could not join the silo's cluster in 120 s: {e.Message}\n{silo.Output}");
                await Task.Delay(1000, ct);
            }
        }
    }

    private static double Pct(List<double> sorted, double p) => PhaseMeasurement.Percentile([.. sorted], p);

    private sealed class ErrorCount
    {
        private long _count;
        private string? _first;
        public long Count => Interlocked.Read(ref _count);
        public string? First => _first;

        public void Add(Exception e)
        {
            if (Interlocked.Increment(ref _count) == 1)
            {
                _first = $"{e.GetType().Name}: {e.Message}";
                Console.WriteLine($"    first failed call: {_first}");
            }
        }
    }
}
