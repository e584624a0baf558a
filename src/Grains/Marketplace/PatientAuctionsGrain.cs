using HealthActors.Grains.Abstractions.Marketplace;

namespace HealthActors.Grains.Marketplace;

[GenerateSerializer, Alias("ha.market.PatientAuctionsState")]
public sealed class PatientAuctionsState
{
    /// <summary>Open auctions by id, each with the latest moment it can still be open.</summary>
    [Id(0)] public Dictionary<Guid, DateTimeOffset> Open { get; set; } = [];
}

/// <summary>
/// Counts one patient's open auctions. Non-reentrant, so concurrent creations queue here and at most the limit
/// get through. Each entry lapses by itself at the auction's latest possible close: an auction that never
/// reported its end (its silo died between two steps) cannot hold a place for ever.
/// </summary>
public sealed class PatientAuctionsGrain(
    [PersistentState("patient-auctions", StorageNames.Store)] IPersistentState<PatientAuctionsState> state,
    TimeProvider time) : Grain, IPatientAuctionsGrain
{
    public async Task<bool> TryOpen(Guid auctionId, DateTimeOffset openUntil, int limit)
    {
        var open = state.State.Open;
        if (open.ContainsKey(auctionId)) return true;
        var now = time.GetUtcNow();
        foreach (var lapsed in open.Where(a => a.Value <= now).Select(a => a.Key).ToList()) open.Remove(lapsed);
        if (open.Count >= limit) return false;
        open[auctionId] = openUntil;
        await state.WriteStateAsync();
        return true;
    }

    public async Task Release(Guid auctionId)
    {
        if (state.State.Open.Remove(auctionId)) await state.WriteStateAsync();
    }
}
