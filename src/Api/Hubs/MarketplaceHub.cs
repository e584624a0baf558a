using System.Collections.Concurrent;
using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Marketplace;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

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

/// <summary>Forwards each watched auction's stream to the SignalR group of its watchers on this node.</summary>
public sealed class AuctionRelay(IClusterClient cluster, IHubContext<MarketplaceHub> hub, ILogger<AuctionRelay> log)
{
    private readonly StreamRelay<AuctionEvent> _relay = new(cluster, AuctionStreams.Namespace,
        (auctionId, e) => hub.Clients.Group(Group(auctionId)).SendAsync(e.Type, e), log);

    public static string Group(Guid auctionId) => "auction:" + auctionId.ToString("N");

    public Task Attach(Guid auctionId) => _relay.Attach(auctionId);
    public Task Detach(Guid auctionId) => _relay.Detach(auctionId);
}
