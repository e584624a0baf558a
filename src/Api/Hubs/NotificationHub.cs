using System.Collections.Concurrent;
using HealthActors.Api.Auth;
using HealthActors.Grains;
using HealthActors.Grains.Abstractions.Notifications;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.IdentityModel.JsonWebTokens;
using Orleans.Streams;

namespace HealthActors.Api.Hubs;

/// <summary>/hubs/notifications: pushes "notification" events to the signed-in user's connections.</summary>
[Authorize]
public sealed class NotificationHub(NotificationRelay relay) : Hub
{
    public override async Task OnConnectedAsync()
    {
        await relay.Attach(Context.User!.ToCaller().UserId);
        await base.OnConnectedAsync();
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        await relay.Detach(Context.User!.ToCaller().UserId);
        await base.OnDisconnectedAsync(exception);
    }
}

/// <summary>SignalR addresses users by the token's subject (the user id).</summary>
public sealed class SubjectUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) => connection.User?.FindFirst(JwtRegisteredClaimNames.Sub)?.Value;
}

/// <summary>
/// Subscribes this Api node to the Orleans stream of each user who has a connection here, and forwards what
/// arrives to that user's connections. No SignalR backplane: every node serves only its own connections.
/// </summary>
public sealed class NotificationRelay(IClusterClient cluster, IHubContext<NotificationHub> hub, ILogger<NotificationRelay> log)
{
    private readonly ConcurrentDictionary<Guid, Subscription> _subscriptions = new();

    private sealed class Subscription
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public int Connections;
        public StreamSubscriptionHandle<Notification>? Handle;
    }

    public async Task Attach(Guid userId)
    {
        var s = _subscriptions.GetOrAdd(userId, _ => new Subscription());
        await s.Gate.WaitAsync();
        try
        {
            if (s.Connections++ > 0) return;
            s.Handle = await Stream(userId).SubscribeAsync((n, _) =>
                hub.Clients.User(userId.ToString()).SendAsync("notification", n));
        }
        finally { s.Gate.Release(); }
    }

    public async Task Detach(Guid userId)
    {
        if (!_subscriptions.TryGetValue(userId, out var s)) return;
        await s.Gate.WaitAsync();
        try
        {
            if (--s.Connections > 0 || s.Handle is null) return;
            try { await s.Handle.UnsubscribeAsync(); }
            catch (Exception e) when (e is not OutOfMemoryException) { log.LogWarning("Unsubscribe failed: {Error}", e.GetType().Name); }
            s.Handle = null;
        }
        finally { s.Gate.Release(); }
    }

    private IAsyncStream<Notification> Stream(Guid userId) =>
        cluster.GetStreamProvider(StorageNames.StreamProvider).GetStream<Notification>(StreamId.Create(NotificationStreams.Namespace, userId));
}
