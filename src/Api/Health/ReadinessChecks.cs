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
            // Requests do not go through Redis: grain calls, storage and the silos' probes carry on without it. What
            // waits for it is the membership table (joins, departures, new gateways) and reminder registrations. So
            // the node stays in the load balancer, and the "cluster" check says whether serving still works.
            return HealthCheckResult.Degraded("Redis is unreachable: " + e.GetType().Name
                + "; serving goes on, cluster membership changes and new reminders wait for it");
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

/// <summary>
/// The cluster can serve when its silos answer. The management grain's host list is read from the membership table
/// (Redis), so while Redis is down it fails although every silo answers; the fallback asks the silos themselves,
/// those that one silo believes active (its last known view), for their runtime statistics, which needs no table.
/// Answers from the fallback are Degraded: the view may be out of date until the table can be read again.
/// </summary>
public sealed class ClusterReadiness(IClusterClient client) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(4);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var management = client.GetGrain<IManagementGrain>(0);
        string tableError;
        try
        {
            var hosts = await management.GetHosts(onlyActive: true).WaitAsync(Timeout, ct);
            return hosts.Count > 0
                ? HealthCheckResult.Healthy($"{hosts.Count} active silo(s)")
                : HealthCheckResult.Unhealthy("no active silo");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            tableError = e.GetType().Name;
        }
        try
        {
            // An empty list means "the silos this silo knows to be active"; each answers for itself.
            var answering = await management.GetRuntimeStatistics([]).WaitAsync(Timeout, ct);
            return answering.Length > 0
                ? HealthCheckResult.Degraded($"{answering.Length} active silo(s) answer; the membership table is unreadable ({tableError})")
                : HealthCheckResult.Unhealthy("no active silo");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return HealthCheckResult.Unhealthy($"Orleans cluster is unreachable: {tableError}, then {e.GetType().Name}");
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
            && !http.Request.Headers.ContainsKey("Forwarded")
            // Set by the forwarded-headers middleware when it took the address from a trusted proxy's header.
            && !http.Request.Headers.ContainsKey("X-Original-For");
    }
}
