using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using Orleans.Concurrency;

namespace HealthActors.Grains.Abstractions.Marketplace;

[GenerateSerializer, Immutable, Alias("ha.market.TimeWindow")]
public sealed record TimeWindow([property: Id(0)] DateTimeOffset? From, [property: Id(1)] DateTimeOffset? To);

public sealed record NewAuction(string? Symptoms, Guid? SpecialtyId, decimal? MaxPrice, string? Currency, TimeWindow? Window, DateTimeOffset? ClosesAt);

[GenerateSerializer, Immutable, Alias("ha.market.AuctionSpec")]
public sealed record AuctionSpec(
    [property: Id(0)] string Symptoms,
    [property: Id(1)] Guid? SpecialtyId,
    [property: Id(2)] decimal? MaxPrice,
    [property: Id(3)] string Currency,
    [property: Id(4)] DateTimeOffset WindowFrom,
    [property: Id(5)] DateTimeOffset WindowTo,
    [property: Id(6)] DateTimeOffset ClosesAt);

[GenerateSerializer, Alias("ha.market.AuctionStatus")]
public enum AuctionStatus { Open = 0, Closed = 1, Accepted = 2, Cancelled = 3, Expired = 4 }

[GenerateSerializer, Immutable, Alias("ha.market.Bid")]
public sealed record Bid(
    [property: Id(0)] Guid Id,
    [property: Id(1)] Guid DoctorId,
    [property: Id(2)] string DoctorName,
    [property: Id(3)] double DoctorRating,
    [property: Id(4)] decimal Price,
    [property: Id(5)] DateTimeOffset SlotStart,
    [property: Id(6)] DateTimeOffset SlotEnd,
    [property: Id(7)] string? Message,
    [property: Id(8)] DateTimeOffset PlacedAt,
    [property: Id(9)] long Order);

[GenerateSerializer, Immutable, Alias("ha.market.AuctionView")]
public sealed record AuctionView(
    [property: Id(0)] Guid Id,
    [property: Id(1)] Guid PatientId,
    [property: Id(2)] Guid SpecialtyId,
    [property: Id(3)] string Symptoms,
    [property: Id(4)] decimal? MaxPrice,
    [property: Id(5)] string Currency,
    [property: Id(6)] DateTimeOffset WindowFrom,
    [property: Id(7)] DateTimeOffset WindowTo,
    [property: Id(8)] DateTimeOffset ClosesAt,
    [property: Id(9)] DateTimeOffset GraceUntil,
    [property: Id(10)] AuctionStatus Status,
    [property: Id(11)] IReadOnlyList<Bid> Bids,
    [property: Id(12)] Guid? WinningBidId,
    [property: Id(13)] Guid? AppointmentId,
    [property: Id(14)] long LastSeq,
    [property: Id(15)] DateTimeOffset CreatedAt,
    /// <summary>Red-flag categories found in the symptoms (empty when none): the request is still created, but it is an emergency.</summary>
    [property: Id(16)] IReadOnlyList<string>? RedFlags = null,
    /// <summary>For an emergency: what to do now, in the patient's language with their country's numbers; null otherwise.</summary>
    [property: Id(17)] string? Guidance = null);

public static class AuctionEventTypes
{
    public const string BidPlaced = "BidPlaced";
    public const string BidReplaced = "BidReplaced";
    public const string BidWithdrawn = "BidWithdrawn";
    public const string AuctionExtended = "AuctionExtended";
    public const string AuctionClosed = "AuctionClosed";
    public const string AuctionExpired = "AuctionExpired";
}

[GenerateSerializer, Immutable, Alias("ha.market.AuctionEvent")]
public sealed record AuctionEvent(
    [property: Id(0)] Guid AuctionId,
    [property: Id(1)] long Seq,
    [property: Id(2)] string Type,
    [property: Id(3)] Bid? Bid,
    [property: Id(4)] Guid? PreviousBidId,
    [property: Id(5)] DateTimeOffset ClosesAt,
    [property: Id(6)] AuctionStatus Status,
    [property: Id(7)] Guid? WinningBidId,
    [property: Id(8)] string? Reason,
    [property: Id(9)] DateTimeOffset At);

[GenerateSerializer, Immutable, Alias("ha.market.AuctionSummary")]
public sealed record AuctionSummary(
    [property: Id(0)] Guid Id,
    [property: Id(1)] Guid PatientId,
    [property: Id(2)] Guid SpecialtyId,
    [property: Id(3)] AuctionStatus Status,
    [property: Id(4)] DateTimeOffset ClosesAt,
    [property: Id(5)] decimal? MaxPrice,
    [property: Id(6)] string Currency,
    [property: Id(7)] DateTimeOffset WindowFrom,
    [property: Id(8)] DateTimeOffset WindowTo,
    [property: Id(9)] int BidCount,
    [property: Id(10)] DateTimeOffset CreatedAt);

