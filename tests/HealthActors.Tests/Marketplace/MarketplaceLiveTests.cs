using System.Net;
using System.Text.Json;
using HealthActors.Api.Hubs;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Marketplace;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace HealthActors.Tests.Marketplace;

/// <summary>Many doctors bidding at once on one auction while several people watch it live over /hubs/marketplace.</summary>
public sealed class MarketplaceLiveTests(MarketApiFactory factory, ITestOutputHelper output) : IClassFixture<MarketApiFactory>
{
    private readonly MarketApi _api = new(factory.CreateClient());

    [Fact]
    public async Task Fifty_doctors_bid_at_once_and_every_watcher_sees_every_event_once_in_order()
    {
        var started = DateTimeOffset.UtcNow;
        var admin = await _api.Http.LoginAdminAsync();
        var specialty = await MarketplaceFlowTests.Specialty(_api.Http, admin.Tokens.AccessToken, "Live-" + Guid.NewGuid().ToString("N")[..6]);
        var doctors = await _api.Doctors(admin.Tokens.AccessToken, specialty, 50);
        output.WriteLine($"50 doctors created in {(DateTimeOffset.UtcNow - started).TotalSeconds:0.0} s");

        // All unrated here: ties on price fall to bid order. The rating tie-break is proven with real ratings in RatingTests.

        var patient = await _api.Http.RegisterAsync();
        var windowFrom = MarketplaceFlowTests.SlotAhead(0);
        // A slot of its own for each doctor; the calendars offer 00:00-23:30 in half hours.
        DateTimeOffset SlotOf(int i) => windowFrom.AddDays(i / 40).AddMinutes(30 * (i % 40));
        var id = await _api.CreateAuction(patient.Tokens.AccessToken, specialty, windowFrom, windowFrom.AddDays(2), DateTimeOffset.UtcNow.AddHours(1));

        var watchers = new List<AuctionWatcher> { await AuctionWatcher.ConnectAsync(factory, patient.Tokens.AccessToken, "patient") };
        for (var i = 0; i < 3; i++) watchers.Add(await AuctionWatcher.ConnectAsync(factory, doctors[i].Tokens.AccessToken, $"doctor{i}"));
        foreach (var w in watchers) Assert.Equal(0, await w.WatchAsync(id));
        var late = await AuctionWatcher.ConnectAsync(factory, doctors[3].Tokens.AccessToken, "late doctor");

        try
        {
            // Prices repeat (every 7th doctor) so ties fall to rating, then to bid order.
            static decimal PriceOf(int i) => 100 + i % 7 * 5;
            var bidIds = new Guid[doctors.Count];
            var answered = 0;
            var halfway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var firstRound = Enumerable.Range(0, doctors.Count).Select(async i =>
            {
                bidIds[i] = await _api.Bid(id, doctors[i].Tokens.AccessToken, PriceOf(i), SlotOf(i));
                if (Interlocked.Increment(ref answered) == doctors.Count / 2) halfway.SetResult();
            }).ToList();

            // Joins while the bids are still coming in: what it missed it must find through /events.
            await halfway.Task;
            var lateSeq = await late.WatchAsync(id);
            await Task.WhenAll(firstRound);

            // Second round, again all at once: every third doctor undercuts itself, every tenth withdraws.
            var replacing = Enumerable.Range(0, doctors.Count).Where(i => i % 3 == 0).ToList();
            var withdrawing = Enumerable.Range(0, doctors.Count).Where(i => i % 10 == 9 && i % 3 != 0).ToList();
            await Task.WhenAll(
                replacing.Select(i => _api.Bid(id, doctors[i].Tokens.AccessToken, PriceOf(i) - 2, SlotOf(i)))
                    .Concat(withdrawing.Select(async i =>
                    {
                        await _api.Expect(HttpStatusCode.NoContent, HttpMethod.Delete, $"/api/auctions/{id}/bids/{bidIds[i]}", doctors[i].Tokens.AccessToken);
                        return Guid.Empty;
                    })));

            var view = await _api.Get(id, patient.Tokens.AccessToken);
            var last = view["lastSeq"]!.GetValue<long>();
            Assert.Equal(doctors.Count + replacing.Count + withdrawing.Count, last);
            Assert.True(lateSeq > 0 && lateSeq < last, $"the late watcher should join mid-stream (joined at {lateSeq} of {last})");

            foreach (var w in watchers) await w.WaitForCountAsync((int)last, TimeSpan.FromSeconds(30));
            // A duplicate would arrive just after the last event; give it the chance to show up.
            await Task.Delay(500);
            foreach (var w in watchers)
            {
                Assert.Equal(Enumerable.Range(1, (int)last).Select(n => (long)n), w.Seqs);
                Assert.All(w.Received, r => Assert.Equal(r.Method, r.Event.Type));
                Assert.All(w.Received, r => Assert.Equal(id, r.Event.AuctionId));
            }
            var byType = watchers[0].Received.GroupBy(r => r.Method).ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(doctors.Count, byType[AuctionEventTypes.BidPlaced]);
            Assert.Equal(replacing.Count, byType[AuctionEventTypes.BidReplaced]);
            Assert.Equal(withdrawing.Count, byType[AuctionEventTypes.BidWithdrawn]);

            // The late watcher: what it got live plus what /events returns after its snapshot is everything after the snapshot, no gap.
            var catchUp = (await _api.Events(id, doctors[3].Tokens.AccessToken, lateSeq)).Select(e => e!["seq"]!.GetValue<long>()).ToList();
            Assert.Equal(Enumerable.Range((int)lateSeq + 1, (int)(last - lateSeq)).Select(n => (long)n), catchUp);
            await late.WaitForCountAsync(1, TimeSpan.FromSeconds(30));
            var live = late.Seqs.Where(s => s > lateSeq).ToList();
            Assert.NotEmpty(live);
            Assert.Equal(Enumerable.Range((int)live[0], live.Count).Select(n => (long)n), live);
            Assert.Equal(last, live[^1]);
            Assert.Equal(catchUp, catchUp.Union(live).Order());

            // The ranking the Api shows is the one PostgreSQL's record of bids and events implies.
            var shown = view["bids"]!.AsArray().Select(b => b!["id"]!.GetValue<Guid>()).ToList();
            Assert.Equal(doctors.Count - withdrawing.Count, shown.Count);
            Assert.Equal(await RankFromDatabase(id), shown);
            output.WriteLine($"{last} events to {watchers.Count} watchers; whole test {(DateTimeOffset.UtcNow - started).TotalSeconds:0.0} s");
        }
        finally
        {
            foreach (var w in watchers) await w.DisposeAsync();
            await late.DisposeAsync();
        }
    }

