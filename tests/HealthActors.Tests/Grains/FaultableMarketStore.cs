using System.Collections.Concurrent;
using HealthActors.Grains.Abstractions.Marketplace;
using HealthActors.Grains.Marketplace;
using Npgsql;

namespace HealthActors.Tests.Grains;

/// <summary>
/// The PostgreSQL market store with faults a test arms for one auction: hold its commits at a gate, or fail chosen
/// ones (by their number, counting from 1) as a lost connection would. Auctions without a plan pass straight through.
/// </summary>
public sealed class FaultableMarketStore(IMarketStore inner) : IMarketStore
{
    public sealed class Plan
    {
        private int _commits;
        public TaskCompletionSource Gate { get; set; } = CompletedGate();
        /// <summary>Numbers of the commits to fail.</summary>
        public HashSet<int> Fail { get; } = [];
        public int Commits => Volatile.Read(ref _commits);
        /// <summary>Per commit, in the order they reached the store: the bids in it and whether it was failed.</summary>
        public ConcurrentQueue<(IReadOnlyList<Guid> Bids, bool Failed)> Seen { get; } = new();
        internal int Next() => Interlocked.Increment(ref _commits);
    }

    public static readonly ConcurrentDictionary<Guid, Plan> Plans = new();

    public static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }

    public async Task<bool> Commit(AuctionCommit commit)
    {
        if (!Plans.TryGetValue(commit.Summary.Id, out var plan)) return await inner.Commit(commit);
        var number = plan.Next();
        await plan.Gate.Task;
        var fail = plan.Fail.Contains(number);
        plan.Seen.Enqueue(([.. commit.Bids.Select(b => b.Id)], fail));
        if (fail) throw new NpgsqlException("injected: connection lost during the auction commit");
        return await inner.Commit(commit);
    }

    public Task<StoredAuctionState?> LoadState(Guid auctionId) => inner.LoadState(auctionId);
    public Task<IReadOnlyList<AuctionEvent>> Events(Guid auctionId, long afterSeq, int limit) => inner.Events(auctionId, afterSeq, limit);
    public Task<IReadOnlyList<AuctionSummary>> ForPatient(Guid patientId, int page, int pageSize) => inner.ForPatient(patientId, page, pageSize);
    public Task<IReadOnlyList<Guid>> AuctionsWithStandingBidsBy(Guid doctorId) => inner.AuctionsWithStandingBidsBy(doctorId);
}
