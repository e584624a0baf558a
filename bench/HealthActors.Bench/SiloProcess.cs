using System.Globalization;
using HealthActors.TestKit;
using StackExchange.Redis;

namespace HealthActors.Bench;

internal static class BenchCluster
{
    public static (string ClusterId, string ServiceId) NewIds()
    {
        var runId = Guid.NewGuid().ToString("N")[..12];
        return ("bench-" + runId, "bench-" + runId);
    }

    /// <summary>
    /// Every run uses fresh cluster and service ids: their membership entries and reminders (which no silo will ever
    /// serve again) would otherwise stay in Redis for good.
    /// </summary>
    public static async Task ForgetAsync(string redis, string clusterId, string serviceId)
    {
        try
        {
            await using var mux = await ConnectionMultiplexer.ConnectAsync(redis);
            await mux.GetDatabase().KeyDeleteAsync([$"{serviceId}/members/{clusterId}", $"{serviceId}/reminders"]);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Console.Error.WriteLine($"[bench] could not remove the bench cluster's keys from Redis: {e.Message}");
        }
    }
}

/// <summary>
/// A Release silo as its own process, on Redis clustering and PostgreSQL storage, as ./run.sh starts it; Apis (and the
/// bench's own Orleans client) join its cluster as clients.
/// </summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly string _redis;
    private int _stopped;

    public string ClusterId { get; }
    public string ServiceId { get; }
    public int GatewayPort { get; }
    public int Pid => _process.Pid;
    public bool HasExited => _process.HasExited;
    public string Output => _process.Output;
    public TimeSpan CpuTime => _process.CpuTime;

    private SiloProcess(ChildProcess process, string redis, string clusterId, string serviceId, int gatewayPort)
    {
        _process = process;
        _redis = redis;
        ClusterId = clusterId;
        ServiceId = serviceId;
        GatewayPort = gatewayPort;
    }

    /// <param name="settings">Environment variables applied last (e.g. DOTNET_GCHeapHardLimit for the shedding run).</param>
    public static SiloProcess Start(string siloDll, string postgres, string redis, string logPath, IReadOnlyDictionary<string, string>? settings = null)
    {
        var (clusterId, serviceId) = BenchCluster.NewIds();
        var gatewayPort = FreePort.Next();
        var env = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Postgres"] = postgres,
            ["ConnectionStrings__Redis"] = redis,
            ["Orleans__ClusterId"] = clusterId,
            ["Orleans__ServiceId"] = serviceId,
            ["Orleans__SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture),
            ["Logging__LogLevel__Default"] = "Warning",
            ["DOTNET_ENVIRONMENT"] = "Production",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) env[key] = value;
        var process = ChildProcess.Start("silo", siloDll, [], env, logPath);
        return new SiloProcess(process, redis, clusterId, serviceId, gatewayPort);
    }

    /// <summary>Resident set size (VmRSS) of the silo process, from /proc; null when it cannot be read.</summary>
    public long? WorkingSetBytes()
    {
        try
        {
            var line = File.ReadLines($"/proc/{Pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            var kb = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            return kb is null ? null : long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    public void KillNow() => _process.Kill();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        await _process.StopAsync(TimeSpan.FromSeconds(20));
        await _process.DisposeAsync();
        await BenchCluster.ForgetAsync(_redis, ClusterId, ServiceId);
    }
}
