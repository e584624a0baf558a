using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Notifications;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.IdentityModel.JsonWebTokens;

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

/// <summary>Forwards each user's notification stream to that user's connections on this node.</summary>
public sealed class NotificationRelay(IClusterClient cluster, IHubContext<NotificationHub> hub, ILogger<NotificationRelay> log)
{
    private readonly StreamRelay<Notification> _relay = new(cluster, NotificationStreams.Namespace,
        (userId, n) => hub.Clients.User(userId.ToString()).SendAsync("notification", n), log);

    public Task Attach(Guid userId) => _relay.Attach(userId);
    public Task Detach(Guid userId) => _relay.Detach(userId);
}
