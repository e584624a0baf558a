using HealthActors.Grains.Abstractions.Marketplace;
using Orleans.Concurrency;

namespace HealthActors.Grains.Marketplace;

[GenerateSerializer, Alias("ha.market.AuctionBoardState")]
public sealed class AuctionBoardState
{
    [Id(0)] public Dictionary<Guid, AuctionSummary> Open { get; set; } = [];
}

public sealed class AuctionBoardGrain(
    [PersistentState("auction-board", StorageNames.Store)] IPersistentState<AuctionBoardState> state) : Grain, IAuctionBoardGrain
{
    public async Task Open(AuctionSummary auction)
    {
        state.State.Open[auction.Id] = auction;
        await state.WriteStateAsync();
    }

    public async Task Update(AuctionSummary auction)
    {
        if (!state.State.Open.ContainsKey(auction.Id)) return;
        state.State.Open[auction.Id] = auction;
        await state.WriteStateAsync();
    }

    public async Task Remove(Guid auctionId)
    {
        if (state.State.Open.Remove(auctionId)) await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<AuctionSummary>> List(int page, int pageSize) =>
        Task.FromResult<IReadOnlyList<AuctionSummary>>(state.State.Open.Values.OrderBy(a => a.ClosesAt).ThenBy(a => a.Id)
            .Skip((page - 1) * pageSize).Take(pageSize).ToList());
}

[StatelessWorker]
public sealed class AuctionQueryGrain(IMarketStore store) : Grain, IAuctionQueryGrain
{
    public Task<IReadOnlyList<AuctionSummary>> ForPatient(Guid patientId, int page, int pageSize) => store.ForPatient(patientId, page, pageSize);
}