    [Fact]
    public async Task Batched_and_MessagePack_watchers_get_every_event_once_in_order_across_group_commits_and_a_read_back()
    {
        var admin = await _api.Http.LoginAdminAsync();
        var specialty = await MarketplaceFlowTests.Specialty(_api.Http, admin.Tokens.AccessToken, "Batch-" + Guid.NewGuid().ToString("N")[..6]);
        var doctors = await _api.Doctors(admin.Tokens.AccessToken, specialty, 30);
        var patient = await _api.Http.RegisterAsync();
        var windowFrom = MarketplaceFlowTests.SlotAhead(0);
        DateTimeOffset SlotOf(int i) => windowFrom.AddDays(i / 40).AddMinutes(30 * (i % 40));
        var id = await _api.CreateAuction(patient.Tokens.AccessToken, specialty, windowFrom, windowFrom.AddDays(2), DateTimeOffset.UtcNow.AddHours(1));

        var token = patient.Tokens.AccessToken;
        var jsonEach = await AuctionWatcher.ConnectAsync(factory, token, "JSON, per event");
        var jsonBatched = await AuctionWatcher.ConnectAsync(factory, token, "JSON, batched");
        var packEach = await AuctionWatcher.ConnectAsync(factory, token, "MessagePack, per event", HubWireProtocol.MessagePack);
        var packBatched = await AuctionWatcher.ConnectAsync(factory, doctors[0].Tokens.AccessToken, "MessagePack, batched", HubWireProtocol.MessagePack);
        var bothWays = await AuctionWatcher.ConnectAsync(factory, doctors[1].Tokens.AccessToken, "both ways", HubWireProtocol.MessagePack);
        AuctionWatcher[] each = [jsonEach, packEach], batched = [jsonBatched, packBatched];
        // The auction measures its commits (the bench reads these from /metrics). The meter is process-wide, so other
        // tests' bids may add to what is seen here, never take from it.
        long committedBids = 0, commits = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name is "healthactors.auction.commit.bids" or "healthactors.auction.commit.duration") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<int>((_, bids, _, _) => Interlocked.Add(ref committedBids, bids));
        listener.SetMeasurementEventCallback<double>((_, ms, _, _) =>
        {
            if (ms > 0) Interlocked.Increment(ref commits);
        });
        listener.Start();
        try
        {
            foreach (var w in each) Assert.Equal(0, await w.WatchAsync(id));
            foreach (var w in batched) Assert.Equal(0, await w.WatchBatchedAsync(id));
            Assert.Equal(0, await bothWays.WatchAsync(id));
            Assert.Equal(0, await bothWays.WatchBatchedAsync(id));

            // All at once: the bids that arrive while a commit is in flight share the next one, and its events one push.
            await Task.WhenAll(Enumerable.Range(0, doctors.Count).Select(i => _api.Bid(id, doctors[i].Tokens.AccessToken, 100 + i, SlotOf(i))));

            // A gap: with this node off the grain's watchers, three bids are stored but not pushed here; the next push
            // comes after the gap, and the node reads the three back from the store before forwarding it.
            var relay = factory.Services.GetRequiredService<AuctionRelay>();
            var grain = factory.Grains.GetGrain<IAuctionGrain>(id);
            await grain.Unwatch(relay.Self);
            for (var i = 0; i < 3; i++) await _api.Bid(id, doctors[i].Tokens.AccessToken, 90 - i, SlotOf(i));
            await grain.Watch(relay.Self);
            await _api.Bid(id, doctors[3].Tokens.AccessToken, 80, SlotOf(3));

            var last = (await _api.Get(id, token))["lastSeq"]!.GetValue<long>();
            Assert.Equal(doctors.Count + 4, last);
            foreach (var w in each.Concat(batched)) await w.WaitForCountAsync((int)last, TimeSpan.FromSeconds(30));
            await bothWays.WaitForCountAsync(2 * (int)last, TimeSpan.FromSeconds(30));
            // A duplicate would arrive just after the last event; give it the chance to show up.
            await Task.Delay(500);

            // What every watcher got, whatever the protocol and the grouping, is what was stored: every field intact
            // (DateTimeOffset, decimal, enum, the nested bid), every event once, in order.
            var stored = await grain.EventsAfter(0, 1000);
            Assert.Equal(Enumerable.Range(1, (int)last).Select(n => (long)n), stored.Select(e => e.Seq));
            foreach (var w in each)
            {
                Assert.Equal(stored, w.Received.Select(r => r.Event));
                Assert.All(w.Received, r => Assert.Equal(r.Event.Type, r.Method));
            }
            foreach (var w in batched)
            {
                Assert.Equal(stored, w.Received.Select(r => r.Event));
                Assert.All(w.Received, r => Assert.Equal(MarketplaceHubClient.BatchEvent, r.Method));
                // Thirty bids at once went out in fewer messages than events: a group commit's events are one message.
                Assert.True(w.Messages < last, $"{w.Name}: {w.Messages} messages for {last} events");
                // The events read back after the gap go out together (with the push that revealed the gap, unless a
                // renewal happened to read them back first).
                var afterGap = w.Received.Where(r => r.Event.Seq > doctors.Count).Select(r => r.Message).Distinct().Count();
                Assert.True(afterGap <= 2, $"{w.Name}: the four events after the gap came in {afterGap} messages");
            }
            Assert.Equal(stored, bothWays.Received.Where(r => r.Method != MarketplaceHubClient.BatchEvent).Select(r => r.Event));
            Assert.Equal(stored, bothWays.Received.Where(r => r.Method == MarketplaceHubClient.BatchEvent).Select(r => r.Event));

            Assert.True(Interlocked.Read(ref committedBids) >= last, $"{committedBids} bids measured in commits, {last} placed");
            Assert.InRange(Interlocked.Read(ref commits), 1, long.MaxValue);

            // UnwatchAuction stops both ways at once; the others go on.
            await bothWays.UnwatchAsync(id);
            await _api.Bid(id, doctors[4].Tokens.AccessToken, 70, SlotOf(4));
            foreach (var w in each.Concat(batched)) await w.WaitForCountAsync((int)last + 1, TimeSpan.FromSeconds(30));
            await Task.Delay(300);
            Assert.Equal(2 * (int)last, bothWays.Received.Count);
            output.WriteLine($"batched watchers: {jsonBatched.Messages} and {packBatched.Messages} messages for {last + 1} events");
        }
        finally
        {
            foreach (var w in each.Concat(batched).Append(bothWays)) await w.DisposeAsync();
        }
    }

    /// <summary>Replays auction_events over auction_bids: standing bid per doctor, then price asc, rating desc, bid order.</summary>
    private static async Task<List<Guid>> RankFromDatabase(Guid auctionId)
    {
        var bids = await MarketDb.Bids(auctionId);
        var events = await MarketDb.Events(auctionId);
        Assert.Equal(events.Count(e => e.Type is AuctionEventTypes.BidPlaced or AuctionEventTypes.BidReplaced), bids.Count);
        var standing = new Dictionary<Guid, (Guid BidId, decimal Price, double Rating, long Seq)>();
        foreach (var (seq, type, payload) in events)
        {
            var bid = payload.RootElement.GetProperty("bid");
            var bidId = bid.GetProperty("id").GetGuid();
            var doctorId = bid.GetProperty("doctorId").GetGuid();
            switch (type)
            {
                case AuctionEventTypes.BidPlaced or AuctionEventTypes.BidReplaced:
                    Assert.Equal(doctorId, bids[bidId].DoctorId);
                    Assert.Equal(bid.GetProperty("price").GetDecimal(), bids[bidId].Price);
                    standing[doctorId] = (bidId, bids[bidId].Price, bid.GetProperty("doctorRating").GetDouble(), seq);
                    break;
                case AuctionEventTypes.BidWithdrawn:
                    Assert.Equal(bidId, standing[doctorId].BidId);
                    standing.Remove(doctorId);
                    break;
            }
        }
        return standing.Values.OrderBy(b => b.Price).ThenByDescending(b => b.Rating).ThenBy(b => b.Seq).Select(b => b.BidId).ToList();
    }

    [Theory]
    [InlineData(false, HubWireProtocol.Json)]
    [InlineData(true, HubWireProtocol.Json)]
    [InlineData(true, HubWireProtocol.MessagePack)]
    public async Task Only_the_patient_and_doctors_of_the_specialty_may_watch(bool batched, HubWireProtocol protocol)
    {
        var admin = await _api.Http.LoginAdminAsync();
        var specialty = await MarketplaceFlowTests.Specialty(_api.Http, admin.Tokens.AccessToken, "Watch-" + Guid.NewGuid().ToString("N")[..6]);
        var other = await MarketplaceFlowTests.Specialty(_api.Http, admin.Tokens.AccessToken, "Elsewhere-" + Guid.NewGuid().ToString("N")[..6]);
        var doctor = await MarketplaceFlowTests.Doctor(_api.Http, admin.Tokens.AccessToken, specialty);
        var stranger = await MarketplaceFlowTests.Doctor(_api.Http, admin.Tokens.AccessToken, other);
        var patient = await _api.Http.RegisterAsync();
        var intruder = await _api.Http.RegisterAsync();
        var id = await _api.CreateAuction(patient.Tokens.AccessToken, specialty, MarketplaceFlowTests.SlotAhead(8), MarketplaceFlowTests.SlotAhead(12), DateTimeOffset.UtcNow.AddHours(1));

        await using var owner = await AuctionWatcher.ConnectAsync(factory, patient.Tokens.AccessToken, "owner", protocol);
        await using var colleague = await AuctionWatcher.ConnectAsync(factory, doctor.Tokens.AccessToken, "doctor of the specialty", protocol);
        await using var operatorWatch = await AuctionWatcher.ConnectAsync(factory, admin.Tokens.AccessToken, "admin", protocol);
        await using var otherPatient = await AuctionWatcher.ConnectAsync(factory, intruder.Tokens.AccessToken, "another patient", protocol);
        await using var otherDoctor = await AuctionWatcher.ConnectAsync(factory, stranger.Tokens.AccessToken, "doctor of another specialty", protocol);
        Assert.Equal(0, await owner.WatchAsync(id, batched));
        Assert.Equal(0, await colleague.WatchAsync(id, batched));
        Assert.Equal(0, await operatorWatch.WatchAsync(id, batched));
        var refused = await Assert.ThrowsAsync<HubException>(() => otherPatient.WatchAsync(id, batched));
        Assert.Contains("Auction not found", refused.Message);
        await Assert.ThrowsAsync<HubException>(() => otherDoctor.WatchAsync(id, batched));
        // An auction that does not exist is refused the same way, so ids cannot be probed.
        await Assert.ThrowsAsync<HubException>(() => owner.WatchAsync(Guid.NewGuid(), batched));

        // The refused stay connected but get nothing, while those allowed get the bid.
        await _api.Bid(id, doctor.Tokens.AccessToken, 70, MarketplaceFlowTests.SlotAhead(9));
        await owner.WaitForCountAsync(1, TimeSpan.FromSeconds(15));
        await colleague.WaitForCountAsync(1, TimeSpan.FromSeconds(15));
        await operatorWatch.WaitForCountAsync(1, TimeSpan.FromSeconds(15));
        await Task.Delay(500);
        Assert.Empty(otherPatient.Received);
        Assert.Empty(otherDoctor.Received);
        Assert.All(owner.Received, r => Assert.Equal(batched ? MarketplaceHubClient.BatchEvent : r.Event.Type, r.Method));

        // Nobody connects anonymously, nor with a token that does not verify.
        var anonymous = await Record.ExceptionAsync(() => factory.ConnectMarketplaceAsync(null, protocol));
        Assert.NotNull(anonymous);
        Assert.Contains("401", anonymous.Message);
        var forged = await Record.ExceptionAsync(() => factory.ConnectMarketplaceAsync(patient.Tokens.AccessToken[..patient.Tokens.AccessToken.LastIndexOf('.')] + ".bm90LXRoZS1zaWduYXR1cmU"));
        Assert.NotNull(forged);
        Assert.Contains("401", forged.Message);
    }
}
