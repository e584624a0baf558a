using System.Collections.Concurrent;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Abstractions.Marketplace;

namespace HealthActors.Tests.Grains;

/// <summary>What the auction grain's commit tests share: an open auction with doctors of its specialty, and a watcher
/// that keeps what it was pushed.</summary>
internal static class AuctionGrainKit
{
    /// <summary>Every event pushed to one watcher, as it came. Messages may overtake each other (the Api's relay orders them by number); the events inside one come in order.</summary>
    public sealed class EventLog : IAuctionWatcher
    {
        public ConcurrentQueue<IReadOnlyList<AuctionEvent>> Messages { get; } = new();
        public IEnumerable<AuctionEvent> Received => Messages.SelectMany(m => m);
        public Task OnAuctionEvents(IReadOnlyList<AuctionEvent> events)
        {
            Messages.Enqueue(events);
            return Task.CompletedTask;
        }
    }

    /// <summary>An auction for tomorrow morning's ten hours, open for an hour, and <paramref name="doctors"/> doctors of its specialty (USD, as the auction).</summary>
    public static async Task<(Guid Id, IAuctionGrain Grain, Caller Patient, List<Caller> Doctors, DateTimeOffset From)> OpenAuction(
        RulesClusterFixture fx, Guid specialty, int doctors)
    {
        var patient = new Caller(Guid.NewGuid(), Roles.Patient);
        var from = RulesClusterFixture.TomorrowMorning();
        var id = Guid.NewGuid();
        var grain = fx.Grains.GetGrain<IAuctionGrain>(id);
        var spec = new AuctionSpec("sore throat for a week", specialty, null, "USD", from, from.AddHours(10), DateTimeOffset.UtcNow.AddHours(1));
        Assert.True((await grain.Create(patient, spec)).IsOk);
        var list = new List<Caller>();
        for (var i = 0; i < doctors; i++) list.Add(await fx.DoctorAsync(specialty, "USD"));
        return (id, grain, patient, list, from);
    }
}
