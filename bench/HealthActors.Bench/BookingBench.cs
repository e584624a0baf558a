using Npgsql;

namespace HealthActors.Bench;

/// <summary>
/// What a booking costs the backend: bookings per second spread over many doctors, next to a cheap read through the
/// same client, and the latency of a slot many patients want at once.
/// </summary>
internal static class BookingBench
{
    /// <summary>Slots start this far ahead: the reminder an hour before each one must not fire during the run.</summary>
    private static readonly TimeSpan SlotsFrom = TimeSpan.FromHours(3);

    public static Task<int> RunAsync(string[] args, string root) => BookingBenchOptions.RunAsync(args, root, MeasureAsync);

    private static async Task<int> MeasureAsync(BenchSession session, BookingBenchOptions options)
    {
        var ct = session.Token;
        var http = session.Http;
        var (api, doctors) = await StartWithDoctorsAsync(session, options, "api-booking.log");
        var baseAddress = api.BaseAddress;
        Console.WriteLine($"[bench] {doctors.Length} doctors created ({session.Wall.Elapsed.TotalSeconds:0.0} s)");
        var patients = await Accounts.RegisterAsync(http, baseAddress, options.Patients, ct);
        Console.WriteLine($"[bench] {patients.Count} patients registered ({session.Wall.Elapsed.TotalSeconds:0.0} s)");
        var slots = await SlotPool.LoadAsync(http, baseAddress, doctors, DateTimeOffset.UtcNow + SlotsFrom, ct);
        Console.WriteLine($"[bench] {slots.Capacity} free slots listed ({session.Wall.Elapsed.TotalSeconds:0.0} s)");

        await using var benchDb = NpgsqlDataSource.Create(session.Postgres);
        using var cpu = new CpuMeter(api, benchDb);
        var load = new BookingLoad(http, baseAddress, patients, doctors, slots, options.Baseline);

        if (options.Warmup > TimeSpan.Zero)
        {
            // JIT, grain activations and connection pools first, so that the first level does not pay for them.
            var n = Math.Min(8, options.Levels.Max());
            Console.WriteLine($"[bench] warming up both requests ({n} in flight, {options.Warmup.TotalSeconds:0.#} s each)");
            await Phase.RunAsync(n, load.BookAsync, TimeSpan.Zero, options.Warmup, cpu, ct);
            await Phase.RunAsync(n, load.ReadAsync, TimeSpan.Zero, options.Warmup, cpu, ct);
        }

        var loadBefore = Markdown.LoadAverage();
        var levels = (await Phase.AlternateAsync(options,
                new Phase.Path("booking", "bookings", load.BookAsync), new Phase.Path("read", "reads", load.ReadAsync),
                async level =>
                {
                    foreach (var patient in patients) await patient.EnsureFreshAsync(http, baseAddress, ct);
                    Console.WriteLine($"[bench] spread: {level} in flight, {options.Rounds} round{(options.Rounds == 1 ? "" : "s")}");
                }, cpu, ct))
            .Select(l => new BookingLevel(l.InFlight, l.A, l.B)).ToList();

        foreach (var patient in patients) await patient.EnsureFreshAsync(http, baseAddress, ct);
        Console.WriteLine($"[bench] contested: {options.Races} rounds of {options.Racers} patients for one slot");
        var race = await Race.RunAsync(http, baseAddress, patients.Take(options.Racers).ToList(), slots, benchDb, options.Races, ct);
        Console.WriteLine($"    {BookingReport.RaceSummary(race)}");
        var loadAfter = Markdown.LoadAverage();

        var bookingsMade = await BookedCountAsync(benchDb, doctors, ct);
        var run = new BookingRun(levels, race, bookingsMade, doctors.Length, patients.Count);
        Console.WriteLine();
        Console.WriteLine($"Booking, {Markdown.Machine(options.Note)}");
        Console.WriteLine();
        Console.Write(BookingReport.RatioTable(levels));
        Console.WriteLine();
        Console.Write(BookingReport.Table(levels, options.BaselineName));
        Console.WriteLine();
        Console.Write(BookingReport.RaceTable(race));
        Console.WriteLine();
        if (options.WriteDoc)
        {
            BookingReport.Write(options.OutputPath!, BookingReport.Block(options, run, DateTimeOffset.UtcNow, loadBefore, loadAfter));
            Console.WriteLine($"[bench] results written to {options.OutputPath}");
        }
        foreach (var l in levels)
            Summary.Add("booking", $"bookings across {doctors.Length} doctors, {l.InFlight} in flight",
                $"{Markdown.Rate(l.Booking.TurnsPerSecond)}/s, p99 {Markdown.Ms(l.Booking.P99Ms)} ms, {l.Booking.Errors} errors",
                $"read {Markdown.Rate(l.Read.TurnsPerSecond)}/s", Markdown.N(l.Booking.TurnsPerSecond / l.Read.TurnsPerSecond, 3),
                // 224/s was that day's number on that day's load; the target is read side by side with that day's code
                // (bench/run-booking-against.sh, its own summary row), so this row only shows where 672/s lies.
                l.InFlight == 64 ? "3× the 2026-11-26 rate is 672/s (that day's 224/s); read side by side in the booking-vs row" : "", l.InFlight == 64 ? "(for comparison)" : "");
        Summary.Add("booking", $"contested slot, {race.Rounds} rounds of {race.Racers}", $"{race.Violations} rounds without exactly one booking", "", "", "0 double bookings",
            Summary.Verdict(race.Violations == 0 && race.OtherStatuses == 0));
        Console.WriteLine($"[bench] done in {session.Wall.Elapsed.TotalSeconds:0} s");
        var failed = levels.Any(l => l.Booking.Errors + l.Read.Errors > 0) || race.Violations > 0 || race.OtherStatuses > 0;
        return failed ? 3 : 0;
    }

    /// <summary>The Api (embedded silo, no demo catalog) and the run's own doctors, created by an admin of this run only.</summary>
    public static async Task<(ApiProcess Api, Guid[] Doctors)> StartWithDoctorsAsync(BenchSession session, BookingBenchOptions options, string log)
    {
        // A known account from an earlier run would not sign in: the admin is new each time.
        var adminEmail = $"bench-admin-{Guid.NewGuid().ToString("N")[..10]}@bench.example";
        var adminPassword = Accounts.NewPassword();
        var api = await session.StartApiAsync(options.ApiDll!, session.Postgres, log, new Dictionary<string, string>
        {
            ["Admin__Email"] = adminEmail,
            ["Admin__Password"] = adminPassword,
            // The demo doctors would only add start-up time; the bench makes the doctors it uses.
            ["Catalog__SeedDemo"] = "false",
        });
        var admin = await Accounts.SignInAsync(session.Http, api.BaseAddress, adminEmail, adminPassword, session.Token);
        return (api, await BookingApi.CreateDoctorsAsync(session.Http, api.BaseAddress, admin, options.Doctors, session.Token));
    }

    /// <summary>From the table, not the client's count: a booking whose response was lost still took a slot.</summary>
    private static async Task<long> BookedCountAsync(NpgsqlDataSource db, Guid[] doctors, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT count(*) FROM appointments WHERE doctor_id = ANY($1) AND status <> 'cancelled'");
        cmd.Parameters.AddWithValue(doctors);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }
}
