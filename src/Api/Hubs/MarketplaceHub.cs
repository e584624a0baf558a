using System.Collections.Concurrent;
using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Marketplace;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace HealthActors.Api.Hubs;

/// <summary>
/// /hubs/marketplace, for the auction's patient or a doctor of its specialty (anyone else, and an auction that does
/// not exist: HubException "Auction not found."). Two ways to follow an auction, which a connection may mix:
/// <list type="bullet">
/// <item>WatchAuction(auctionId): each event arrives as its own message named after its type (BidPlaced, BidReplaced,
/// BidWithdrawn, AuctionExtended, AuctionClosed, AuctionExpired), each an AuctionEvent with its per-auction sequence
/// number.</item>
/// <item>WatchAuctionBatched(auctionId): the events arrive as AuctionEvents messages, each an array of AuctionEvent
/// in sequence order: what the auction stored in one group commit is one message, not one per bid.</item>
/// </list>
/// Both return the sequence number after which the connection receives every event, in order and once.
/// UnwatchAuction(auctionId) stops both.
/// </summary>
[Authorize]
public sealed class MarketplaceHub(IGrainFactory grains, AuctionRelay relay) : Hub
{
    /// <summary>The message a batched watcher receives: an array of events in sequence order.</summary>
    public const string BatchEvent = "AuctionEvents";

    public Task<long> WatchAuction(Guid auctionId) => Watch(auctionId, batched: false);

    public Task<long> WatchAuctionBatched(Guid auctionId) => Watch(auctionId, batched: true);

    private async Task<long> Watch(Guid auctionId, bool batched)
    {
        if (!await grains.GetGrain<IAuctionGrain>(auctionId).CanWatch(Context.User!.ToCaller()))
            throw new HubException("Auction not found.");
        Watched().TryAdd((auctionId, batched), 0);
        // Every event after this sequence number reaches this connection, in order and once.
        return await relay.Attach(auctionId, AuctionRelay.Member(Context.ConnectionId, batched));
    }

    public async Task UnwatchAuction(Guid auctionId)
    {
        foreach (var batched in new[] { false, true })
            if (Watched().TryRemove((auctionId, batched), out _)) await relay.Detach(auctionId, AuctionRelay.Member(Context.ConnectionId, batched));
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        foreach (var (auctionId, batched) in Watched().Keys) await relay.Detach(auctionId, AuctionRelay.Member(Context.ConnectionId, batched));
        await base.OnDisconnectedAsync(exception);
    }

    private ConcurrentDictionary<(Guid Auction, bool Batched), byte> Watched() =>
        (ConcurrentDictionary<(Guid, bool), byte>)(Context.Items.TryGetValue("watched", out var w) ? w! : Context.Items["watched"] = new ConcurrentDictionary<(Guid, bool), byte>());
}

/// <summary>
/// Forwards each watched auction's events to the SignalR groups of its watchers on this node: one group gets a message
/// per event, the other (batched watchers) one message per run of events the relay forwards at once.
/// </summary>
public sealed class AuctionRelay(IGrainFactory grains, IHubContext<MarketplaceHub> hub, IOptions<LiveOptions> options, ILogger<AuctionRelay> log)
    : LiveRelay<AuctionEvent>(options, log), IAuctionWatcher
{
    // A batched watch is its own member of the feed, so one connection may watch both ways and leave either.
    // SignalR connection ids never contain '/'.
    private const string BatchedSuffix = "/batched";

    // Created on first use: in client mode the cluster connection is not up while services are built.
    private IAuctionWatcher? _self;
    // Internal for tests that take this node off a grain's watchers to make a gap.
    internal IAuctionWatcher Self => _self ??= grains.CreateObjectReference<IAuctionWatcher>(this);

    public static string Group(Guid auctionId) => "auction:" + auctionId.ToString("N");
    public static string BatchedGroup(Guid auctionId) => "auction-batched:" + auctionId.ToString("N");

    /// <summary>The relay's name for a connection watching an auction one way or the other.</summary>
    public static string Member(string connectionId, bool batched) => batched ? connectionId + BatchedSuffix : connectionId;

    public Task OnAuctionEvents(IReadOnlyList<AuctionEvent> events) => events.Count == 0 ? Task.CompletedTask : Receive(events[0].AuctionId, events);

    protected override long SeqOf(AuctionEvent e) => e.Seq;
    protected override Task<long> Watch(Guid key) => grains.GetGrain<IAuctionGrain>(key).Watch(Self);
    protected override Task Unwatch(Guid key) => grains.GetGrain<IAuctionGrain>(key).Unwatch(Self);
    protected override Task<IReadOnlyList<AuctionEvent>> ReadAfter(Guid key, long afterSeq, int limit) =>
        grains.GetGrain<IAuctionGrain>(key).EventsAfter(afterSeq, limit);
    protected override Task Forward(Guid key, AuctionEvent e) => hub.Clients.Group(Group(key)).SendAsync(e.Type, e);

    protected override async Task Forward(Guid key, IReadOnlyList<AuctionEvent> run)
    {
        // SignalR serializes a group message once per protocol and writes those bytes to each connection: a run of fifty
        // events costs the batched watchers one frame each instead of fifty.
        var batched = hub.Clients.Group(BatchedGroup(key)).SendAsync(MarketplaceHub.BatchEvent, run);
        foreach (var e in run) await Forward(key, e);
        await batched;
    }

    protected override Task Join(Guid key, string member) => hub.Groups.AddToGroupAsync(ConnectionOf(member, out var batched), batched ? BatchedGroup(key) : Group(key));
    protected override Task Leave(Guid key, string member) => hub.Groups.RemoveFromGroupAsync(ConnectionOf(member, out var batched), batched ? BatchedGroup(key) : Group(key));

    private static string ConnectionOf(string member, out bool batched)
    {
        batched = member.EndsWith(BatchedSuffix, StringComparison.Ordinal);
        return batched ? member[..^BatchedSuffix.Length] : member;
    }
}
