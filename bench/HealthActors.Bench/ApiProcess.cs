using System.Security.Cryptography;
using HealthActors.TestKit;

namespace HealthActors.Bench;

/// <summary>
/// The real Api as a child process (the test kit's launcher), real PostgreSQL and Redis: the product as deployed, not
/// a test host. With an embedded silo by default, or as an Orleans client of a <see cref="SiloProcess"/>'s cluster
/// (the ./run.sh topology). Its output goes to a log file so a failed start can be shown.
/// </summary>
internal sealed class ApiProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private int _stopped;

    public Uri BaseAddress { get; }
    public string ClusterId { get; }
    public string ServiceId { get; }
    public string LogPath => _process.LogPath!;

    private ApiProcess(ChildProcess process, Uri baseAddress, string clusterId, string serviceId)
    {
        _process = process;
        BaseAddress = baseAddress;
        ClusterId = clusterId;
        ServiceId = serviceId;
    }

    /// <summary>
    /// <paramref name="settings"/> are environment variables for what the bench at hand needs (a model, an admin);
    /// they are applied last and win. With <paramref name="clientOf"/> the Api hosts no silo and joins that cluster
    /// as a client, as ./run.sh starts it.
    /// </summary>
    public static ApiProcess Start(string apiDll, string postgres, string redis, string logPath, IReadOnlyDictionary<string, string> settings,
        SiloProcess? clientOf = null)
    {
        // A fresh cluster per run: a silo left over from a killed run must never be taken for a live peer.
        var (clusterId, serviceId) = clientOf is null ? BenchCluster.NewIds() : (clientOf.ClusterId, clientOf.ServiceId);
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        string[] orleans = clientOf is null
            ? ["--Orleans:Mode=Embedded", "--Orleans:SiloPort=" + FreePort.Next(), "--Orleans:GatewayPort=" + FreePort.Next()]
            : ["--Orleans:Mode=Client"];
        string[] args =
        [
            .. orleans,
            "--Orleans:ClusterId=" + clusterId,
            "--Orleans:ServiceId=" + serviceId,
            "--urls", baseAddress.ToString().TrimEnd('/'),
            "--Api:DataDirectory=" + Path.GetDirectoryName(logPath),
        ];
        var env = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Postgres"] = postgres,
            ["ConnectionStrings__Redis"] = redis,
            ["Jwt__SigningKey"] = RandomKey(48),
            // Registration is rate limited per address and every bench user comes from 127.0.0.1.
            ["RateLimiting__AuthPermitsPerWindow"] = "1000000",
            // A bench account books, bids or chats far faster than a person; the per-user limits are not what is measured.
            ["RateLimiting__UserRequestsPerMinute"] = "100000000",
            ["RateLimiting__ModelCallsPerMinute"] = "100000000",
            ["Logging__LogLevel__Default"] = "Warning",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
            // An admin from the caller's environment would add a slow password hash to the start and nothing to the
            // bench; a bench that needs one brings its own in the settings.
            ["Admin__Email"] = null,
            ["Admin__Password"] = null,
        };
        foreach (var (key, value) in settings) env[key] = value;
        return new ApiProcess(ChildProcess.Start("api", apiDll, args, env, logPath), baseAddress, clusterId, serviceId);
    }

    public TimeSpan CpuTime => _process.CpuTime;
    public int Pid => _process.Pid;

    public Task WaitReadyAsync(TimeSpan timeout, CancellationToken ct) =>
        _process.WaitReadyAsync(new Uri(BaseAddress, "/health/ready"), timeout, ct);

    /// <summary>
    /// SIGTERM first, so the silo leaves the cluster and closes its connections; killed if it has not gone
    /// within the grace period. Safe to call more than once and from any thread.
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        await _process.StopAsync(grace);
    }

    /// <summary>For the paths that cannot wait (Ctrl-C twice, process exit): no child may outlive the bench.</summary>
    public void KillNow() => _process.Kill();

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(20));
        await _process.DisposeAsync();
    }

    public static string RandomKey(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return RandomNumberGenerator.GetString(alphabet, length);
    }
}
