using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Notifications;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace HealthActors.Api.Hubs;

/// <summary>/hubs/notifications: pushes "notification" events to the signed-in user's connections.</summary>
[Authorize]
public sealed class NotificationHub(NotificationRelay relay) : Hub
{
    public override async Task OnConnectedAsync()
    {
        await relay.Attach(Context.User!.ToCaller().UserId, Context.ConnectionId);
        await base.OnConnectedAsync();
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        await relay.Detach(Context.User!.ToCaller().UserId, Context.ConnectionId);
        await base.OnDisconnectedAsync(exception);
    }
}

/// <summary>SignalR addresses users by the token's subject (the user id).</summary>
public sealed class SubjectUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) => connection.User?.FindFirst(JwtRegisteredClaimNames.Sub)?.Value;
}

/// <summary>Forwards each user's new notifications to that user's connections on this node.</summary>
public sealed class NotificationRelay(IGrainFactory grains, IHubContext<NotificationHub> hub, IOptions<LiveOptions> options, ILogger<NotificationRelay> log)
    : LiveRelay<InboxEvent>(options, log), IInboxWatcher
{
    private IInboxWatcher? _self;
    private IInboxWatcher Self => _self ??= grains.CreateObjectReference<IInboxWatcher>(this);

    public Task OnInboxEvent(InboxEvent e) => Receive(e.Notification.UserId, e);

    protected override long SeqOf(InboxEvent e) => e.Seq;
    protected override Task<long> Watch(Guid key) => grains.GetGrain<IInboxGrain>(key).Watch(Self);
    protected override Task Unwatch(Guid key) => grains.GetGrain<IInboxGrain>(key).Unwatch(Self);
    protected override Task<IReadOnlyList<InboxEvent>> ReadAfter(Guid key, long afterSeq, int limit) =>
        grains.GetGrain<IInboxGrain>(key).After(afterSeq, limit);
    // SignalR addresses a user's connections by the token's subject, which is the user id.
    protected override Task Forward(Guid key, InboxEvent e) => hub.Clients.User(key.ToString()).SendAsync("notification", e.Notification);
}
