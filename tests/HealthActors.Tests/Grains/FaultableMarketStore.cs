using System.Collections.Concurrent;
using HealthActors.Grains.Abstractions.Marketplace;
using HealthActors.Grains.Marketplace;
using Npgsql;

namespace HealthActors.Tests.Grains;

/// <summary>
/// The PostgreSQL market store with faults a test arms for one auction: hold its commits at a gate, hold chosen ones
/// (by their number, counting from 1, retries counted too) before they reach PostgreSQL or after it stored them, or
/// fail chosen ones as a lost connection would: before PostgreSQL saw them, or after it committed them (the answer
/// lost). Auctions without a plan pass straight through.
/// </summary>
public sealed class FaultableMarketStore(IMarketStore inner) : IMarketStore
{
    public sealed class Plan
    {
        private int _commits;
        public TaskCompletionSource Gate { get; set; } = CompletedGate();
        /// <summary>Numbers of the commits to fail.</summary>
        public HashSet<int> Fail { get; } = [];
        /// <summary>Numbers of the commits to fail after PostgreSQL stored them.</summary>
        public HashSet<int> FailAfterStoring { get; } = [];
        /// <summary>Per commit number: held here before it reaches PostgreSQL.</summary>
        public ConcurrentDictionary<int, TaskCompletionSource> HoldBefore { get; } = new();
        /// <summary>Per commit number: held here after PostgreSQL answered, before the grain hears it.</summary>
        public ConcurrentDictionary<int, TaskCompletionSource> HoldAfter { get; } = new();
        /// <summary>Per commit number: what PostgreSQL answered (true: stored), set before any hold after it.</summary>
        public ConcurrentDictionary<int, bool> Stored { get; } = new();
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
        if (plan.HoldBefore.TryGetValue(number, out var before)) await before.Task;
        var fail = plan.Fail.Contains(number);
        plan.Seen.Enqueue(([.. commit.Bids.Select(b => b.Id)], fail));
        if (fail) throw new NpgsqlException("injected: connection lost during the auction commit");
        var stored = await inner.Commit(commit);
        plan.Stored[number] = stored;
        if (plan.HoldAfter.TryGetValue(number, out var after)) await after.Task;
        if (plan.FailAfterStoring.Contains(number)) throw new NpgsqlException("injected: connection lost after the auction commit");
        return stored;
    }

    public Task<StoredAuctionState?> LoadState(Guid auctionId) => inner.LoadState(auctionId);
    public Task<IReadOnlyList<AuctionEvent>> Events(Guid auctionId, long afterSeq, int limit) => inner.Events(auctionId, afterSeq, limit);
    public Task<IReadOnlyList<AuctionSummary>> ForPatient(Guid patientId, int page, int pageSize) => inner.ForPatient(patientId, page, pageSize);
    public Task<IReadOnlyList<Guid>> AuctionsWithStandingBidsBy(Guid doctorId) => inner.AuctionsWithStandingBidsBy(doctorId);
}
