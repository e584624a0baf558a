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

    public static void LiveEventForwarded(string feed) => LiveEvents.Add(1, new KeyValuePair<string, object?>("feed", feed));
    public static void Booked(bool fromBid) => Bookings.Add(1, new KeyValuePair<string, object?>("source", fromBid ? "bid" : "direct"));
    public static void BidStored(bool replaced) => Bids.Add(1, new KeyValuePair<string, object?>("kind", replaced ? "replaced" : "new"));
    public static void ModelCalled(bool ok) => ModelCalls.Add(1, new KeyValuePair<string, object?>("outcome", ok ? "ok" : "error"));
    public static void FellBack(string reason) => ModelFallbacks.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
