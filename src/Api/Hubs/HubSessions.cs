using System.Collections.Concurrent;
using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Identity;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace HealthActors.Api.Hubs;

/// <summary>Configuration section "Hubs".</summary>
public sealed class HubConnectionOptions
{
    public const string Section = "Hubs";

    /// <summary>Open hub connections one user may hold on one Api node, across all hubs.</summary>
    public int MaxConnectionsPerUser { get; set; } = 20;

    /// <summary>How often the node re-checks the sessions behind its open connections.</summary>
    public double SessionCheckSeconds { get; set; } = 5;
}

/// <summary>
/// The hub connections this node holds, by user and session. A token is checked only when a connection opens,
/// so without this a socket would outlive a logout, a replayed refresh token or a role change for as long as
/// the client kept it open; and one token could open sockets without bound.
/// </summary>
public sealed class HubSessions(IOptions<HubConnectionOptions> options)
{
    private readonly Dictionary<Guid, List<Entry>> _byUser = [];
    private readonly object _gate = new();

    private sealed record Entry(string ConnectionId, TokenSession Session, HubCallerContext Context);

    /// <summary>False when the user already holds the maximum number of connections here.</summary>
    public bool TryOpen(TokenSession session, HubCallerContext context)
    {
        lock (_gate)
        {
            if (!_byUser.TryGetValue(session.UserId, out var list)) _byUser[session.UserId] = list = [];
            if (list.Count >= Math.Max(1, options.Value.MaxConnectionsPerUser)) return false;
            list.Add(new Entry(context.ConnectionId, session, context));
            return true;
        }
    }

    public void Close(Guid userId, string connectionId)
    {
        lock (_gate)
        {
            if (!_byUser.TryGetValue(userId, out var list)) return;
            list.RemoveAll(e => e.ConnectionId == connectionId);
            if (list.Count == 0) _byUser.Remove(userId);
        }
    }

    public int CountFor(Guid userId)
    {
        lock (_gate) return _byUser.TryGetValue(userId, out var list) ? list.Count : 0;
    }

    /// <summary>Each distinct session with an open connection here, once.</summary>
    public IReadOnlyList<TokenSession> Sessions()
    {
        lock (_gate) return _byUser.Values.SelectMany(l => l.Select(e => e.Session)).Distinct().ToList();
    }

    /// <summary>Aborts every connection opened under the session; their OnDisconnected then removes them.</summary>
    public int Abort(TokenSession session)
    {
        List<HubCallerContext> doomed;
        lock (_gate)
        {
            doomed = _byUser.TryGetValue(session.UserId, out var list)
                ? list.Where(e => e.Session == session).Select(e => e.Context).ToList()
                : [];
        }
        foreach (var context in doomed) context.Abort();
        return doomed.Count;
    }
}

/// <summary>Admits a hub connection only within the user's cap, and keeps <see cref="HubSessions"/> current.</summary>
public sealed class HubSessionFilter(HubSessions sessions) : IHubFilter
{
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        // Every hub is [Authorize], and the token was validated (session included) before the connection opened.
        var session = context.Context.User?.ToSession() ?? throw new HubException("The token carries no session.");
        if (!sessions.TryOpen(session, context.Context))
            throw new HubException("Too many open connections for this user; close one and try again.");
        try
        {
            await next(context);
        }
        catch
        {
            // SignalR does not call OnDisconnected for a connection whose OnConnected failed: free its place here.
            sessions.Close(session.UserId, context.Context.ConnectionId);
            throw;
        }
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        // A connection refused above was never added; removing it by id is then a no-op.
        if (context.Context.User?.ToSession() is { } session) sessions.Close(session.UserId, context.Context.ConnectionId);
        await next(context, exception);
    }
}

/// <summary>
/// Every few seconds, asks the account grain of each session with an open connection here whether the session
/// still stands, and aborts the connections of those that ended. The work per sweep is one call per distinct
/// session on this node, which the per-user connection cap bounds.
/// </summary>
public sealed class HubSessionSweep(HubSessions sessions, IGrainFactory grains, IOptions<HubConnectionOptions> options, ILogger<HubSessionSweep> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(0.1, options.Value.SessionCheckSeconds)));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await Sweep(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The cluster may be briefly unreachable; the next tick tries again, and no connection is dropped on doubt.
                log.LogWarning(e, "Hub session sweep failed");
            }
        }
    }

    public async Task Sweep(CancellationToken ct)
    {
        await Parallel.ForEachAsync(sessions.Sessions(), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (s, _) =>
        {
            if (await grains.GetGrain<IAccountGrain>(s.UserId).IsSessionValid(s.SessionId, s.Role)) return;
            var aborted = sessions.Abort(s);
            if (aborted > 0) log.LogInformation("Closed {Count} hub connection(s) of an ended session of user {UserId}", aborted, s.UserId);
        });
    }
}
