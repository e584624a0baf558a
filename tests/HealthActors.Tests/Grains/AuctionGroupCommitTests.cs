using System.Collections.Concurrent;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Abstractions.Marketplace;
using HealthActors.Grains.Marketplace;
using HealthActors.Grains.Storage;
using HealthActors.TestKit;
using HealthActors.Tests.Marketplace;

namespace HealthActors.Tests.Grains;

/// <summary>
/// Group commit in the auction grain: bids racing into one auction are stored together, each answered only after
/// its commit, in exactly the stored order; a failed commit fails every bid in it and leaves the grain's memory
/// equal to the database; watchers get every stored event once, in order.
/// </summary>
[Collection(RulesCollection.Name)]
public sealed class AuctionGroupCommitTests(RulesClusterFixture fx)
{
    [Fact]
    public async Task Racing_bidders_get_exactly_the_committed_order_with_nothing_lost_or_invented_and_watchers_see_it_once_in_order()
    {
        var specialty = await fx.SpecialtyAsync();
        var (id, auction, patient, doctors, from) = await AuctionGrainKit.OpenAuction(fx, specialty, 12);
        var log = new AuctionGrainKit.EventLog();
        var watcher = fx.Cluster.Client.CreateObjectReference<IAuctionWatcher>(log);
        Assert.Equal(0, await auction.Watch(watcher));
        // The first commit is held so that the bids behind it pile up and go into the next ones together.
        var plan = new FaultableMarketStore.Plan { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        FaultableMarketStore.Plans[id] = plan;
        try
        {
            // Each doctor bids three times at once on its own slot, each bid lower: they race with each other and
            // with every other doctor's. Whichever of a doctor's bids comes second must beat the one before.
            var bids = doctors.SelectMany((d, i) => new[] { 300m, 200m, 100m }.Select(price =>
                auction.PlaceBid(d, price, from.AddMinutes(30 * i), null))).ToList();
            await Poll.Until(() => Task.FromResult(plan.Commits >= 1), TimeSpan.FromSeconds(10), () => "no commit reached the store");
            await Task.Delay(500);
            plan.Gate.SetResult();
            var outcomes = await Task.WhenAll(bids);

            var ok = outcomes.Where(o => o.IsOk).Select(o => o.Value!).ToList();
            // A doctor's 300 after its own 100 is no improvement: refused, and nothing else.
            Assert.All(outcomes.Where(o => !o.IsOk), o => Assert.Equal(MarketReasons.NotBetter, o.Failure!.Reason));
            Assert.All(doctors, d => Assert.Contains(ok, b => b.DoctorId == d.UserId));
            Assert.True(plan.Commits < ok.Count, $"{ok.Count} bids took {plan.Commits} commits: no grouping");

            // Stored: exactly the answered bids, and one event each, numbered without a gap in the order the grain gave.
            var stored = await MarketDb.Bids(id);
            Assert.Equal(ok.Select(b => b.Id).Order(), stored.Keys.Order());
            var events = await MarketDb.Events(id);
            Assert.Equal(Enumerable.Range(1, ok.Count).Select(i => (long)i), events.Select(e => e.Seq));
            var storedOrder = events.Select(e => e.Payload.RootElement.GetProperty("bid").GetProperty("id").GetGuid()).ToList();
            Assert.Equal(ok.OrderBy(b => b.Order).Select(b => b.Id), storedOrder);

            // The view is the stored state: each doctor's latest answered bid.
            var view = (await auction.Get(patient))!;
            Assert.Equal(ok.Count, view.LastSeq);
            Assert.Equal(doctors.Select(d => ok.Where(b => b.DoctorId == d.UserId).MaxBy(b => b.Order)!.Id).Order(), view.Bids.Select(b => b.Id).Order());

            // The watcher: every stored event once, in sequence order.
            await Poll.Until(() => Task.FromResult(log.Received.Count() >= ok.Count), TimeSpan.FromSeconds(10), () => $"{log.Received.Count()} of {ok.Count} events");
            await Task.Delay(200);
            Assert.Equal(events.Select(e => e.Seq), log.Received.Select(e => e.Seq).Order());
            Assert.All(log.Messages, m => Assert.Equal(m.Select(e => e.Seq).Order(), m.Select(e => e.Seq)));
            Assert.Equal(storedOrder, log.Received.OrderBy(e => e.Seq).Select(e => e.Bid!.Id));
            // Grouped bids reach the node as one message per commit, not one per event.
            Assert.True(log.Messages.Count < ok.Count, $"{ok.Count} events in {log.Messages.Count} messages");
        }
        finally
        {
            FaultableMarketStore.Plans.TryRemove(id, out _);
            await auction.Unwatch(watcher);
            fx.Cluster.Client.DeleteObjectReference<IAuctionWatcher>(watcher);
        }
    }

    [Fact]
    public async Task A_failed_group_commit_fails_every_bid_in_it_frees_their_holds_and_leaves_the_grain_equal_to_the_database()
    {
        var specialty = await fx.SpecialtyAsync();
        var (id, auction, patient, doctors, from) = await AuctionGrainKit.OpenAuction(fx, specialty, 8);
        Assert.True((await auction.PlaceBid(doctors[0], 500m, from, null)).IsOk);
        var plan = new FaultableMarketStore.Plan { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        plan.Fail.Add(2);
        FaultableMarketStore.Plans[id] = plan;
        try
        {
            // Commit 1 (doctor 0 again) is held; the other doctors' bids pile up behind it and make commit 2, which fails.
            var first = auction.PlaceBid(doctors[0], 400m, from, null);
            await Poll.Until(() => Task.FromResult(plan.Commits >= 1), TimeSpan.FromSeconds(10), () => "no commit reached the store");
            var rest = doctors.Skip(1).Select((d, i) => auction.PlaceBid(d, 300m, from.AddMinutes(30 * (i + 1)), null)).ToList();
            await Task.Delay(500);
            plan.Gate.SetResult();
            Assert.True((await first).IsOk);
            var results = await Task.WhenAll(rest.Select(async t =>
            {
                try { return (Outcome: await t, Error: (Exception?)null); }
                catch (Exception e) { return (Outcome: (Outcome<Bid>?)null, Error: e); }
            }));

            var failedCommit = plan.Seen.Single(c => c.Failed).Bids;
            Assert.NotEmpty(failedCommit);
            // Every bid that failed failed as a database outage (a 503 at the Api), never as an answer about the bid.
            var failed = results.Where(r => r.Error is not null).ToList();
            Assert.All(failed, r => Assert.IsType<StorageUnavailableException>(r.Error));
            Assert.True(failed.Count >= failedCommit.Count, $"{failed.Count} bids failed, {failedCommit.Count} were in the failed commit");
            var answered = results.Where(r => r.Error is null).Select(r => r.Outcome!.Value!).ToList();
            Assert.All(answered, b => Assert.DoesNotContain(b.Id, failedCommit));

            // The database holds the first bids and the answered ones, nothing of the failed commit; the grain says the same.
            var stored = await MarketDb.Bids(id);
            Assert.All(failedCommit, b => Assert.False(stored.ContainsKey(b)));
            var events = await MarketDb.Events(id);
            var view = (await auction.Get(patient))!;
            Assert.Equal(events[^1].Seq, view.LastSeq);
            Assert.Equal(stored.Count, events.Count);
            Assert.Equal(1 + answered.Count, view.Bids.Count);

            // A failed bid's hold is gone: its doctor's slot is free again, and the doctor bids anew with the next number.
            var retry = doctors.Skip(1).Select((d, i) => (Doctor: d, Slot: from.AddMinutes(30 * (i + 1)))).First(x => !answered.Any(b => b.DoctorId == x.Doctor.UserId));
            var free = await fx.Grains.GetGrain<HealthActors.Grains.Abstractions.Catalog.IDoctorGrain>(retry.Doctor.UserId).GetFreeSlots(retry.Slot, retry.Slot.AddMinutes(30));
            Assert.Contains(free!.Slots, s => s.Start == retry.Slot);
            var again = await auction.PlaceBid(retry.Doctor, 300m, retry.Slot, null);
            Assert.True(again.IsOk, again.Failure?.Detail);
            Assert.Equal(view.LastSeq + 1, (await MarketDb.Events(id))[^1].Seq);
        }
        finally
        {
            FaultableMarketStore.Plans.TryRemove(id, out _);
        }
    }

    [Fact]
    public async Task A_cancel_racing_bids_waits_for_the_bids_under_way_and_no_bid_is_stored_after_it()
    {
        var specialty = await fx.SpecialtyAsync();
        var (id, auction, patient, doctors, from) = await AuctionGrainKit.OpenAuction(fx, specialty, 10);
        var bids = doctors.Select((d, i) => auction.PlaceBid(d, 100m, from.AddMinutes(30 * i), null)).ToList();
        var cancel = auction.Cancel(patient);
        var outcomes = await Task.WhenAll(bids);
        Assert.True((await cancel).IsOk);

        var ok = outcomes.Where(o => o.IsOk).Select(o => o.Value!.Id).ToHashSet();
        Assert.All(outcomes.Where(o => !o.IsOk), o => Assert.Equal(MarketReasons.Closed, o.Failure!.Reason));
        var events = await MarketDb.Events(id);
        Assert.Equal(AuctionEventTypes.AuctionClosed, events[^1].Type);
        Assert.Equal(ok.Count + 1, events.Count);
        Assert.Equal(ok.Order(), (await MarketDb.Bids(id)).Keys.Order());
    }
}
