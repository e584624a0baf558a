namespace HealthActors.Bench;

/// <summary>Options of the signed-in hot-read bench (bench/run-profile.sh).</summary>
internal sealed class ProfileBenchOptions : RunOptions
{
    /// <summary>Signed-in patients per topology; the in-flight requests take turns over them.</summary>
    public int Users { get; private set; } = 16;
    /// <summary>Also measure the client Api with Auth:SessionCache=false (a grain call per request for the session).</summary>
    public bool Uncached { get; private set; } = true;
    public string? SiloDll { get; private set; }
    /// <summary>Settings (KEY=VALUE,...) of one more client Api of the same silo, measured beside the others: a before/after in one run.</summary>
    public Dictionary<string, string>? Before { get; private set; }

    private ProfileBenchOptions()
    {
        Levels = [32];
        Duration = TimeSpan.FromSeconds(6);
        Rounds = 3;
    }

    protected override int MaxLevel => 256;

    protected override string Usage => string.Join('\n', """
        usage: bench/run-profile.sh [options]   (or dotnet HealthActors.Bench.dll profile [options] with the connection strings set)
          defaults: --warmup 2 --duration 6 --rounds 3 --levels 32 --users 16
          --users N         signed-in patients per topology (registration is a slow password hash)
          --no-uncached     skip the client Api with Auth:SessionCache=false
          --before K=V,...  also measure a client Api of the same silo started with these settings (environment
                            style, e.g. Auth__TokenCache=false,Telemetry__Tracing=true): a before/after in one run
          --silo FILE       the silo dll (default src/Silo/bin/Release/net10.0/HealthActors.Silo.dll)
        """, CommonUsage, "Environment: ConnectionStrings__Postgres and ConnectionStrings__Redis (bench/run-profile.sh provides them).");

    protected override bool ApplyOwn(string name, Func<string> next)
    {
        switch (name)
        {
            case "--users": Users = Bounded(next(), 1, 256, "--users"); return true;
            case "--no-uncached": Uncached = false; return true;
            case "--silo": SiloDll = Path.GetFullPath(next()); return true;
            case "--before":
                Before = next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(kv => kv.Split('=', 2))
                    .ToDictionary(kv => kv[0], kv => kv.Length == 2 ? kv[1] : throw new ArgumentException("--before takes KEY=VALUE pairs"));
                return true;
            default: return false;
        }
    }

    public static async Task<int> RunAsync(string[] args, string root, Func<BenchSession, ProfileBenchOptions, Task<int>> measure)
    {
        var o = new ProfileBenchOptions { RepositoryRoot = root };
        if (!o.Parse(args)) return args.Contains("--help") || args.Contains("-h") ? 0 : 2;
        o.SiloDll ??= Path.Combine(root, "src", "Silo", "bin", "Release", "net10.0", "HealthActors.Silo.dll");
        return await BenchSession.RunAsync(root, session => measure(session, o));
    }

    public string ReproduceCommand() => $"bench/run-profile.sh {CommonArguments()} --users {Users}{(Uncached ? "" : " --no-uncached")}{(Before is null ? "" : " --before " + string.Join(',', Before.Select(kv => $"{kv.Key}={kv.Value}")))}";
}
