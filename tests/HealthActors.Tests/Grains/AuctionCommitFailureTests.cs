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
/// An auction's group commit when it fails: a failed commit fails every bid queued behind it, and nothing after it is
/// answered as stored; a commit whose answer is lost fails its bids although stored, and the grain reads it back; the
/// grain's memory stays what the database holds; an accept racing bids has one winner. Commits are held or failed one
/// by one with the faultable store (numbers count from the plan's installation).
/// </summary>
[Collection(RulesCollection.Name)]
public sealed class AuctionCommitFailureTests(RulesClusterFixture fx)
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
    public async Task A_failed_commit_fails_every_bid_queued_behind_it_and_nothing_after_it_is_answered()
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
            // Commit 1 (doctor 1) waits before PostgreSQL; doctors 2 to 5 queue for the commit after it.
            var first = auction.PlaceBid(doctors[1], 400m, Slot(1), null);
            await Poll.Until(() => Task.FromResult(plan.Commits >= 1), Bound, () => "commit 1 never reached the store");
            var queued = doctors.Skip(2).Select((d, i) => auction.PlaceBid(d, 400m, Slot(i + 2), null)).ToList();
            await Task.Delay(300);

            reach1.SetResult();
            var results = await Task.WhenAll(new[] { first }.Concat(queued).Select(Settle));
            // Every one of them fails as an outage (a 503 at the Api), none is answered as stored or refused as a bid:
            // the queued bids were checked against state that held the failed one.
            Assert.All(results, r => Assert.IsType<StorageUnavailableException>(r.Error));
            // Nothing was committed on top of the failure.
            Assert.Equal(1, plan.Commits);

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
    public async Task A_commit_whose_answer_is_lost_fails_its_bid_and_the_one_queued_behind_it_and_the_grain_reads_it_back()
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
            await Task.Delay(300);

            // Commit 1 was stored but its answer is lost: the grain cannot tell, so its bid is not answered as stored,
            // and the bid queued behind it (checked against state that held it) fails with it.
            answer1.SetResult();
            var results = await Task.WhenAll(Settle(first), Settle(second));
            Assert.All(results, r => Assert.IsType<StorageUnavailableException>(r.Error));
            Assert.Equal(1, plan.Commits);

            // The stored one is in the database, and the grain read it back: it shows it and keeps its hold; the queued
            // one is nowhere and its hold is gone; the next bid continues the stored numbering.
            Assert.Equal(2, (await MarketDb.Bids(id)).Count);
            var events = await MarketDb.Events(id);
            Assert.Equal([1L, 2], events.Select(e => e.Seq));
            var view = (await auction.Get(patient))!;
            Assert.Equal(2, view.LastSeq);
            Assert.Equal(2, view.Bids.Count);
            Assert.False(await SlotFree(doctors[1], Slot(1)), "a stored bid lost its hold");
            Assert.True(await SlotFree(doctors[2], Slot(2)), "a failed bid kept its hold");
            Assert.True((await auction.PlaceBid(doctors[3], 400m, Slot(3), null)).IsOk);
            Assert.Equal(3, (await MarketDb.Events(id))[^1].Seq);
        }
        finally
        {
            FaultableMarketStore.Plans.TryRemove(id, out _);
        }
    }

    [Fact]
    public async Task An_accept_racing_slowed_bid_commits_has_one_winner_and_no_bid_is_stored_after_the_close()
    {
        var (id, auction, patient, doctors, from) = await AuctionGrainKit.OpenAuction(fx, await fx.SpecialtyAsync(), 8);
        DateTimeOffset Slot(int i) => from.AddMinutes(30 * i);
        var opening = await Task.WhenAll(doctors.Select((d, i) => auction.PlaceBid(d, 500m, Slot(i), null)));
        Assert.All(opening, o => Assert.True(o.IsOk, o.Failure?.Detail));
        // Commits are slowed a little so that bids are queued and committing when the accepts arrive.
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
                .Select((b, i) => auction.Accept(patient, b.Id, RulesClusterFixture.Card(), $"racing-accept-{i}-{id:N}")).ToList();
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
