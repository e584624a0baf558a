using System.Collections.Concurrent;
using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Marketplace;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace HealthActors.Api.Hubs;

/// <summary>
/// /hubs/marketplace: WatchAuction(auctionId) for the auction's patient or a doctor of its specialty. Events
/// arrive as BidPlaced, BidReplaced, BidWithdrawn, AuctionExtended, AuctionClosed, AuctionExpired, each an
/// AuctionEvent with its per-auction sequence number.
/// </summary>
[Authorize]
public sealed class MarketplaceHub(IGrainFactory grains, AuctionRelay relay) : Hub
{
    public async Task<long> WatchAuction(Guid auctionId)
    {
        if (!await grains.GetGrain<IAuctionGrain>(auctionId).CanWatch(Context.User!.ToCaller()))
            throw new HubException("Auction not found.");
        Watched().TryAdd(auctionId, 0);
        // Every event after this sequence number reaches this connection, in order and once.
        return await relay.Attach(auctionId, Context.ConnectionId);
    }

    public async Task UnwatchAuction(Guid auctionId)
    {
        if (Watched().TryRemove(auctionId, out _)) await relay.Detach(auctionId, Context.ConnectionId);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        foreach (var auctionId in Watched().Keys) await relay.Detach(auctionId, Context.ConnectionId);
        await base.OnDisconnectedAsync(exception);
    }

    private ConcurrentDictionary<Guid, byte> Watched() =>
        (ConcurrentDictionary<Guid, byte>)(Context.Items.TryGetValue("watched", out var w) ? w! : Context.Items["watched"] = new ConcurrentDictionary<Guid, byte>());
}

/// <summary>Forwards each watched auction's events to the SignalR group of its watchers on this node.</summary>
public sealed class AuctionRelay(IGrainFactory grains, IHubContext<MarketplaceHub> hub, IOptions<LiveOptions> options, ILogger<AuctionRelay> log)
    : LiveRelay<AuctionEvent>(options, log), IAuctionWatcher
{
    // Created on first use: in client mode the cluster connection is not up while services are built.
    private IAuctionWatcher? _self;
    private IAuctionWatcher Self => _self ??= grains.CreateObjectReference<IAuctionWatcher>(this);

    public static string Group(Guid auctionId) => "auction:" + auctionId.ToString("N");

    public Task OnAuctionEvents(IReadOnlyList<AuctionEvent> events) => events.Count == 0 ? Task.CompletedTask : Receive(events[0].AuctionId, events);

    protected override long SeqOf(AuctionEvent e) => e.Seq;
    protected override Task<long> Watch(Guid key) => grains.GetGrain<IAuctionGrain>(key).Watch(Self);
    protected override Task Unwatch(Guid key) => grains.GetGrain<IAuctionGrain>(key).Unwatch(Self);
    protected override Task<IReadOnlyList<AuctionEvent>> ReadAfter(Guid key, long afterSeq, int limit) =>
        grains.GetGrain<IAuctionGrain>(key).EventsAfter(afterSeq, limit);
    protected override Task Forward(Guid key, AuctionEvent e) => hub.Clients.Group(Group(key)).SendAsync(e.Type, e);
    protected override Task Join(Guid key, string connectionId) => hub.Groups.AddToGroupAsync(connectionId, Group(key));
    protected override Task Leave(Guid key, string connectionId) => hub.Groups.RemoveFromGroupAsync(connectionId, Group(key));
}
