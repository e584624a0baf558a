using System.Collections.Concurrent;
using HealthActors.Api.Auth;
using HealthActors.Grains;
using HealthActors.Grains.Abstractions.Marketplace;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Orleans.Streams;

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
        var auction = await grains.GetGrain<IAuctionGrain>(auctionId).Get(Context.User!.ToCaller());
        if (auction is null) throw new HubException("Auction not found.");
        var watched = Watched();
        if (watched.TryAdd(auctionId, 0))
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, AuctionRelay.Group(auctionId));
            await relay.Attach(auctionId);
        }
        // The sequence the watcher has seen in the snapshot; anything after it arrives as events.
        return auction.LastSeq;
    }

    public async Task UnwatchAuction(Guid auctionId)
    {
        if (Watched().TryRemove(auctionId, out _))
        {
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, AuctionRelay.Group(auctionId));
            await relay.Detach(auctionId);
        }
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        foreach (var auctionId in Watched().Keys) await relay.Detach(auctionId);
        await base.OnDisconnectedAsync(exception);
    }

    private ConcurrentDictionary<Guid, byte> Watched() =>
        (ConcurrentDictionary<Guid, byte>)(Context.Items.TryGetValue("watched", out var w) ? w! : Context.Items["watched"] = new ConcurrentDictionary<Guid, byte>());
}

/// <summary>This node's subscriptions to auction streams, one per auction with a watcher connected here.</summary>
public sealed class AuctionRelay(IClusterClient cluster, IHubContext<MarketplaceHub> hub, ILogger<AuctionRelay> log)
{
    private readonly ConcurrentDictionary<Guid, Subscription> _subscriptions = new();

    private sealed class Subscription
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public int Watchers;
        public StreamSubscriptionHandle<AuctionEvent>? Handle;
    }

    public static string Group(Guid auctionId) => "auction:" + auctionId.ToString("N");

    public async Task Attach(Guid auctionId)
    {
        var s = _subscriptions.GetOrAdd(auctionId, _ => new Subscription());
        await s.Gate.WaitAsync();
        try
        {
            if (s.Watchers++ > 0) return;
            s.Handle = await cluster.GetStreamProvider(StorageNames.StreamProvider)
                .GetStream<AuctionEvent>(StreamId.Create(AuctionStreams.Namespace, auctionId))
                .SubscribeAsync((e, _) => hub.Clients.Group(Group(auctionId)).SendAsync(e.Type, e));
        }
        finally { s.Gate.Release(); }
    }

    public async Task Detach(Guid auctionId)
    {
        if (!_subscriptions.TryGetValue(auctionId, out var s)) return;
        await s.Gate.WaitAsync();
        try
        {
            if (--s.Watchers > 0 || s.Handle is null) return;
            try { await s.Handle.UnsubscribeAsync(); }
            catch (Exception e) when (e is not OutOfMemoryException) { log.LogWarning("Unsubscribe failed: {Error}", e.GetType().Name); }
            s.Handle = null;
        }
        finally { s.Gate.Release(); }
    }
}
