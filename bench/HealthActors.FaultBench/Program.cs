using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using HealthActors.TestKit;
using Npgsql;
using static HealthActors.FaultBench.Culture;

namespace HealthActors.FaultBench;

/// <summary>
/// Faults under load (issue 14): 2 silos and 2 Api nodes as processes on 127.0.0.1, a bounded traffic mix through a
/// client-side balancer, and one fault after another with a quiet gap between: a silo killed, an Api node killed,
/// PostgreSQL restarted, Redis restarted, a silo frozen past the membership timeout. Then every acknowledged write is
/// looked up in PostgreSQL and the table is printed and written into docs/reliability.md. Exit code 1 when any loss
/// column is not 0.
/// </summary>
public static class Program
{
    internal const string Password = "harbor-violet-93-candle";

    public static async Task<int> Main(string[] args)
    {
        Options o;
        try { o = Options.Parse(args); }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Options.Usage);
            return 2;
        }

        // Bounded whatever happens: start-up, the schedule, the drain and the checks.
        using var overall = new CancellationTokenSource(TimeSpan.FromMinutes(20));
        var ct = overall.Token;
        var loadAtStart = Report.LoadAverage();
        var clock = new RunClock();
        await using var topology = new Topology(o);
        Log($"starting {topology.SiloCount} silos and {Topology.ApiCount} Api nodes (logs in {o.Logs})");
        await topology.StartAsync(ct);
        Log($"cluster ready after {F(clock.Now)} s");

        using var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 256,
            ConnectTimeout = TimeSpan.FromSeconds(3),
            // Connections to a node that was killed and started again must not be reused.
            PooledConnectionLifetime = TimeSpan.FromSeconds(30),
        }) { Timeout = Timeout.InfiniteTimeSpan };
        var balancer = new Balancer(topology.Apis.Select(a => a.Url!).ToList(), http, clock);
        await using var db = NpgsqlDataSource.Create(o.Postgres);

        var world = await World.CreateAsync(o, topology, http, ct);
        Log($"{world.Patients.Count} patients, {world.Doctors.Count} doctors, {world.Auctions.Count} auctions ready");

        var watchers = world.Auctions.Select((a, i) => new AuctionWatcher(a, world.Patients[i].Token, balancer)).ToList();
        for (var i = 0; i < watchers.Count; i++) await watchers[i].StartAsync(i % Topology.ApiCount, ct);

        var traffic = new Traffic(balancer, world.Patients, world.Doctors, world.Auctions, world.BookingFrom, world.BidSlot);
        using var stop = new CancellationTokenSource();
        var phases = new List<Phase>();
        var load = traffic.RunAsync(stop.Token, ct);
        try
        {
            Log($"traffic started; baseline for {o.Steady} s");
            phases.Add(new Phase("baseline (no fault)", clock.Now));
            await Task.Delay(TimeSpan.FromSeconds(o.Steady), ct);

            foreach (var (name, fault, observe) in Schedule(o, topology))
            {
                await QuietGapAsync(topology, http, ct);
                var phase = new Phase(name, clock.Now);
                phases.Add(phase);
                Log($"fault: {name}");
                var applied = Stopwatch.StartNew();
                await fault(phase);
                var rest = TimeSpan.FromSeconds(observe) - applied.Elapsed;
                if (rest > TimeSpan.Zero) await Task.Delay(rest, ct);
            }
            await QuietGapAsync(topology, http, ct);
        }
        finally
        {
            await stop.CancelAsync();
            // In-flight requests finish within the balancer's two attempts.
            await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(45), ct));
        }
        var trafficEnd = clock.Now;
        for (var i = 0; i < phases.Count; i++) phases[i].End = i + 1 < phases.Count ? phases[i + 1].Start : double.MaxValue;
        var requests = balancer.Records.ToList();
        Log($"traffic stopped: {requests.Count} requests");

        var audit = new Audit(db, clock, topology.ServiceId);
        await DrainAsync(watchers, audit, ct);
        foreach (var w in watchers) await w.StopAsync();
        await audit.RunAsync(traffic.Acks, world.Patients, world.Doctors, watchers);
        Log($"checked {audit.Checked} acknowledged writes against PostgreSQL: {audit.Findings.Count} finding(s)");

        var table = Report.Table(phases, requests, traffic.Acks, audit.Findings);
        var section = new StringBuilder();
        section.AppendLine(CultureInfo.InvariantCulture, $"### Run of {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        section.AppendLine();
        section.AppendLine(CultureInfo.InvariantCulture, $"- Command: `{o.Command}`");
        section.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {Report.Machine(loadAtStart)}.");
        section.AppendLine(CultureInfo.InvariantCulture,
            $"- Topology: {topology.SiloCount} silos and {Topology.ApiCount} Api nodes as processes on 127.0.0.1 (Release build), PostgreSQL and Redis of the run's own; "
            + $"{o.Patients} patients, {o.Doctors} doctors, {o.Auctions} auctions with one watcher each, {o.Steady} s of traffic after each fault.");
        section.AppendLine(CultureInfo.InvariantCulture, $"- Traffic: {Report.Mix(requests, trafficEnd - phases[0].Start)}");
        section.AppendLine();
        section.Append(table);
        section.AppendLine();
        foreach (var phase in phases.Where(p => p.Notes.Count > 0))
            section.AppendLine(CultureInfo.InvariantCulture, $"- {phase.Name}: {string.Join("; ", phase.Notes)}.");
        foreach (var group in audit.Findings.GroupBy(f => f.Kind))
            section.AppendLine($"- **{group.Key}** ({group.Count()}): " + string.Join("; ", group.Take(5).Select(f => $"{F(f.At)} s: {f.Detail}")));

        Console.WriteLine();
        Console.WriteLine(section);
        var errors = Topology.ErrorLines(o.Logs).ToList();
        if (errors.Count > 0)
        {
            Console.WriteLine($"error lines logged by the processes ({errors.Count}, first 20, cut at 300 characters; logs in {o.Logs}):");
            foreach (var (log, line) in errors.Take(20)) Console.WriteLine($"  {log}: {line[..Math.Min(line.Length, 300)]}");
        }
        // Every request with its wall-clock time, to read next to the logs.
        await File.WriteAllLinesAsync(Path.Combine(o.Logs, "requests.csv"), requests.OrderBy(r => r.Start).Select(r =>
            $"{clock.WallClock(r.Start):HH:mm:ss.fff},{F(r.End - r.Start, "0.000")},{r.Operation},{r.Status},{(r.Ok ? "ok" : "FAILED")},{r.Attempts}").Prepend("start_utc,seconds,operation,status,outcome,attempts"));
        await File.WriteAllLinesAsync(Path.Combine(o.Logs, "phases.csv"), phases.Select(p => $"{clock.WallClock(p.Start):HH:mm:ss.fff},{p.Name}"));
        if (o.Out is not null)
        {
            await Report.WriteAsync(o.Out, section.ToString());
            Log($"written to {o.Out}");
        }
        return audit.Findings.Count == 0 ? 0 : 1;
    }

    /// <summary>The faults, in order: a name, the action (which may note what it saw), and how long the phase is watched.</summary>
    private static IEnumerable<(string Name, Func<Phase, Task> Fault, int Observe)> Schedule(Options o, Topology t)
    {
        if (o.Faults.Contains("silo-kill")) yield return ("silo-1 killed (SIGKILL), restarted 2 s later", async phase =>
        {
            await t.Silos[0].KillAsync();
            await Task.Delay(TimeSpan.FromSeconds(2));
            await t.Silos[0].StartAsync();
        }, o.Steady);
        if (o.Faults.Contains("api-kill")) yield return ("api-1 killed (SIGKILL), restarted 2 s later", async phase =>
        {
            await t.Apis[0].KillAsync();
            await Task.Delay(TimeSpan.FromSeconds(2));
            await t.Apis[0].StartAsync();
        }, o.Steady);
        if (o.Faults.Contains("postgres")) yield return ("PostgreSQL restarted (pg_ctl restart -m fast)", async phase =>
            phase.Notes.Add($"the restart command took {F(await ShellAsync(o.PgRestart))} s"), o.Steady);
        if (o.Faults.Contains("redis")) yield return ("Redis restarted (shutdown, start)", async phase =>
            phase.Notes.Add($"the restart command took {F(await ShellAsync(o.RedisRestart))} s"), o.Steady);
        if (o.Faults.Contains("silo-freeze")) yield return ($"silo-2 frozen (SIGSTOP) for {o.Freeze} s, then SIGCONT", async phase =>
        {
            var silo = t.Silos[1];
            silo.Freeze();
            await Task.Delay(TimeSpan.FromSeconds(o.Freeze));
            silo.Resume();
            // Declared dead while frozen, it finds out on waking and stops itself; a supervisor starts it again.
            var woke = Stopwatch.StartNew();
            while (woke.Elapsed < TimeSpan.FromSeconds(20) && silo.IsRunning) await Task.Delay(250);
            if (silo.IsRunning) phase.Notes.Add("silo-2 carried on after SIGCONT (not declared dead)");
            else
            {
                phase.Notes.Add($"silo-2 stopped itself {F(woke.Elapsed.TotalSeconds)} s after SIGCONT ({silo.Process!.ExitDescription}: declared dead while frozen) and was started again");
                await silo.StartAsync();
            }
        }, o.Steady + o.Freeze);
    }

    /// <summary>Waits (at most 120 s) until both Api nodes are ready and see every silo, then 3 s more of plain traffic.</summary>
    private static async Task QuietGapAsync(Topology topology, HttpClient http, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(120) && !await topology.AllReadyAsync(http, ct)) await Task.Delay(500, ct);
        if (clock.Elapsed >= TimeSpan.FromSeconds(120)) Log($"the cluster was not back to {topology.SiloCount} silos and 2 ready Api nodes within 120 s; going on");
        else Log($"cluster whole again (waited {F(clock.Elapsed.TotalSeconds)} s)");
        await Task.Delay(TimeSpan.FromSeconds(3), ct);
    }

    /// <summary>Until every watcher has applied its auction's last stored event, or 45 s (a relay renews its watch every 20 s).</summary>
    private static async Task DrainAsync(IReadOnlyList<AuctionWatcher> watchers, Audit audit, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(45))
        {
            var behind = 0;
            foreach (var w in watchers)
            {
                var stored = await audit.StoredEventsAsync(w.Auction);
                if (stored.Count > 0 && w.Last < stored[^1].Seq) behind++;
            }
            if (behind == 0)
            {
                Log($"watchers caught up ({F(clock.Elapsed.TotalSeconds)} s after the traffic stopped)");
                return;
            }
            await Task.Delay(500, ct);
        }
        Log("watchers still behind after 45 s");
    }

    /// <summary>Runs a command of the script's (a service restart) and returns how long it took; fails on a non-zero exit.</summary>
    private static async Task<double> ShellAsync(string command)
    {
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(new ProcessStartInfo("bash", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(cts.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"`{command}` exited with {process.ExitCode}: {await output}{await error}");
        return clock.Elapsed.TotalSeconds;
    }

    internal static void Log(string message) => Console.WriteLine($"[faults {DateTime.UtcNow:HH:mm:ss}] {message}");
}

/// <summary>The run's data, made through api-1 before the traffic starts: a specialty, verified doctors, patients each with a conversation, open auctions.</summary>
public sealed record World(IReadOnlyList<Patient> Patients, IReadOnlyList<Doctor> Doctors, IReadOnlyList<Guid> Auctions, DateTimeOffset BookingFrom, DateTimeOffset MarketFrom)
{
    /// <summary>Doctor <paramref name="doctor"/>'s slot in auction <paramref name="auction"/>'s window: one hour apart, a day per auction.</summary>
    public DateTimeOffset BidSlot(int auction, int doctor) => MarketFrom.AddDays(auction).AddHours(doctor);

    public static async Task<World> CreateAsync(Options o, Topology topology, HttpClient http, CancellationToken ct)
    {
        var driver = new ApiDriver(http, topology.Apis[0].Url);
        var admin = (await driver.SignInAsync(topology.AdminEmail, topology.AdminPassword, ct)).AccessToken;
        var specialty = await driver.CreateSpecialtyAsync(admin, "Faults " + Guid.NewGuid().ToString("N")[..8], "fault run", ct);
        var doctors = new Doctor[o.Doctors];
        for (var i = 0; i < o.Doctors; i++)
        {
            var email = $"fault.doctor.{i}.{Guid.NewGuid():N}@bench.example.org";
            var created = await driver.CreateDoctorAsync(admin, ApiDriver.EveryDayDoctor(specialty, Program.Password, email, price: 40, currency: "USD"), ct);
            doctors[i] = new Doctor(i, created.DoctorId, (await driver.SignInAsync(email, Program.Password, ct)).AccessToken);
        }
        var patients = new Patient[o.Patients];
        for (var i = 0; i < o.Patients; i++)
        {
            var tokens = await driver.RegisterTokensAsync($"fault.patient.{i}.{Guid.NewGuid():N}@bench.example.org", Program.Password, $"Fault Patient {i}", ct);
            var conversation = await driver.ExpectAsync<JsonNode>(HttpStatusCode.Created, HttpMethod.Post, "/api/conversations", tokens.AccessToken, new { title = "Fault run" }, ct: ct);
            patients[i] = new Patient(i, tokens.UserId, tokens.AccessToken, conversation["id"]!.GetValue<Guid>());
        }
        var today = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);
        var marketFrom = today.AddDays(30);
        var auctions = new List<Guid>();
        for (var a = 0; a < o.Auctions; a++)
            auctions.Add(await driver.CreateAuctionAsync(patients[a].Token, specialty, marketFrom.AddDays(a), marketFrom.AddDays(a + 1), DateTimeOffset.UtcNow.AddHours(1),
                maxPrice: 10_000, currency: "USD", symptoms: "fault run: recurring headaches", ct: ct));
        return new World(patients, doctors, auctions, today.AddDays(2), marketFrom);
    }
}
