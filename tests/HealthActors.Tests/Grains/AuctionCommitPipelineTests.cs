using System.Collections.Concurrent;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Abstractions.Marketplace;
using HealthActors.Grains.Marketplace;
using HealthActors.Grains.Storage;
using HealthActors.TestKit;
using HealthActors.Tests.Marketplace;

namespace HealthActors.Tests.Grains;

/// <summary>
/// Two group commits in flight per auction (Marketplace:CommitsInFlight = 2, the test cluster's setting): the next
/// commit starts while the one before is still in flight, yet a bid is answered, and its event sent, only once its own
/// commit and every earlier one are stored; a failed commit fails every commit started after it, and nothing after the
/// gap is answered as stored; the grain's memory stays what the database holds; an accept racing bids has one winner.
/// Commits are held or failed one by one with the faultable store (numbers count from the plan's installation).
/// </summary>
[Collection(RulesCollection.Name)]
public sealed class AuctionCommitPipelineTests(RulesClusterFixture fx)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static TaskCompletionSource Held() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static async Task<(Outcome<Bid>? Outcome, Exception? Error)> Settle(Task<Outcome<Bid>> bid)
    {
        try { return (await bid, null); }
        catch (Exception e) { return (null, e); }
    }

    private async Task<bool> SlotFree(Caller doctor, DateTimeOffset slot)
    {
        var free = await fx.Grains.GetGrain<IDoctorGrain>(doctor.UserId).GetFreeSlots(slot, slot.AddMinutes(30));
        return free!.Slots.Any(s => s.Start == slot);
    }

    [Fact]
    public async Task A_commit_stored_behind_one_still_in_flight_is_neither_answered_nor_sent_until_that_one_is_stored()
    {
        var (id, auction, patient, doctors, from) = await AuctionGrainKit.OpenAuction(fx, await fx.SpecialtyAsync(), 3);
        Assert.True((await auction.PlaceBid(doctors[0], 500m, from, null)).IsOk);
        var log = new AuctionGrainKit.EventLog();
        var watcher = fx.Cluster.Client.CreateObjectReference<IAuctionWatcher>(log);
        Assert.Equal(1, await auction.Watch(watcher));
        // Commit 1 reaches PostgreSQL and is stored, but the grain does not hear so until the test says.
        var plan = new FaultableMarketStore.Plan();
        var answer1 = Held();
        plan.HoldAfter[1] = answer1;
        FaultableMarketStore.Plans[id] = plan;
        try
        {
            var first = auction.PlaceBid(doctors[1], 400m, from.AddMinutes(30), null);
            await Poll.Until(() => Task.FromResult(plan.Stored.ContainsKey(1)), Bound, () => "commit 1 never reached the store");
            // Commit 2 starts while commit 1 is in flight, chains on its token and is stored too.
            var second = auction.PlaceBid(doctors[2], 300m, from.AddMinutes(60), null);
            await Poll.Until(() => Task.FromResult(plan.Stored.TryGetValue(2, out var s) && s), Bound,
                () => $"commit 2 was not stored while commit 1 was in flight ({plan.Commits} commits reached the store)");

            // Stored, but behind a commit whose outcome the grain does not know yet: no answer, no event.
            await Task.Delay(300);
            Assert.False(second.IsCompleted, "a bid was answered before the commit ahead of it was known to be stored");
            Assert.False(first.IsCompleted);
            Assert.Empty(log.Received);

            answer1.SetResult();
            var (a, b) = ((await first).Value!, (await second).Value!);
            Assert.True(a.Order < b.Order);
            var events = await MarketDb.Events(id);
            Assert.Equal([1L, 2, 3], events.Select(e => e.Seq));
            await Poll.Until(() => Task.FromResult(log.Received.Count() >= 2), Bound, () => $"{log.Received.Count()} of 2 events sent");
            Assert.Equal([a.Id, b.Id], log.Received.OrderBy(e => e.Seq).Select(e => e.Bid!.Id));
            Assert.Equal([2L, 3], log.Received.Select(e => e.Seq).Order());
            Assert.Equal(3, (await auction.Get(patient))!.LastSeq);
        }
        finally
        {
            FaultableMarketStore.Plans.TryRemove(id, out _);
            await auction.Unwatch(watcher);
            fx.Cluster.Client.DeleteObjectReference<IAuctionWatcher>(watcher);
        }
    }

    [Fact]
    public async Task A_failed_commit_fails_the_commit_started_after_it_and_every_bid_queued_and_nothing_after_the_gap_is_answered()
    {
        var (id, auction, patient, doctors, from) = await AuctionGrainKit.OpenAuction(fx, await fx.SpecialtyAsync(), 6);
        Assert.True((await auction.PlaceBid(doctors[0], 500m, from, null)).IsOk);
        var plan = new FaultableMarketStore.Plan();
        var reach1 = Held();
        plan.HoldBefore[1] = reach1;
        plan.Fail.Add(1);
        FaultableMarketStore.Plans[id] = plan;
        try
        {
            DateTimeOffset Slot(int i) => from.AddMinutes(30 * i);
            // Commit 1 (doctor 1) waits before PostgreSQL; commit 2 (doctor 2) starts behind it and finds the row
            // without commit 1's token; doctors 3 to 5 queue for the commit after.
            var first = auction.PlaceBid(doctors[1], 400m, Slot(1), null);
            await Poll.Until(() => Task.FromResult(plan.Commits >= 1), Bound, () => "commit 1 never reached the store");
            var second = auction.PlaceBid(doctors[2], 400m, Slot(2), null);
            await Poll.Until(() => Task.FromResult(plan.Stored.ContainsKey(2)), Bound, () => "commit 2 never started while commit 1 was in flight");
            Assert.False(plan.Stored[2]);
            var queued = doctors.Skip(3).Select((d, i) => auction.PlaceBid(d, 400m, Slot(i + 3), null)).ToList();
            await Task.Delay(300);

            reach1.SetResult();
            var results = await Task.WhenAll(new[] { first, second }.Concat(queued).Select(Settle));
            // Every one of them fails as an outage (a 503 at the Api), none is answered as stored or refused as a bid.
            Assert.All(results, r => Assert.IsType<StorageUnavailableException>(r.Error));
            // Commit 2 was not tried again once commit 1 had failed, and nothing started behind the failure.
            Assert.Equal(2, plan.Commits);

            // The database has the first bid only, and the grain says the same; every failed bid's hold is gone.
            var stored = await MarketDb.Bids(id);
            Assert.Single(stored);
            var events = await MarketDb.Events(id);
            Assert.Equal([1L], events.Select(e => e.Seq));
            var view = (await auction.Get(patient))!;
            Assert.Equal(1, view.LastSeq);
            Assert.Single(view.Bids);
            for (var i = 1; i < doctors.Count; i++) Assert.True(await SlotFree(doctors[i], Slot(i)), $"doctor {i}'s failed bid kept its hold");

            // The auction goes on from what is stored.
            Assert.True((await auction.PlaceBid(doctors[3], 350m, Slot(3), null)).IsOk);
            Assert.Equal([1L, 2], (await MarketDb.Events(id)).Select(e => e.Seq));
        }
        finally
        {
            FaultableMarketStore.Plans.TryRemove(id, out _);
        }
    }

    [Fact]
    public async Task A_commit_whose_answer_is_lost_fails_the_one_after_it_even_if_stored_and_the_grain_reads_both_back()
    {
        var (id, auction, patient, doctors, from) = await AuctionGrainKit.OpenAuction(fx, await fx.SpecialtyAsync(), 4);
        Assert.True((await auction.PlaceBid(doctors[0], 500m, from, null)).IsOk);
        var plan = new FaultableMarketStore.Plan();
        var answer1 = Held();
        plan.HoldAfter[1] = answer1;
        plan.FailAfterStoring.Add(1);
        FaultableMarketStore.Plans[id] = plan;
        try
        {
            DateTimeOffset Slot(int i) => from.AddMinutes(30 * i);
            var first = auction.PlaceBid(doctors[1], 400m, Slot(1), null);
            await Poll.Until(() => Task.FromResult(plan.Stored.ContainsKey(1)), Bound, () => "commit 1 never reached the store");
            var second = auction.PlaceBid(doctors[2], 400m, Slot(2), null);
            await Poll.Until(() => Task.FromResult(plan.Stored.TryGetValue(2, out var s) && s), Bound, () => "commit 2 was not stored behind commit 1");

            // Commit 1 was stored but its answer is lost: the grain cannot tell, so neither bid is answered as stored.
            answer1.SetResult();
            var results = await Task.WhenAll(Settle(first), Settle(second));
            Assert.All(results, r => Assert.IsType<StorageUnavailableException>(r.Error));

            // Both are in the database, and the grain read them back: it shows them, keeps their holds, and the next
            // bid continues the stored numbering.
            Assert.Equal(3, (await MarketDb.Bids(id)).Count);
            var events = await MarketDb.Events(id);
            Assert.Equal([1L, 2, 3], events.Select(e => e.Seq));
            var view = (await auction.Get(patient))!;
            Assert.Equal(3, view.LastSeq);
            Assert.Equal(3, view.Bids.Count);
            Assert.False(await SlotFree(doctors[1], Slot(1)), "a stored bid lost its hold");
            Assert.False(await SlotFree(doctors[2], Slot(2)), "a stored bid lost its hold");
            Assert.True((await auction.PlaceBid(doctors[3], 400m, Slot(3), null)).IsOk);
            Assert.Equal(4, (await MarketDb.Events(id))[^1].Seq);
        }
        finally
        {
            FaultableMarketStore.Plans.TryRemove(id, out _);
        }
    }

    [Fact]
    public async Task An_accept_racing_pipelined_bids_has_one_winner_and_no_bid_is_stored_after_the_close()
    {
        var (id, auction, patient, doctors, from) = await AuctionGrainKit.OpenAuction(fx, await fx.SpecialtyAsync(), 8);
        DateTimeOffset Slot(int i) => from.AddMinutes(30 * i);
        var opening = await Task.WhenAll(doctors.Select((d, i) => auction.PlaceBid(d, 500m, Slot(i), null)));
        Assert.All(opening, o => Assert.True(o.IsOk, o.Failure?.Detail));
        // Commits are slowed a little so that several are in flight when the accepts arrive.
        var plan = new FaultableMarketStore.Plan();
        for (var n = 1; n <= 40; n++)
        {
            var gate = Held();
            plan.HoldBefore[n] = gate;
            _ = Task.Delay(20 * n).ContinueWith(_ => gate.TrySetResult(), TaskScheduler.Default);
        }
        FaultableMarketStore.Plans[id] = plan;
        try
        {
            var bids = doctors.Skip(2).SelectMany((d, i) => new[] { 400m, 300m, 200m }.Select(p => auction.PlaceBid(d, p, Slot(i + 2), null))).ToList();
            var accepts = new[] { opening[0].Value!, opening[1].Value! }
                .Select((b, i) => auction.Accept(patient, b.Id, RulesClusterFixture.Card(), $"pipeline-accept-{i}-{id:N}")).ToList();
            var bidOutcomes = await Task.WhenAll(bids);
            var acceptOutcomes = await Task.WhenAll(accepts);

            Assert.Single(acceptOutcomes, o => o.IsOk);
            Assert.All(acceptOutcomes.Where(o => !o.IsOk), o => Assert.Equal(MarketReasons.AlreadyDecided, o.Failure!.Reason));
            Assert.All(bidOutcomes.Where(o => !o.IsOk), o => Assert.Contains(o.Failure!.Reason, new[] { MarketReasons.Closed, MarketReasons.NotBetter }));

            // The stored record: numbered without a gap, one close and it is the last event, every answered bid stored.
            var events = await MarketDb.Events(id);
            Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
            Assert.Single(events, e => e.Type == AuctionEventTypes.AuctionClosed);
            Assert.Equal(AuctionEventTypes.AuctionClosed, events[^1].Type);
            var stored = await MarketDb.Bids(id);
            Assert.All(bidOutcomes.Where(o => o.IsOk), o => Assert.True(stored.ContainsKey(o.Value!.Id)));
            Assert.Equal(opening.Length + bidOutcomes.Count(o => o.IsOk), stored.Count);

            var view = (await auction.Get(patient))!;
            Assert.Equal(AuctionStatus.Accepted, view.Status);
            Assert.Contains(view.WinningBidId!.Value, new[] { opening[0].Value!.Id, opening[1].Value!.Id });
        }
        finally
        {
            FaultableMarketStore.Plans.TryRemove(id, out _);
        }
    }
}