[Alias("ha.market.IAuctionGrain")]
public interface IAuctionGrain : IGrainWithGuidKey
{
    [Alias("Create")] Task<Outcome<AuctionView>> Create(Caller patient, AuctionSpec spec);
    [Alias("Get")] Task<AuctionView?> Get(Caller caller);
    [Alias("CanWatch")] Task<bool> CanWatch(Caller caller);
    /// <summary>Interleaves with other bids (group commit); the grain keeps every other call apart from bids itself.</summary>
    [AlwaysInterleave, Alias("PlaceBid")] Task<Outcome<Bid>> PlaceBid(Caller doctor, decimal price, DateTimeOffset slotStart, string? message);
    [Alias("WithdrawBid")] Task<Outcome<Bid>> WithdrawBid(Caller doctor, Guid bidId);
    [Alias("Accept")] Task<Outcome<AppointmentView>> Accept(Caller patient, Guid bidId, CardDetails card, string idempotencyKey);
    [Alias("Cancel")] Task<Outcome<AuctionView>> Cancel(Caller patient);
    [Alias("Events")] Task<IReadOnlyList<AuctionEvent>?> Events(Caller caller, long afterSeq, int limit);

    /// <summary>
    /// For the doctor grain retiring a doctor, not for end users: withdraws that doctor's standing bid, if any, while the
    /// auction is undecided, and publishes BidWithdrawn. Idempotent.
    /// </summary>
    [Alias("WithdrawRetiredDoctor")] Task WithdrawRetiredDoctor(Guid doctorId);

    // For the Api nodes' relays, not for end users: the hub checks CanWatch/Get before a connection joins.
    /// <summary>Registers (or renews) an Api node's watcher for a few minutes; returns the last sequence number.</summary>
    [Alias("Watch")] Task<long> Watch(IAuctionWatcher watcher);
    [Alias("Unwatch")] Task Unwatch(IAuctionWatcher watcher);
    /// <summary>Stored events after a sequence number, oldest first, for a relay closing a gap.</summary>
    [Alias("EventsAfter")] Task<IReadOnlyList<AuctionEvent>> EventsAfter(long afterSeq, int limit);
}

/// <summary>
/// An Api node's receiver of auction events (an observer object in the Api process). One-way: a slow or
/// vanished node never holds up the auction; the node notices a gap by sequence number and reads it back.
/// </summary>
[Alias("ha.market.IAuctionWatcher")]
public interface IAuctionWatcher : IGrainObserver
{
    /// <summary>
    /// The events of one commit, in sequence order, as one message: a group commit of fifty bids costs each node one
    /// message rather than fifty, and the node cannot receive them out of order among themselves.
    /// </summary>
    [OneWay, Alias("OnAuctionEvents")] Task OnAuctionEvents(IReadOnlyList<AuctionEvent> events);
}

/// <summary>The open auctions of one specialty, for doctors looking for work.</summary>
[Alias("ha.market.IAuctionBoardGrain")]
public interface IAuctionBoardGrain : IGrainWithGuidKey
{
    [Alias("Open")] Task Open(AuctionSummary auction);
    [Alias("Update")] Task Update(AuctionSummary auction);
    [Alias("Remove")] Task Remove(Guid auctionId);
    [Alias("List")] Task<IReadOnlyList<AuctionSummary>> List(int page, int pageSize);
}

[Alias("ha.market.IAuctionQueryGrain")]
public interface IAuctionQueryGrain : IGrainWithIntegerKey
{
    [Alias("ForPatient")] Task<IReadOnlyList<AuctionSummary>> ForPatient(Guid patientId, int page, int pageSize);
}


/// <summary>
/// The auctions one patient has open: the single writer that caps them (auctions are separate grains, so no
/// one of them can count the others). Keyed by the patient's id.
/// </summary>
[Alias("ha.market.IPatientAuctionsGrain")]
public interface IPatientAuctionsGrain : IGrainWithGuidKey
{
    /// <summary>
    /// Counts the auction as open until <paramref name="openUntil"/> (or its release), unless <paramref name="limit"/>
    /// are open already: false then. Asking again for an auction already counted is true.
    /// </summary>
    [Alias("TryOpen")] Task<bool> TryOpen(Guid auctionId, DateTimeOffset openUntil, int limit);
    /// <summary>The auction stopped taking bids (closed, accepted, cancelled or expired).</summary>
    [Alias("Release")] Task Release(Guid auctionId);
}
