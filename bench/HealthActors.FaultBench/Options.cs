using System.Globalization;

namespace HealthActors.FaultBench;

/// <param name="Steady">Seconds of traffic observed after each fault (and for the baseline).</param>
/// <param name="Freeze">Seconds a silo stays frozen (SIGSTOP): longer than the membership's failure detection.</param>
/// <param name="PgRestart">Shell command that restarts the run's own PostgreSQL (pg_ctl restart -m fast).</param>
/// <param name="RedisRestart">Shell command that restarts the run's own Redis.</param>
/// <param name="Out">Markdown file whose fault-run section is replaced with this run's table (created when missing).</param>
/// <param name="Command">The command line that reproduces the run, for the report.</param>
/// <param name="Faults">The faults to apply, in the schedule's order (all of <see cref="AllFaults"/> by default).</param>
/// <param name="Silos">How many silos the run starts (2 as run.sh's documented topology; 3 shows the majority vote at work).</param>
public sealed record Options(string ApiDll, string SiloDll, string Postgres, string Redis, int Steady, int Freeze, int Patients, int Doctors,
    int Auctions, string PgRestart, string RedisRestart, string Logs, string? Out, string Command, IReadOnlySet<string> Faults, int Silos)
{
    /// <summary>The faults' names for --faults, in the order the schedule applies them.</summary>
    public static readonly string[] AllFaults = ["silo-kill", "api-kill", "postgres", "redis", "silo-freeze"];

    public const string Usage =
        "usage: HealthActors.FaultBench --api PATH/HealthActors.Api.dll --silo PATH/HealthActors.Silo.dll --pg-restart CMD --redis-restart CMD\n"
        + "       [--steady 20] [--freeze 15] [--patients 8] [--doctors 4] [--auctions 3] [--silos 2]\n"
        + "       [--faults silo-kill,api-kill,postgres,redis,silo-freeze] [--logs DIR] [--out docs/reliability.md] [--command TEXT]\n"
        + "ConnectionStrings__Postgres and ConnectionStrings__Redis must name the run's OWN services (they are restarted).";

    public static Options Parse(string[] args)
    {
        var map = new Dictionary<string, string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length) throw new ArgumentException($"unexpected argument: {args[i]}");
            map[args[i][2..]] = args[++i];
        }
        int Int(string key, int fallback, int min, int max)
        {
            if (!map.TryGetValue(key, out var v)) return fallback;
            return int.TryParse(v, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max ? n : throw new ArgumentException($"--{key} must be {min}..{max}");
        }
        string File(string key)
        {
            var path = map.GetValueOrDefault(key) ?? throw new ArgumentException($"--{key} is required");
            return System.IO.File.Exists(path) ? Path.GetFullPath(path) : throw new ArgumentException($"no such file: {path} (build Release first)");
        }
        string Required(string key) => map.GetValueOrDefault(key) is { Length: > 0 } v ? v : throw new ArgumentException($"--{key} is required");
        string Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : throw new ArgumentException($"{name} must be set");

        var redis = Env("ConnectionStrings__Redis");
        var postgres = Env("ConnectionStrings__Postgres");
        // The shared services of the other engineers and of the test runs must never be restarted by this bench.
        if (redis.Contains(":56379", StringComparison.Ordinal) || postgres.Contains("Port=55432", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException("the connection strings name the shared PostgreSQL/Redis (55432/56379): the fault run restarts its services, give it its own");
        var patients = Int("patients", 8, 4, 40);
        var auctions = Int("auctions", 3, 1, 10);
        // Each auction is a different patient's (and that patient watches it).
        if (auctions > patients) throw new ArgumentException("--auctions must not exceed --patients");
        var faults = map.TryGetValue("faults", out var list)
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal)
            : AllFaults.ToHashSet(StringComparer.Ordinal);
        if (faults.Count == 0 || !faults.IsSubsetOf(AllFaults))
            throw new ArgumentException($"--faults takes a comma-separated list of {string.Join(", ", AllFaults)}");
        var logs = Path.GetFullPath(map.GetValueOrDefault("logs") ?? Path.Combine(Path.GetTempPath(), $"healthactors-faults-{Environment.ProcessId}"));
        Directory.CreateDirectory(logs);
        return new Options(File("api"), File("silo"), postgres, redis, Int("steady", 20, 5, 120), Int("freeze", 15, 5, 60),
            patients, Int("doctors", 4, 2, 20), auctions, Required("pg-restart"), Required("redis-restart"),
            logs, map.GetValueOrDefault("out"), map.GetValueOrDefault("command") ?? "bench/run-faults.sh",
            faults, Int("silos", 2, 2, 5));
    }
}
