using System.Globalization;

namespace HealthActors.Bench;

internal sealed class BenchOptions
{
    public TimeSpan Warmup { get; private set; } = TimeSpan.FromSeconds(2);
    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(10);
    public int[] Levels { get; private set; } = [1, 50, 500];
    public int Users { get; private set; } = 50;
    public int Rounds { get; private set; } = 2;
    public string? OutputPath { get; private set; }
    public bool WriteDoc { get; private set; } = true;
    public string? Note { get; private set; }
    public string? ApiDll { get; private set; }
    public bool PgAsyncCommit { get; private set; }
    public required string RepositoryRoot { get; init; }

    public const string Usage = """
        usage: bench/run-chat.sh [options]   (or dotnet HealthActors.Bench.dll [options] with the connection strings set)
          --warmup S        seconds of unmeasured load before a level's first measurement (default 2; later rounds at most 1)
          --duration S      measured seconds per level and path (default 10), split over the rounds
          --rounds R        the two paths alternate R times per level (default 2)
          --levels A,B,C    concurrent conversations per level (default 1,50,500)
          --users N         at most this many users and SignalR connections; conversations are spread over them (default 50)
          --out FILE        markdown file whose "Chat turn" results block is rewritten (default docs/benchmarks.md)
          --no-doc          print the table only
          --note TEXT       appended to the machine description, e.g. "shared with other jobs"
          --api FILE        the Api dll (default src/Api/bin/Release/net10.0/HealthActors.Api.dll)
          --pg-async-commit the Api's PostgreSQL sessions commit without waiting for the WAL flush
                            (synchronous_commit=off): shows what durable commits cost; not how the product runs
        Environment: ConnectionStrings__Postgres and ConnectionStrings__Redis (bench/run-chat.sh provides them).
        """;

    /// <summary>The options, or null after printing usage (help asked for, or a bad argument).</summary>
    public static BenchOptions? Parse(string[] args, string root)
    {
        var o = new BenchOptions { RepositoryRoot = root };
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--warmup": o.Warmup = Seconds(Next(), allowZero: true); break;
                    case "--duration": o.Duration = Seconds(Next(), allowZero: false); break;
                    case "--levels":
                        o.Levels = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                            .Select(s => Bounded(s, 1, 5000, "--levels")).Distinct().ToArray();
                        if (o.Levels.Length == 0) throw new ArgumentException("--levels is empty");
                        break;
                    case "--users": o.Users = Bounded(Next(), 1, 500, "--users"); break;
                    case "--rounds": o.Rounds = Bounded(Next(), 1, 20, "--rounds"); break;
                    case "--out": o.OutputPath = Path.GetFullPath(Next()); break;
                    case "--no-doc": o.WriteDoc = false; break;
                    case "--note": o.Note = Next(); break;
                    case "--api": o.ApiDll = Path.GetFullPath(Next()); break;
                    case "--pg-async-commit": o.PgAsyncCommit = true; break;
                    case "-h" or "--help": Console.WriteLine(Usage); return null;
                    default: throw new ArgumentException($"unknown argument {args[i]}");
                }
            }
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Usage);
            return null;
        }
        o.OutputPath ??= Path.Combine(root, "docs", "benchmarks.md");
        o.ApiDll ??= Path.Combine(root, "src", "Api", "bin", "Release", "net10.0", "HealthActors.Api.dll");
        return o;
    }

    /// <summary>The command line that reproduces this run, with every load setting spelled out.</summary>
    public string ReproduceCommand() =>
        $"bench/run-chat.sh --warmup {Warmup.TotalSeconds.ToString(CultureInfo.InvariantCulture)} " +
        $"--duration {Duration.TotalSeconds.ToString(CultureInfo.InvariantCulture)} --rounds {Rounds} --levels {string.Join(',', Levels)} --users {Users}" +
        (PgAsyncCommit ? " --pg-async-commit" : "");

    private static TimeSpan Seconds(string s, bool allowZero)
    {
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v < 0 || v > 600 || (!allowZero && v == 0))
            throw new ArgumentException($"not a duration in seconds (0-600): {s}");
        return TimeSpan.FromSeconds(v);
    }

    private static int Bounded(string s, int min, int max, string name)
    {
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            throw new ArgumentException($"{name}: {s} is not a number from {min} to {max}");
        return v;
    }
}
