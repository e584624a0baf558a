namespace HealthActors.Bench;

/// <summary>Options of the chat-turn bench (the default mode).</summary>
internal sealed class BenchOptions : RunOptions
{
    public int Users { get; private set; } = 50;
    public bool PgAsyncCommit { get; private set; }
    /// <summary>Conversations of the open-loop scenario; 0 leaves it out.</summary>
    public int OpenConversations { get; private set; } = 50;
    public TimeSpan OpenInterval { get; private set; } = TimeSpan.FromSeconds(2);
    public TimeSpan OpenDuration { get; private set; } = TimeSpan.FromSeconds(20);

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
          --open N          open-loop scenario: N conversations each sending on a fixed schedule (default 50; 0: none)
          --open-interval S seconds between one conversation's messages in the open loop (default 2)
          --open-duration S measured seconds of the open loop per path, split over the rounds (default 20)
          --pg-async-commit the Api's PostgreSQL sessions commit without waiting for the WAL flush
                            (synchronous_commit=off): shows what durable commits cost; not how the product runs
        """, CommonUsage, "Environment: ConnectionStrings__Postgres and ConnectionStrings__Redis (bench/run-chat.sh provides them).");

    protected override bool ApplyOwn(string name, Func<string> next)
    {
        switch (name)
        {
            case "--users": Users = Bounded(next(), 1, 500, "--users"); return true;
            case "--pg-async-commit": PgAsyncCommit = true; return true;
            case "--open": OpenConversations = Bounded(next(), 0, 1000, "--open"); return true;
            case "--open-interval": OpenInterval = Seconds(next(), allowZero: false); return true;
            case "--open-duration": OpenDuration = Seconds(next(), allowZero: false); return true;
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
        $"bench/run-chat.sh {CommonArguments()} --users {Users} --open {OpenConversations} --open-interval {Invariant(OpenInterval)} " +
        $"--open-duration {Invariant(OpenDuration)}" + (PgAsyncCommit ? " --pg-async-commit" : "");
}
