namespace HealthActors.Bench;

/// <summary>Options of the booking bench (bench/run-booking.sh).</summary>
internal sealed class BookingBenchOptions : RunOptions
{
    public int Doctors { get; private set; } = 50;
    public int Racers { get; private set; } = 50;
    public int Races { get; private set; } = 20;
    /// <summary>"doctor" (GET /api/doctors/{id}) or "live" (GET /health/live).</summary>
    public string Baseline { get; private set; } = "doctor";

    /// <summary>One per in-flight request at the highest level, and enough for a race: none has two bookings in flight.</summary>
    public int Patients => Math.Max(Levels.Max(), Racers);

    private BookingBenchOptions()
    {
        Levels = [1, 16, 64];
    }

    // Each level needs a registered patient per in-flight request, and every registration is a slow password hash.
    protected override int MaxLevel => 256;

    protected override string Usage => string.Join('\n', """
        usage: bench/run-booking.sh [options]   (or dotnet HealthActors.Bench.dll booking [options] with the connection strings set)
          defaults: --warmup 2 --duration 10 --rounds 2 --levels 1,16,64 --doctors 50 --racers 50 --races 20 --baseline doctor
          --levels A,B,C    in-flight requests per level (spread scenario); one patient is registered per request in flight
          --doctors N       doctors whose calendars the spread scenario books (every day 00:00-23:30 UTC, 30-minute slots)
          --racers N        patients racing for the same slot in each round of the contested scenario
          --races R         rounds of the contested scenario
          --baseline B      the cheap request booking is compared with: doctor (GET /api/doctors/{id}) or live (GET /health/live)
        """, CommonUsage, "Environment: ConnectionStrings__Postgres and ConnectionStrings__Redis (bench/run-booking.sh provides them).");

    protected override bool ApplyOwn(string name, Func<string> next)
    {
        switch (name)
        {
            case "--doctors": Doctors = Bounded(next(), 1, 500, "--doctors"); return true;
            case "--racers": Racers = Bounded(next(), 2, 256, "--racers"); return true;
            case "--races": Races = Bounded(next(), 1, 500, "--races"); return true;
            case "--baseline":
                Baseline = next();
                if (Baseline is not ("doctor" or "live")) throw new ArgumentException($"--baseline: {Baseline} is neither doctor nor live");
                return true;
            default: return false;
        }
    }

    public static BookingBenchOptions? Parse(string[] args, string root)
    {
        var o = new BookingBenchOptions { RepositoryRoot = root };
        return o.Parse(args) ? o : null;
    }

    /// <summary>Parses the options (printing usage on a bad or help argument) and runs one measurement in a bench session.</summary>
    public static async Task<int> RunAsync(string[] args, string root, Func<BenchSession, BookingBenchOptions, Task<int>> measure)
    {
        var options = Parse(args, root);
        if (options is null) return args.Contains("--help") || args.Contains("-h") ? 0 : 2;
        return await BenchSession.RunAsync(root, session => measure(session, options));
    }

    public string BaselineName => Baseline == "live" ? "GET /health/live" : "GET /api/doctors/{id}";

    public string ReproduceCommand() =>
        $"bench/run-booking.sh {CommonArguments()} --doctors {Doctors} --racers {Racers} --races {Races} --baseline {Baseline}";
}
