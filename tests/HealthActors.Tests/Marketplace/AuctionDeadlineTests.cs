using System.Net;
using HealthActors.Grains.Abstractions.Marketplace;
using Xunit.Abstractions;

namespace HealthActors.Tests.Marketplace;

/// <summary>
/// The deadline through the Api: accepts racing it, accepting during the grace, expiry after it, and the
/// anti-sniping extension. Deadlines come from Orleans reminders, so waits poll with a bound.
/// </summary>
public sealed class AuctionDeadlineTests(ShortGraceApiFactory factory, ITestOutputHelper output) : IClassFixture<ShortGraceApiFactory>
{
    private readonly MarketApi _api = new(factory.CreateClient());

    // A reminder that is late misses its first tick and fires on the next 1-minute period; allow for that and then some.
    private static readonly TimeSpan ReminderBound = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Any bid in the last two minutes pushes the close out by two minutes, so an auction whose deadline we
    /// want to see pass must be created more than two minutes ahead with its bids placed right away. The
    /// scenarios share that wait by running side by side, each on an auction and patient of its own.
    /// </summary>
    [Fact]
    public async Task Accepts_racing_the_deadline_book_once_then_grace_then_expiry_releases_the_holds()
    {
        var admin = await _api.Http.LoginAdminAsync();
        var specialty = await MarketplaceFlowTests.Specialty(_api.Http, admin.Tokens.AccessToken, "Deadline-" + Guid.NewGuid().ToString("N")[..6]);
        var doctors = await _api.Doctors(admin.Tokens.AccessToken, specialty, 2);
        var (a, b) = (doctors[0], doctors[1]);
        var closesAt = DateTimeOffset.UtcNow + AuctionRules.ExtendWhenWithin + TimeSpan.FromSeconds(30);

        async Task<(TestUser Patient, Guid Auction, Guid BidA, Guid BidB, DateTimeOffset SlotA, DateTimeOffset SlotB)> Open(int scenario, bool withB = true)
        {
            var patient = await _api.Http.RegisterAsync();
            var slotA = MarketplaceFlowTests.SlotAhead(4 + scenario);
            var slotB = slotA.AddMinutes(30);
            var id = await _api.CreateAuction(patient.Tokens.AccessToken, specialty, MarketplaceFlowTests.SlotAhead(0), MarketplaceFlowTests.SlotAhead(23), closesAt);
            var bidA = await _api.Bid(id, a.Tokens.AccessToken, 60, slotA);
            var bidB = withB ? await _api.Bid(id, b.Tokens.AccessToken, 65, slotB) : Guid.Empty;
            return (patient, id, bidA, bidB, slotA, slotB);
        }

        // Accept A and accept B (another Idempotency-Key) fired together just before, at, and just after the deadline.
        async Task Race(int scenario, TimeSpan offset)
        {
            var (patient, id, bidA, bidB, slotA, slotB) = await Open(scenario);
            var view = await _api.Get(id, patient.Tokens.AccessToken);
            Assert.True(closesAt == view["closesAt"]!.GetValue<DateTimeOffset>(), "bids placed more than two minutes ahead must not extend the close");
            await Until(closesAt + offset);
            var tasks = new[]
            {
                _api.Call(HttpMethod.Post, $"/api/auctions/{id}/accept", patient.Tokens.AccessToken, new { bidId = bidA, payment = MarketApi.Card() }, "accept-a-" + id),
                _api.Call(HttpMethod.Post, $"/api/auctions/{id}/accept", patient.Tokens.AccessToken, new { bidId = bidB, payment = MarketApi.Card() }, "accept-b-" + id),
            };
            var answers = await Task.WhenAll(tasks);
            var label = $"race at deadline{offset.TotalMilliseconds:+0;-0} ms";
            Assert.True(answers.Count(x => x.Status == HttpStatusCode.Created) == 1, $"{label}: {string.Join(", ", answers.Select(x => (int)x.Status))}");
            Assert.True(answers.Count(x => x.Status == HttpStatusCode.Conflict) == 1, $"{label}: {string.Join(", ", answers.Select(x => (int)x.Status))}");
            var won = answers.Single(x => x.Status == HttpStatusCode.Created).Body!;
            var appointmentId = won["id"]!.GetValue<Guid>();
            var winner = won["doctorId"]!.GetValue<Guid>() == a.Id ? bidA : bidB;

            // Let the deadline reminder have its turn too: it must leave the accepted auction alone.
            await Until(closesAt + TimeSpan.FromSeconds(3));
            view = await _api.Get(id, patient.Tokens.AccessToken);
            Assert.Equal("accepted", view["status"]!.GetValue<string>());
            Assert.Equal(winner, view["winningBidId"]!.GetValue<Guid>());
            Assert.Equal(appointmentId, view["appointmentId"]!.GetValue<Guid>());

            Assert.Equal(1, await MarketDb.Scalar("SELECT count(*) FROM appointments WHERE patient_id = $1", patient.Id));
            Assert.Equal(1, await MarketDb.Scalar("SELECT count(*) FROM appointments WHERE patient_id = $1 AND id = $2 AND status = 'booked'", patient.Id, appointmentId));
            Assert.Equal(1, await MarketDb.Scalar("SELECT count(*) FROM payment_ledger WHERE payer_id = $1 AND event = 'captured'", patient.Id));
            Assert.Equal(1, await MarketDb.Scalar("SELECT count(*) FROM payment_ledger WHERE payer_id = $1 AND event = 'captured' AND appointment_id = $2", patient.Id, appointmentId));
            Assert.Equal(0, await MarketDb.Scalar("SELECT count(*) FROM payment_ledger WHERE payer_id = $1 AND event <> 'captured'", patient.Id));
            Assert.True(await _api.SlotIsFree(winner == bidA ? b.Id : a.Id, winner == bidA ? slotB : slotA), $"{label}: the losing bid's slot should be free again");
            var types = (await _api.Events(id, patient.Tokens.AccessToken)).Select(e => e!["type"]!.GetValue<string>()).ToList();
            Assert.DoesNotContain(AuctionEventTypes.AuctionExpired, types);
            output.WriteLine($"{label}: {string.Join(", ", answers.Select(x => (int)x.Status))}; events {string.Join(" ", types)}");
        }

        // After the close, a standing bid (not even the best one) can still be accepted while the grace lasts.
        async Task AcceptDuringGrace()
        {
            var (patient, id, bidA, bidB, slotA, _) = await Open(3);
            var closed = await WaitForStatus(id, patient.Tokens.AccessToken, "closed", closesAt + ReminderBound);
            output.WriteLine($"grace: closed {(closed - closesAt).TotalSeconds:0.0} s after the deadline");
            var appointment = await _api.Expect(HttpStatusCode.Created, HttpMethod.Post, $"/api/auctions/{id}/accept", patient.Tokens.AccessToken,
                new { bidId = bidB, payment = MarketApi.Card() }, "grace-" + id);
            Assert.Equal(b.Id, appointment["doctorId"]!.GetValue<Guid>());
            Assert.Equal(65, appointment["price"]!["amount"]!.GetValue<decimal>());
            var view = await _api.Get(id, patient.Tokens.AccessToken);
            Assert.Equal("accepted", view["status"]!.GetValue<string>());
            Assert.True(await _api.SlotIsFree(a.Id, slotA), "the other bidder's hold should be released");
            Assert.Equal([AuctionEventTypes.BidPlaced, AuctionEventTypes.BidPlaced, AuctionEventTypes.AuctionClosed, AuctionEventTypes.AuctionClosed],
                (await _api.Events(id, patient.Tokens.AccessToken)).Select(e => e!["type"]!.GetValue<string>()));
        }

        // Nobody accepts: after the grace the auction expires and its holds go back to the calendars.
        async Task ExpireAfterGrace()
        {
            var (patient, id, _, _, slotA, slotB) = await Open(4);
            Assert.False(await _api.SlotIsFree(a.Id, slotA));
            var graceUntil = (await _api.Get(id, patient.Tokens.AccessToken))["graceUntil"]!.GetValue<DateTimeOffset>();
            Assert.Equal(closesAt + TimeSpan.FromMinutes(ShortGraceApiFactory.Grace), graceUntil);
            var expired = await WaitForStatus(id, patient.Tokens.AccessToken, "expired", graceUntil + ReminderBound);
            output.WriteLine($"expiry: expired {(expired - graceUntil).TotalSeconds:0.0} s after the grace ended");
            var events = await _api.Events(id, patient.Tokens.AccessToken);
            Assert.Equal([AuctionEventTypes.BidPlaced, AuctionEventTypes.BidPlaced, AuctionEventTypes.AuctionClosed, AuctionEventTypes.AuctionExpired],
                events.Select(e => e!["type"]!.GetValue<string>()));
            Assert.Equal("expired", events[^1]!["status"]!.GetValue<string>());
            Assert.True(await _api.SlotIsFree(a.Id, slotA));
            Assert.True(await _api.SlotIsFree(b.Id, slotB));
            // Bookable, not just listed: someone else books the slot outright.
            var other = await _api.Http.RegisterAsync();
            await _api.Expect(HttpStatusCode.Created, HttpMethod.Post, "/api/appointments", other.Tokens.AccessToken,
                new { doctorId = a.Id, start = slotA, reason = "after the auction expired", payment = MarketApi.Card() }, "book-" + id);
            await _api.Expect(HttpStatusCode.Conflict, HttpMethod.Post, $"/api/auctions/{id}/accept", patient.Tokens.AccessToken,
                new { bidId = Guid.NewGuid(), payment = MarketApi.Card() }, "too-late-" + id);
        }

        await Task.WhenAll(Race(0, TimeSpan.FromMilliseconds(-250)), Race(1, TimeSpan.Zero), Race(2, TimeSpan.FromMilliseconds(250)),
            AcceptDuringGrace(), ExpireAfterGrace());
    }

