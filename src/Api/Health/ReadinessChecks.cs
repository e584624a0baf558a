using System.Net;
using System.Text.Json;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using StackExchange.Redis;

namespace HealthActors.Api.Health;

public sealed class PostgresReadiness(IServiceProvider services, ClusterSettings settings) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        if (!settings.UsesPostgres) return HealthCheckResult.Healthy("not configured: grain state is in memory");
        try
        {
            await using var cmd = services.GetRequiredService<NpgsqlDataSource>().CreateCommand("SELECT 1");
            await cmd.ExecuteScalarAsync(ct);
            return HealthCheckResult.Healthy("reachable");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL is unreachable: " + e.GetType().Name);
        }
    }
}

public sealed class RedisReadiness(ClusterSettings settings) : IHealthCheck, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ConnectionMultiplexer? _redis;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        if (!settings.UsesRedis) return HealthCheckResult.Healthy("not configured: localhost clustering");
        try
        {
            var redis = await Connect();
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(3), ct);
            return HealthCheckResult.Healthy($"reachable ({latency.TotalMilliseconds:0.0} ms)");
        }
        catch (Exception e) when (e is RedisException or TimeoutException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("Redis is unreachable: " + e.GetType().Name);
        }
    }

    private async Task<ConnectionMultiplexer> Connect()
    {
        if (_redis is { IsConnected: true }) return _redis;
        await _gate.WaitAsync();
        try
        {
            if (_redis is { IsConnected: true }) return _redis;
            var options = ConfigurationOptions.Parse(settings.Redis!);
            options.AbortOnConnectFail = false;
            options.ConnectTimeout = 3000;
            _redis ??= await ConnectionMultiplexer.ConnectAsync(options);
            return _redis;
        }
        finally { _gate.Release(); }
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null) await _redis.DisposeAsync();
    }
}

public sealed class ClusterReadiness(IClusterClient client) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var hosts = await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(5), ct);
            return hosts.Count > 0
                ? HealthCheckResult.Healthy($"{hosts.Count} active silo(s)")
                : HealthCheckResult.Unhealthy("no active silo");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return HealthCheckResult.Unhealthy("Orleans cluster is unreachable: " + e.GetType().Name);
        }
    }
}

/// <summary>
/// Writes a health report. Anyone may learn whether the node is ready; which dependency failed, and why, is a
/// map of the deployment, so it goes only to an admin's token or to a caller on this machine (a probe or an
/// operator on the host). A request that came through a proxy on this machine carries forwarding headers and
/// is not local; a request with no remote address at all (a Unix socket, the in-process test server) is not
/// counted as local either, so tests and sockets must show an admin token to see the details.
/// </summary>
public static class HealthResponse
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Task Write(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        object body = MayReadDetails(http)
            ? new
            {
                status = report.Status.ToString(),
                failing = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => e.Key).ToArray(),
                checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
            }
            : new { status = report.Status.ToString() };
        return http.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }

    public static bool MayReadDetails(HttpContext http)
    {
        if (http.User.IsInRole(Roles.Admin)) return true;
        var remote = http.Connection.RemoteIpAddress;
        return remote is not null && IPAddress.IsLoopback(remote)
            && !http.Request.Headers.ContainsKey("X-Forwarded-For")
            && !http.Request.Headers.ContainsKey("Forwarded");
    }
}
