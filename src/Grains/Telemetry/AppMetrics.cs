using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace HealthActors.Grains.Telemetry;

/// <summary>
/// Our own instruments, in one meter and one activity source named "HealthActors", so a collector needs one name to
/// take them all. A static meter rather than IMeterFactory: the same counters are bumped from grains, the silo's
/// services and the Api's relays, and a process holds at most one silo and one Api. Tags carry outcomes and kinds
/// only, never a user id or any text a person wrote.
/// </summary>
public static class AppMetrics
{
    public const string Name = "HealthActors";

    public static readonly Meter Meter = new(Name);
    public static readonly ActivitySource Source = new(Name);

    private static readonly Counter<long> LiveEvents = Meter.CreateCounter<long>(
        "healthactors.live.events", "{event}", "Live events an Api node's relay forwarded to its SignalR connections.");
    private static readonly Counter<long> Bookings = Meter.CreateCounter<long>(
        "healthactors.bookings", "{booking}", "Appointments booked (slot held, paid and confirmed).");
    private static readonly Counter<long> Bids = Meter.CreateCounter<long>(
        "healthactors.bids", "{bid}", "Bids stored by auctions.");
    private static readonly Counter<long> ModelCalls = Meter.CreateCounter<long>(
        "healthactors.model.calls", "{call}", "Streaming calls to the language model, by outcome.");
    private static readonly Counter<long> ModelFallbacks = Meter.CreateCounter<long>(
        "healthactors.model.fallbacks", "{answer}", "Chat answers given wholly or partly by the offline assistant, by reason.");

    // Where a bid's time goes inside its auction: how long one commit takes (one PostgreSQL round trip and WAL flush)
    // and how many bids it carries; a bid waits for the commit in flight, then for its own.
    private static readonly Histogram<double> AuctionCommitDuration = Meter.CreateHistogram(
        "healthactors.auction.commit.duration", "ms", "Time one auction commit took (state, bids and events in one batch).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 30, 50, 75, 100, 150, 250, 500, 1000] });
    private static readonly Histogram<int> AuctionCommitBids = Meter.CreateHistogram(
        "healthactors.auction.commit.bids", "{bid}", "Bids stored together by one auction commit.",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500] });

    public static void AuctionCommitted(TimeSpan took, int bids)
    {
        AuctionCommitDuration.Record(took.TotalMilliseconds);
        AuctionCommitBids.Record(bids);
    }

    public static void LiveEventForwarded(string feed) => LiveEvents.Add(1, new KeyValuePair<string, object?>("feed", feed));
    public static void Booked(bool fromBid) => Bookings.Add(1, new KeyValuePair<string, object?>("source", fromBid ? "bid" : "direct"));
    public static void BidStored(bool replaced) => Bids.Add(1, new KeyValuePair<string, object?>("kind", replaced ? "replaced" : "new"));
    public static void ModelCalled(bool ok) => ModelCalls.Add(1, new KeyValuePair<string, object?>("outcome", ok ? "ok" : "error"));
    public static void FellBack(string reason) => ModelFallbacks.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