    [Fact]
    public async Task A_bid_in_the_last_two_minutes_extends_the_close_by_two_minutes()
    {
        var admin = await _api.Http.LoginAdminAsync();
        var specialty = await MarketplaceFlowTests.Specialty(_api.Http, admin.Tokens.AccessToken, "Extend-" + Guid.NewGuid().ToString("N")[..6]);
        var doctors = await _api.Doctors(admin.Tokens.AccessToken, specialty, 3);
        var patient = await _api.Http.RegisterAsync();
        var original = DateTimeOffset.UtcNow.AddSeconds(20);
        var id = await _api.CreateAuction(patient.Tokens.AccessToken, specialty, MarketplaceFlowTests.SlotAhead(8), MarketplaceFlowTests.SlotAhead(12), original);
        await using var watcher = await AuctionWatcher.ConnectAsync(factory, patient.Tokens.AccessToken, "patient");
        await watcher.WatchAsync(id);

        await _api.Bid(id, doctors[0].Tokens.AccessToken, 60, MarketplaceFlowTests.SlotAhead(9));
        var once = original + AuctionRules.ExtendBy;
        Assert.Equal(once, (await _api.Get(id, patient.Tokens.AccessToken))["closesAt"]!.GetValue<DateTimeOffset>());

        // More than two minutes left now: no extension.
        await _api.Bid(id, doctors[1].Tokens.AccessToken, 58, MarketplaceFlowTests.SlotAhead(10));
        Assert.Equal(once, (await _api.Get(id, patient.Tokens.AccessToken))["closesAt"]!.GetValue<DateTimeOffset>());

        // Inside the last two minutes of the extended close: pushed again, from the current close.
        await Until(once - AuctionRules.ExtendWhenWithin + TimeSpan.FromSeconds(1));
        await _api.Bid(id, doctors[2].Tokens.AccessToken, 55, MarketplaceFlowTests.SlotAhead(11));
        var twice = once + AuctionRules.ExtendBy;
        var view = await _api.Get(id, patient.Tokens.AccessToken);
        Assert.Equal(twice, view["closesAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(twice + TimeSpan.FromMinutes(ShortGraceApiFactory.Grace), view["graceUntil"]!.GetValue<DateTimeOffset>());
        Assert.Equal("open", view["status"]!.GetValue<string>());

        var events = await _api.Events(id, patient.Tokens.AccessToken);
        Assert.Equal([AuctionEventTypes.BidPlaced, AuctionEventTypes.AuctionExtended, AuctionEventTypes.BidPlaced, AuctionEventTypes.BidPlaced, AuctionEventTypes.AuctionExtended],
            events.Select(e => e!["type"]!.GetValue<string>()));
        Assert.Equal(once, events[1]!["closesAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(twice, events[4]!["closesAt"]!.GetValue<DateTimeOffset>());
        // Watchers hear of it live, with the new close in the event.
        await watcher.WaitForCountAsync(5, TimeSpan.FromSeconds(15));
        Assert.Equal([once, twice], watcher.Received.Where(r => r.Method == AuctionEventTypes.AuctionExtended).Select(r => r.Event.ClosesAt));

        // The original deadline passing does not close it.
        await Until(original + TimeSpan.FromSeconds(2));
        Assert.Equal("open", (await _api.Get(id, patient.Tokens.AccessToken))["status"]!.GetValue<string>());
    }

    private static async Task Until(DateTimeOffset at)
    {
        var wait = at - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
    }

    private async Task<DateTimeOffset> WaitForStatus(Guid id, string token, string status, DateTimeOffset notAfter)
    {
        string? seen = null;
        await Poll.Until(async () => (seen = (await _api.Get(id, token))["status"]!.GetValue<string>()) == status,
            notAfter - DateTimeOffset.UtcNow, () => $"auction {id} is {seen}, expected {status}", TimeSpan.FromMilliseconds(250));
        return DateTimeOffset.UtcNow;
    }
}
