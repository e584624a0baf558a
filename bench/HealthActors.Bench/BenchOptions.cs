namespace HealthActors.Bench;

/// <summary>Options of the chat-turn bench (the default mode).</summary>
internal sealed class BenchOptions : RunOptions
{
    public int Users { get; private set; } = 50;
    public bool PgAsyncCommit { get; private set; }

    private BenchOptions()
    {
        Levels = [1, 50, 500];
    }

    protected override int MaxLevel => 5000;

    protected override string Usage => string.Join('\n', """
        usage: bench/run-chat.sh [options]   (or dotnet HealthActors.Bench.dll [chat] [options] with the connection strings set)
          defaults: --warmup 2 --duration 10 --rounds 2 --levels 1,50,500 --users 50
          --levels A,B,C    concurrent conversations per level
          --users N         at most this many users and SignalR connections; conversations are spread over them
          --pg-async-commit the Api's PostgreSQL sessions commit without waiting for the WAL flush
                            (synchronous_commit=off): shows what durable commits cost; not how the product runs
        """, CommonUsage, "Environment: ConnectionStrings__Postgres and ConnectionStrings__Redis (bench/run-chat.sh provides them).");

    protected override bool ApplyOwn(string name, Func<string> next)
    {
        switch (name)
        {
            case "--users": Users = Bounded(next(), 1, 500, "--users"); return true;
            case "--pg-async-commit": PgAsyncCommit = true; return true;
            default: return false;
        }
    }

    /// <summary>The options, or null after printing usage (help asked for, or a bad argument).</summary>
    public static BenchOptions? Parse(string[] args, string root)
    {
        var o = new BenchOptions { RepositoryRoot = root };
        return o.Parse(args) ? o : null;
    }

    /// <summary>The command line that reproduces this run, with every load setting spelled out.</summary>
    public string ReproduceCommand() =>
        $"bench/run-chat.sh {CommonArguments()} --users {Users}" + (PgAsyncCommit ? " --pg-async-commit" : "");
}
