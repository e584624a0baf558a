using System.Net;
using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Marketplace;

namespace HealthActors.Tests.Marketplace;

/// <summary>The marketplace end to end through the Api: post, bid, rank, accept, and the rules that refuse.</summary>
public sealed class MarketplaceFlowTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    internal static async Task<Guid> Specialty(HttpClient http, string token, string name)
    {
        return await http.Driver().CreateSpecialtyAsync(token, name, name);
    }

    internal static async Task<TestUser> Doctor(HttpClient http, string adminToken, Guid specialtyId, double rating = 0)
    {
        const string password = "doctor-passphrase-1";
        var driver = http.Driver();
        var profile = ApiDriver.EveryDayDoctor(specialtyId, password, ApiClientExtensions.NewEmail("doc"), price: 50, currency: "USD");
        await driver.CreateDoctorAsync(adminToken, profile);
        return await driver.SignInUserAsync(profile.Email!, password);
    }

    internal static DateTimeOffset SlotAhead(int hours) =>
        new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(2).AddHours(hours);

    private static object Card(string number = "4242424242424242") => new { cardNumber = number, expMonth = 12, expYear = DateTime.UtcNow.Year + 3, cvc = "123", holderName = "Ana García" };

    private async Task<JsonObject> Send(HttpMethod method, string url, string token, object? body, HttpStatusCode expected, string? key = null)
    {
        var request = ApiClientExtensions.Authed(method, url, token, body);
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        var r = await _http.SendAsync(request);
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(expected == r.StatusCode, $"{method} {url}: expected {(int)expected}, got {(int)r.StatusCode}: {text}");
        return text.Length > 0 && text.TrimStart().StartsWith('{') ? JsonNode.Parse(text)!.AsObject() : new JsonObject();
    }

    [Fact]
    public async Task Post_bid_rank_accept_becomes_a_paid_appointment_and_frees_the_losers()
    {
        var admin = await _http.LoginAdminAsync();
        var specialty = await Specialty(_http, admin.Tokens.AccessToken, "Market-" + Guid.NewGuid().ToString("N")[..6]);
        var a = await Doctor(_http, admin.Tokens.AccessToken, specialty);
        var b = await Doctor(_http, admin.Tokens.AccessToken, specialty);
        var patient = await _http.RegisterAsync();

        var window = new { from = SlotAhead(8), to = SlotAhead(12) };
        var auction = await Send(HttpMethod.Post, "/api/auctions", patient.Tokens.AccessToken,
            new { symptoms = "rash on my arm", specialtyId = specialty, maxPrice = 80, currency = "USD", window, closesAt = DateTimeOffset.UtcNow.AddHours(1) }, HttpStatusCode.Created);
        var id = auction["id"]!.GetValue<Guid>();
        Assert.Equal("open", auction["status"]!.GetValue<string>());

        var bidA = await Send(HttpMethod.Post, $"/api/auctions/{id}/bids", a.Tokens.AccessToken, new { price = 60, slotStart = SlotAhead(9), message = "Happy to help" }, HttpStatusCode.Created);
        var bidB = await Send(HttpMethod.Post, $"/api/auctions/{id}/bids", b.Tokens.AccessToken, new { price = 55, slotStart = SlotAhead(10) }, HttpStatusCode.Created);
        // Not 1 lower: refused. 1 lower: replaces.
        await Send(HttpMethod.Post, $"/api/auctions/{id}/bids", a.Tokens.AccessToken, new { price = 59.5, slotStart = SlotAhead(9) }, HttpStatusCode.Conflict);
        var bidA2 = await Send(HttpMethod.Post, $"/api/auctions/{id}/bids", a.Tokens.AccessToken, new { price = 54, slotStart = SlotAhead(9) }, HttpStatusCode.Created);

        var view = await Send(HttpMethod.Get, $"/api/auctions/{id}", patient.Tokens.AccessToken, null, HttpStatusCode.OK);
        var ranked = view["bids"]!.AsArray().Select(x => x!["id"]!.GetValue<Guid>()).ToList();
        Assert.Equal([bidA2["id"]!.GetValue<Guid>(), bidB["id"]!.GetValue<Guid>()], ranked);
        Assert.DoesNotContain(bidA["id"]!.GetValue<Guid>(), ranked);

        // The bid's slot is held: the public calendar no longer offers it.
        var slots = JsonNode.Parse(await _http.GetStringAsync($"/api/doctors/{b.Id}/slots?from={Uri.EscapeDataString(SlotAhead(8).ToString("O"))}&to={Uri.EscapeDataString(SlotAhead(12).ToString("O"))}"))!;
        Assert.DoesNotContain(slots["slots"]!.AsArray(), s => s!["start"]!.GetValue<DateTimeOffset>() == SlotAhead(10));

        var appointment = await Send(HttpMethod.Post, $"/api/auctions/{id}/accept", patient.Tokens.AccessToken,
            new { bidId = bidA2["id"]!.GetValue<Guid>(), payment = Card() }, HttpStatusCode.Created, key: "accept-" + id);
        Assert.Equal(54, appointment["price"]!["amount"]!.GetValue<decimal>());
        Assert.Equal(a.Id, appointment["doctorId"]!.GetValue<Guid>());
        Assert.Equal(SlotAhead(9), appointment["start"]!.GetValue<DateTimeOffset>());

        // A second accept (other key) is refused; the same key answers the same appointment.
        await Send(HttpMethod.Post, $"/api/auctions/{id}/accept", patient.Tokens.AccessToken, new { bidId = bidB["id"]!.GetValue<Guid>(), payment = Card() }, HttpStatusCode.Conflict, key: "other-" + id);
        var again = await Send(HttpMethod.Post, $"/api/auctions/{id}/accept", patient.Tokens.AccessToken,
            new { bidId = bidA2["id"]!.GetValue<Guid>(), payment = Card() }, HttpStatusCode.Created, key: "accept-" + id);
        Assert.Equal(appointment["id"]!.GetValue<Guid>(), again["id"]!.GetValue<Guid>());

        // The loser's slot is free again, and the auction is closed with its winner.
        slots = JsonNode.Parse(await _http.GetStringAsync($"/api/doctors/{b.Id}/slots?from={Uri.EscapeDataString(SlotAhead(8).ToString("O"))}&to={Uri.EscapeDataString(SlotAhead(12).ToString("O"))}"))!;
        Assert.Contains(slots["slots"]!.AsArray(), s => s!["start"]!.GetValue<DateTimeOffset>() == SlotAhead(10));
        view = await Send(HttpMethod.Get, $"/api/auctions/{id}", patient.Tokens.AccessToken, null, HttpStatusCode.OK);
        Assert.Equal("accepted", view["status"]!.GetValue<string>());

        var events = JsonNode.Parse(await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/auctions/{id}/events?afterSeq=0", patient.Tokens.AccessToken))).Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal(["BidPlaced", "BidPlaced", "BidReplaced", "AuctionClosed"], events.Select(e => e!["type"]!.GetValue<string>()));
        Assert.Equal([1L, 2L, 3L, 4L], events.Select(e => e!["seq"]!.GetValue<long>()));
        var tail = JsonNode.Parse(await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/auctions/{id}/events?afterSeq=2", patient.Tokens.AccessToken))).Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal(2, tail.Count);
    }

    [Fact]
    public async Task The_rules_refuse_what_they_should()
    {
        var admin = await _http.LoginAdminAsync();
        var specialty = await Specialty(_http, admin.Tokens.AccessToken, "Rules-" + Guid.NewGuid().ToString("N")[..6]);
        var other = await Specialty(_http, admin.Tokens.AccessToken, "Other-" + Guid.NewGuid().ToString("N")[..6]);
        var doctor = await Doctor(_http, admin.Tokens.AccessToken, specialty);
        var stranger = await Doctor(_http, admin.Tokens.AccessToken, other);
        var patient = await _http.RegisterAsync();
        var intruder = await _http.RegisterAsync();
        var window = new { from = SlotAhead(8), to = SlotAhead(12) };
        var create = new { symptoms = "itch", specialtyId = specialty, maxPrice = 80, currency = "USD", window, closesAt = DateTimeOffset.UtcNow.AddHours(1) };
        var id1 = (await Send(HttpMethod.Post, "/api/auctions", patient.Tokens.AccessToken, create, HttpStatusCode.Created))["id"]!.GetValue<Guid>();
        var id2 = (await Send(HttpMethod.Post, "/api/auctions", patient.Tokens.AccessToken, create, HttpStatusCode.Created))["id"]!.GetValue<Guid>();

        await Send(HttpMethod.Post, $"/api/auctions/{id1}/bids", patient.Tokens.AccessToken, new { price = 50, slotStart = SlotAhead(9) }, HttpStatusCode.Forbidden);
        await Send(HttpMethod.Post, $"/api/auctions/{id1}/bids", stranger.Tokens.AccessToken, new { price = 50, slotStart = SlotAhead(9) }, HttpStatusCode.Forbidden);
        await Send(HttpMethod.Get, $"/api/auctions/{id1}", stranger.Tokens.AccessToken, null, HttpStatusCode.NotFound);
        await Send(HttpMethod.Get, $"/api/auctions/{id1}", intruder.Tokens.AccessToken, null, HttpStatusCode.NotFound);
        await Send(HttpMethod.Get, $"/api/auctions/{id1}", doctor.Tokens.AccessToken, null, HttpStatusCode.OK);
        await Send(HttpMethod.Post, $"/api/auctions/{id1}/bids", doctor.Tokens.AccessToken, new { price = 81, slotStart = SlotAhead(9) }, HttpStatusCode.BadRequest);
        await Send(HttpMethod.Post, $"/api/auctions/{id1}/bids", doctor.Tokens.AccessToken, new { price = 50, slotStart = SlotAhead(13) }, HttpStatusCode.BadRequest);
        await Send(HttpMethod.Post, $"/api/auctions/{id1}/bids", doctor.Tokens.AccessToken, new { price = 50, slotStart = SlotAhead(9).AddMinutes(7) }, HttpStatusCode.Conflict);
        await Send(HttpMethod.Post, $"/api/auctions/{id1}/bids", doctor.Tokens.AccessToken, new { price = -5, slotStart = SlotAhead(9) }, HttpStatusCode.BadRequest);

        // One slot, two auctions: the second bid is refused because the first holds the slot.
        await Send(HttpMethod.Post, $"/api/auctions/{id1}/bids", doctor.Tokens.AccessToken, new { price = 50, slotStart = SlotAhead(9) }, HttpStatusCode.Created);
        await Send(HttpMethod.Post, $"/api/auctions/{id2}/bids", doctor.Tokens.AccessToken, new { price = 50, slotStart = SlotAhead(9) }, HttpStatusCode.Conflict);

        await Send(HttpMethod.Post, $"/api/auctions/{id1}/accept", intruder.Tokens.AccessToken, new { bidId = Guid.NewGuid(), payment = Card() }, HttpStatusCode.NotFound, key: "k1");
        await Send(HttpMethod.Post, $"/api/auctions/{id1}/accept", patient.Tokens.AccessToken, new { bidId = Guid.NewGuid(), payment = Card() }, HttpStatusCode.BadRequest, key: "k2");

        // Cancel closes with no winner and releases the hold: the slot is bookable on the other auction now.
        await Send(HttpMethod.Post, $"/api/auctions/{id1}/cancel", patient.Tokens.AccessToken, null, HttpStatusCode.OK);
        await Send(HttpMethod.Post, $"/api/auctions/{id2}/bids", doctor.Tokens.AccessToken, new { price = 50, slotStart = SlotAhead(9) }, HttpStatusCode.Created);
        await Send(HttpMethod.Post, $"/api/auctions/{id1}/bids", doctor.Tokens.AccessToken, new { price = 40, slotStart = SlotAhead(10) }, HttpStatusCode.Conflict);

        var open = JsonNode.Parse(await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/api/auctions/open", doctor.Tokens.AccessToken))).Content.ReadAsStringAsync())!.AsArray();
        Assert.Contains(open, x => x!["id"]!.GetValue<Guid>() == id2);
        Assert.DoesNotContain(open, x => x!["id"]!.GetValue<Guid>() == id1);
        var mine = JsonNode.Parse(await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/api/auctions", patient.Tokens.AccessToken))).Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal(2, mine.Count);
    }

    [Theory]
    [InlineData("symptoms", null, 80, "USD", 1, 3, 60)]
    [InlineData("currency", "itch", 80, "XXX", 1, 3, 60)]
    [InlineData("maxPrice", "itch", -1, "USD", 1, 3, 60)]
    [InlineData("window.to", "itch", 80, "USD", 3, 1, 60)]
    [InlineData("closesAt", "itch", 80, "USD", 1, 3, 2)]
    [InlineData("closesAt", "itch", 80, "USD", 1, 3, 60 * 24 * 8)]
    [InlineData("window.from", "itch", 80, "USD", -2, 3, 60)]
    [InlineData("window.to", "itch", 80, "USD", 1, 2, 60 * 3)]
    public async Task Bad_auction_requests_name_the_field(string field, string? symptoms, decimal maxPrice, string currency, int fromHours, int toHours, int closesInMinutes)
    {
        var patient = await _http.RegisterAsync();
        var r = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, "/api/auctions", patient.Tokens.AccessToken, new
        {
            symptoms, maxPrice, currency,
            window = new { from = DateTimeOffset.UtcNow.AddHours(fromHours), to = DateTimeOffset.UtcNow.AddHours(toHours) },
            closesAt = DateTimeOffset.UtcNow.AddMinutes(closesInMinutes),
        }));
        await r.ValidationProblemAsync(field);
    }

    [Fact]
    public async Task A_patient_with_five_open_auctions_gets_409_for_the_sixth()
    {
        var admin = await _http.LoginAdminAsync();
        var specialty = await Specialty(_http, admin.Tokens.AccessToken, "Cap-" + Guid.NewGuid().ToString("N")[..6]);
        var patient = await _http.RegisterAsync();
        var create = new { symptoms = "itch", specialtyId = specialty, currency = "USD", window = new { from = SlotAhead(8), to = SlotAhead(12) }, closesAt = DateTimeOffset.UtcNow.AddHours(1) };
        var first = (await Send(HttpMethod.Post, "/api/auctions", patient.Tokens.AccessToken, create, HttpStatusCode.Created))["id"]!.GetValue<Guid>();
        for (var i = 1; i < new MarketplaceOptions().MaxOpenAuctionsPerPatient; i++)
            await Send(HttpMethod.Post, "/api/auctions", patient.Tokens.AccessToken, create, HttpStatusCode.Created);
        var refused = await Send(HttpMethod.Post, "/api/auctions", patient.Tokens.AccessToken, create, HttpStatusCode.Conflict);
        Assert.Equal("TooManyOpenAuctions", refused["reason"]!.GetValue<string>());

        await Send(HttpMethod.Post, $"/api/auctions/{first}/cancel", patient.Tokens.AccessToken, null, HttpStatusCode.OK);
        await Send(HttpMethod.Post, "/api/auctions", patient.Tokens.AccessToken, create, HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("JPY", "0.5")]
    [InlineData("USD", "10.005")]
    public async Task A_max_price_finer_than_its_currency_is_400_naming_it(string currency, string maxPrice)
    {
        var patient = await _http.RegisterAsync();
        var r = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, "/api/auctions", patient.Tokens.AccessToken, new
        {
            symptoms = "itch", maxPrice = decimal.Parse(maxPrice, System.Globalization.CultureInfo.InvariantCulture), currency,
            window = new { from = DateTimeOffset.UtcNow.AddHours(2), to = DateTimeOffset.UtcNow.AddHours(5) },
            closesAt = DateTimeOffset.UtcNow.AddHours(1),
        }));
        await r.ValidationProblemAsync("maxPrice");
    }
}
