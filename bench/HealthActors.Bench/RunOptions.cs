using System.Globalization;

namespace HealthActors.Bench;

/// <summary>The load settings and output options every bench mode takes; each mode adds its own.</summary>
internal abstract class RunOptions
{
    public TimeSpan Warmup { get; protected set; } = TimeSpan.FromSeconds(2);
    public TimeSpan Duration { get; protected set; } = TimeSpan.FromSeconds(10);
    public int Rounds { get; protected set; } = 2;
    public int[] Levels { get; protected set; } = [1];
    public string? OutputPath { get; private set; }
    public bool WriteDoc { get; private set; } = true;
    public string? Note { get; private set; }
    public string? ApiDll { get; private set; }
    public required string RepositoryRoot { get; init; }

    protected abstract string Usage { get; }
    protected abstract int MaxLevel { get; }

    /// <summary>Handles an option of the mode's own; false when the name is not one.</summary>
    protected abstract bool ApplyOwn(string name, Func<string> next);

    public const string CommonUsage = """
          --warmup S        seconds of unmeasured load before a level's first measurement (later rounds at most 1)
          --duration S      measured seconds per level and path, split over the rounds
          --rounds R        the two paths alternate R times per level
          --out FILE        markdown file whose results block is rewritten (default docs/benchmarks.md)
          --no-doc          print the tables only
          --note TEXT       appended to the machine description, e.g. "shared with other jobs"
          --api FILE        the Api dll (default src/Api/bin/Release/net10.0/HealthActors.Api.dll)
        """;

    /// <summary>False after printing the usage (help asked for, or a bad argument).</summary>
    protected bool Parse(string[] args)
    {
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                var name = args[i];
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
                switch (name)
                {
                    case "--warmup": Warmup = Seconds(Next(), allowZero: true); break;
                    case "--duration": Duration = Seconds(Next(), allowZero: false); break;
                    case "--rounds": Rounds = Bounded(Next(), 1, 20, "--rounds"); break;
                    case "--levels":
                        Levels = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                            .Select(s => Bounded(s, 1, MaxLevel, "--levels")).Distinct().ToArray();
                        if (Levels.Length == 0) throw new ArgumentException("--levels is empty");
                        break;
                    case "--out": OutputPath = Path.GetFullPath(Next()); break;
                    case "--no-doc": WriteDoc = false; break;
                    case "--note": Note = Next(); break;
                    case "--api": ApiDll = Path.GetFullPath(Next()); break;
                    case "-h" or "--help": Console.WriteLine(Usage); return false;
                    default:
                        if (!ApplyOwn(name, Next)) throw new ArgumentException($"unknown argument {name}");
                        break;
                }
            }
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Usage);
            return false;
        }
        OutputPath ??= Path.Combine(RepositoryRoot, "docs", "benchmarks.md");
        ApiDll ??= Path.Combine(RepositoryRoot, "src", "Api", "bin", "Release", "net10.0", "HealthActors.Api.dll");
        return true;
    }

    /// <summary>The load settings as command-line options, every one spelled out so that a run can be repeated.</summary>
    protected string CommonArguments() =>
        $"--warmup {Invariant(Warmup)} --duration {Invariant(Duration)} --rounds {Rounds} --levels {string.Join(',', Levels)}";

    public static string Invariant(TimeSpan t) => t.TotalSeconds.ToString(CultureInfo.InvariantCulture);

    protected static TimeSpan Seconds(string s, bool allowZero)
    {
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v < 0 || v > 600 || (!allowZero && v == 0))
            throw new ArgumentException($"not a duration in seconds (0-600): {s}");
        return TimeSpan.FromSeconds(v);
    }

    protected static int Bounded(string s, int min, int max, string name)
    {
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            throw new ArgumentException($"{name}: {s} is not a number from {min} to {max}");
        return v;
    }
}
