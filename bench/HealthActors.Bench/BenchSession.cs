using System.Diagnostics;
using System.Runtime.InteropServices;

namespace HealthActors.Bench;

/// <summary>
/// What every bench mode needs around its measurements: the connection strings, Ctrl-C and SIGTERM, one HTTP
/// client, and the Api child process, which must never outlive the bench whichever way it ends.
/// </summary>
internal sealed class BenchSession : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration _sigterm;
    private readonly ConsoleCancelEventHandler _onCtrlC;
    private readonly EventHandler _onExit;
    private ApiProcess? _api;

    public string Root { get; }
    public string Postgres { get; }
    public string Redis { get; }
    public CancellationToken Token => _stop.Token;
    public Stopwatch Wall { get; } = Stopwatch.StartNew();
    public HttpClient Http { get; } = new(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    private BenchSession(string root, string postgres, string redis)
    {
        Root = root;
        Postgres = postgres;
        Redis = redis;
        _onCtrlC = (_, e) =>
        {
            e.Cancel = true;
            if (_stop.IsCancellationRequested)
            {
                // Second Ctrl-C: the user no longer waits for a clean stop.
                _api?.KillNow();
                Environment.Exit(130);
            }
            Console.Error.WriteLine("[bench] stopping (Ctrl-C again to kill at once)");
            _stop.Cancel();
        };
        Console.CancelKeyPress += _onCtrlC;
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            _stop.Cancel();
        });
        // Last line of defence (unhandled exception, Environment.Exit): the Api must not outlive the bench.
        _onExit = (_, _) => _api?.KillNow();
        AppDomain.CurrentDomain.ProcessExit += _onExit;
    }

    /// <summary>Runs one bench mode: 2 without the connection strings, 130 when cancelled, 1 when it failed.</summary>
    public static async Task<int> RunAsync(string root, Func<BenchSession, Task<int>> body)
    {
        var postgres = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres");
        var redis = Environment.GetEnvironmentVariable("ConnectionStrings__Redis");
        if (string.IsNullOrWhiteSpace(postgres) || string.IsNullOrWhiteSpace(redis))
        {
            Console.Error.WriteLine("ConnectionStrings__Postgres and ConnectionStrings__Redis must be set; the bench/run-*.sh scripts provide them.");
            return 2;
        }
        await using var session = new BenchSession(root, postgres, redis);
        try
        {
            return await body(session);
        }
        catch (OperationCanceledException) when (session.Token.IsCancellationRequested)
        {
            Console.Error.WriteLine("[bench] cancelled");
            return 130;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"[bench] failed: {e}");
            return 1;
        }
    }

    /// <summary>Starts the Api (see <see cref="ApiProcess.Start"/>) and waits until it reports ready.</summary>
    public async Task<ApiProcess> StartApiAsync(string apiDll, string postgres, string logName, IReadOnlyDictionary<string, string> settings)
    {
        if (_api is not null) throw new InvalidOperationException("The Api is already started.");
        _api = ApiProcess.Start(apiDll, postgres, Redis, Path.Combine(Root, ".data", "bench", logName), settings);
        Console.WriteLine($"[bench] Api starting on {_api.BaseAddress} (cluster {_api.ClusterId}, log {_api.LogPath})");
        await _api.WaitReadyAsync(TimeSpan.FromSeconds(120), Token);
        Console.WriteLine($"[bench] Api ready after {Wall.Elapsed.TotalSeconds:0.0} s");
        return _api;
    }

    public async ValueTask DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
            await ForgetClusterAsync(_api);
        }
        AppDomain.CurrentDomain.ProcessExit -= _onExit;
        Console.CancelKeyPress -= _onCtrlC;
        _sigterm.Dispose();
        Http.Dispose();
        _stop.Dispose();
    }

    private Task ForgetClusterAsync(ApiProcess api) => BenchCluster.ForgetAsync(Redis, api.ClusterId, api.ServiceId);

    public static string? FindRepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "HealthActors.sln"))) return dir.FullName;
        }
        return null;
    }
}
