using System.Net;
using System.Text.Json.Nodes;
using HealthActors.TestKit;
using HealthActors.Tests.Marketplace;
using Npgsql;

namespace HealthActors.Tests.Consultations;

/// <summary>
/// Ratings after a consultation: once, by its patient, after the close; the doctor's average and count, the catalog's
/// rating sort and filter, and the marketplace's tie-break all follow the real ratings.
/// </summary>
public sealed class RatingTests(MarketApiFactory factory) : IClassFixture<MarketApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private async Task<(HttpStatusCode Status, JsonNode? Body)> Call(HttpMethod method, string url, string? token, object? body = null)
    {
        var r = await _http.SendAsync(ApiClientExtensions.Authed(method, url, token, body));
        var text = await r.Content.ReadAsStringAsync();
        return (r.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    private async Task<JsonNode> Expect(HttpStatusCode expected, HttpMethod method, string url, string? token, object? body = null)
    {
        var (status, json) = await Call(method, url, token, body);
        Assert.True(expected == status, $"{method} {url}: expected {(int)expected}, got {(int)status}: {json?.ToJsonString()}");
        return json ?? new JsonObject();
    }

    private async Task<(string Admin, Guid Specialty)> Setup()
    {
        var admin = (await _http.LoginAdminAsync()).Tokens.AccessToken;
        return (admin, await MarketplaceFlowTests.Specialty(_http, admin, "Rating-" + Guid.NewGuid().ToString("N")[..8]));
    }

    private async Task<string> Patient() => (await _http.RegisterAsync(ApiClientExtensions.NewEmail("pat"))).Tokens.AccessToken;

    private async Task<Guid> Ask(string patient, Guid specialty) =>
        (await Expect(HttpStatusCode.Created, HttpMethod.Post, "/api/consultations", patient,
            new { question = "A rash on my arm since Monday.", specialtyId = specialty }))["id"]!.GetValue<Guid>();

    /// <summary>A consultation of <paramref name="patient"/> that <paramref name="doctor"/> claimed and closed.</summary>
    private async Task<Guid> Closed(string patient, TestUser doctor, Guid specialty)
    {
        var id = await Ask(patient, specialty);
        await Expect(HttpStatusCode.OK, HttpMethod.Post, $"/api/consultations/{id}/claim", doctor.Tokens.AccessToken);
        await Expect(HttpStatusCode.OK, HttpMethod.Post, $"/api/consultations/{id}/close", doctor.Tokens.AccessToken);
        return id;
    }

    private async Task Rate(string patient, TestUser doctor, Guid specialty, int rating) =>
        await Expect(HttpStatusCode.Created, HttpMethod.Post, $"/api/consultations/{await Closed(patient, doctor, specialty)}/rating", patient, new { rating });

    private static async Task<long> StoredRatings(Guid consultationId)
    {
        await using var db = NpgsqlDataSource.Create(TestEnvironment.Postgres);
        await using var cmd = db.CreateCommand("SELECT count(*) FROM consultation_ratings WHERE consultation_id = $1");
        cmd.Parameters.AddWithValue(consultationId);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    private async Task<(double Rating, int Count)> Shown(Guid doctorId)
    {
        var doctor = await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/doctors/{doctorId}", null);
        return (doctor["rating"]!.GetValue<double>(), doctor["ratingCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task Ten_ratings_sent_at_once_store_one_and_refuse_nine()
    {
        var (admin, specialty) = await Setup();
        var doctor = await MarketplaceFlowTests.Doctor(_http, admin, specialty);
        var patient = await Patient();
        var id = await Closed(patient, doctor, specialty);

        var start = new TaskCompletionSource();
        var sends = Enumerable.Range(1, 10).Select(async i =>
        {
            await start.Task;
            return await Call(HttpMethod.Post, $"/api/consultations/{id}/rating", patient, new { rating = i % 5 + 1, comment = $"attempt {i}" });
        }).ToList();
        start.SetResult();
        var results = await Task.WhenAll(sends);

        var stored = Assert.Single(results, r => r.Status == HttpStatusCode.Created);
        var refused = results.Where(r => r.Status == HttpStatusCode.Conflict).ToList();
        Assert.Equal(9, refused.Count);
        Assert.All(refused, r => Assert.Equal("AlreadyRated", r.Body!["reason"]!.GetValue<string>()));
        Assert.Equal(1, await StoredRatings(id));
        // The one that landed is the one the doctor's average is made of.
        Assert.Equal((stored.Body!["rating"]!.GetValue<double>(), 1), await Shown(doctor.Tokens.UserId));
        Assert.Equal(doctor.Tokens.UserId, stored.Body!["doctorId"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task Only_its_patient_rates_and_only_after_the_doctor_closed_it()
    {
        var (admin, specialty) = await Setup();
        var claimer = await MarketplaceFlowTests.Doctor(_http, admin, specialty);
        var colleague = await MarketplaceFlowTests.Doctor(_http, admin, specialty);
        var patient = await Patient();
        var otherPatient = await Patient();
        var id = await Ask(patient, specialty);
        var url = $"/api/consultations/{id}/rating";
        var body = new { rating = 5 };

        Assert.Equal("NotClosed", (await Expect(HttpStatusCode.Conflict, HttpMethod.Post, url, patient, body))["reason"]!.GetValue<string>());
        await Expect(HttpStatusCode.OK, HttpMethod.Post, $"/api/consultations/{id}/claim", claimer.Tokens.AccessToken);
        Assert.Equal("NotClosed", (await Expect(HttpStatusCode.Conflict, HttpMethod.Post, url, patient, body))["reason"]!.GetValue<string>());
        await Expect(HttpStatusCode.OK, HttpMethod.Post, $"/api/consultations/{id}/close", claimer.Tokens.AccessToken);

        // Closed now: still nobody but its patient, and the doctor least of all rates themselves.
        foreach (var (who, token, status) in new (string, string?, HttpStatusCode)[]
                 {
                     ("other patient", otherPatient, HttpStatusCode.NotFound), ("claiming doctor", claimer.Tokens.AccessToken, HttpStatusCode.NotFound),
                     ("other doctor", colleague.Tokens.AccessToken, HttpStatusCode.NotFound), ("admin", admin, HttpStatusCode.NotFound),
                     ("anonymous", null, HttpStatusCode.Unauthorized),
                 })
        {
            var (got, json) = await Call(HttpMethod.Post, url, token, body);
            Assert.True(status == got, $"{who}: expected {(int)status}, got {(int)got}: {json?.ToJsonString()}");
        }
        Assert.Equal(0, await StoredRatings(id));
        Assert.Equal((0d, 0), await Shown(claimer.Tokens.UserId));
        await Expect(HttpStatusCode.NotFound, HttpMethod.Post, $"/api/consultations/{Guid.NewGuid()}/rating", patient, body);

        await Expect(HttpStatusCode.Created, HttpMethod.Post, url, patient, body);
        Assert.Equal((5d, 1), await Shown(claimer.Tokens.UserId));
    }

    [Fact]
    public async Task Bad_ratings_name_the_field_and_write_nothing()
    {
        var (admin, specialty) = await Setup();
        var doctor = await MarketplaceFlowTests.Doctor(_http, admin, specialty);
        var patient = await Patient();
        var id = await Closed(patient, doctor, specialty);
        var url = $"/api/consultations/{id}/rating";

        foreach (var (raw, field) in new[]
                 {
                     ("{}", "rating"), ("""{"rating":0}""", "rating"), ("""{"rating":6}""", "rating"), ("""{"rating":-1}""", "rating"),
                     ("""{"rating":4.5}""", "rating"), ("""{"rating":"five"}""", "rating"), ("""{"rating":null}""", "rating"),
                     ($$"""{"rating":4,"comment":"{{new string('a', 1001)}}"}""", "comment"), ("""{"rating":4,"comment":"bad\u0007bell"}""", "comment"),
                 })
        {
            var r = await _http.SendAsync(ApiClientExtensions.RawJson(HttpMethod.Post, url, patient, raw));
            var text = await r.Content.ReadAsStringAsync();
            Assert.True(r.StatusCode == HttpStatusCode.BadRequest, $"{raw[..Math.Min(raw.Length, 40)]}: {(int)r.StatusCode} {text}");
            Assert.True(JsonNode.Parse(text)!["errors"]?[field] is not null, $"{raw[..Math.Min(raw.Length, 40)]}: expected errors.{field} in {text}");
        }
        Assert.Equal(0, await StoredRatings(id));
        Assert.Equal((0d, 0), await Shown(doctor.Tokens.UserId));

        // The comment is stored normalized and trimmed; the public list names no patient.
        var rated = await Expect(HttpStatusCode.Created, HttpMethod.Post, url, patient, new { rating = 4, comment = "  Very clear\u200b answer.\n " });
        Assert.Equal("Very clear answer.", rated["comment"]!.GetValue<string>());
        var reviews = await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/doctors/{doctor.Tokens.UserId}/ratings", null);
        Assert.Equal(1, reviews["total"]!.GetValue<int>());
        var review = reviews["items"]!.AsArray().Single()!.AsObject();
        Assert.Equal(["comment", "createdAt", "rating"], review.Select(p => p.Key).Order());
        Assert.Equal(4, review["rating"]!.GetValue<int>());
        Assert.DoesNotContain("patient", reviews.ToJsonString(), StringComparison.OrdinalIgnoreCase);
        await Expect(HttpStatusCode.NotFound, HttpMethod.Get, $"/api/doctors/{Guid.NewGuid()}/ratings", null);
        Assert.NotNull((await Expect(HttpStatusCode.BadRequest, HttpMethod.Get, $"/api/doctors/{doctor.Tokens.UserId}/ratings?pageSize=0", null))["errors"]?["pageSize"]);
    }

    [Fact]
    public async Task The_average_and_count_move_and_the_catalog_sort_and_filter_follow()
    {
        var (admin, specialty) = await Setup();
        var a = await MarketplaceFlowTests.Doctor(_http, admin, specialty);
        var b = await MarketplaceFlowTests.Doctor(_http, admin, specialty);
        var unrated = await MarketplaceFlowTests.Doctor(_http, admin, specialty);
        var patient = await Patient();

        async Task<List<Guid>> Order(string extra = "") =>
            (await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/doctors?specialtyId={specialty}&sort=rating{extra}", null))["items"]!.AsArray()
            .Select(d => d!["doctorId"]!.GetValue<Guid>()).ToList();

        await Rate(patient, a, specialty, 3);
        await Rate(patient, b, specialty, 5);
        Assert.Equal((3d, 1), await Shown(a.Tokens.UserId));
        Assert.Equal([b.Tokens.UserId, a.Tokens.UserId, unrated.Tokens.UserId], await Order());

        await Rate(patient, a, specialty, 5);
        await Rate(patient, b, specialty, 1);
        await Rate(patient, b, specialty, 4);
        Assert.Equal((4d, 2), await Shown(a.Tokens.UserId));
        Assert.Equal((3.33, 3), await Shown(b.Tokens.UserId));
        // Unrated last although its 0 would sort it there anyway: it stays last under minRating=0 too.
        Assert.Equal([a.Tokens.UserId, b.Tokens.UserId, unrated.Tokens.UserId], await Order());
        Assert.Equal([a.Tokens.UserId, b.Tokens.UserId, unrated.Tokens.UserId], await Order("&minRating=0"));
        Assert.Equal([a.Tokens.UserId], await Order("&minRating=3.5"));
        var listed = (await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/doctors?specialtyId={specialty}&sort=rating", null))["items"]!.AsArray();
        Assert.Equal([2, 3, 0], listed.Select(d => d!["ratingCount"]!.GetValue<int>()));
        Assert.Equal(3, (await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/doctors/{b.Tokens.UserId}/ratings", null))["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Among_equal_bids_the_better_rated_doctor_ranks_first()
    {
        var (admin, specialty) = await Setup();
        var early = await MarketplaceFlowTests.Doctor(_http, admin, specialty);
        var late = await MarketplaceFlowTests.Doctor(_http, admin, specialty);
        var patient = await Patient();
        var market = new MarketApi(_http);
        var windowFrom = MarketplaceFlowTests.SlotAhead(0);

        // Unrated, equal prices rank by bid order: the early bidder first.
        var before = await market.CreateAuction(patient, specialty, windowFrom, windowFrom.AddDays(1), DateTimeOffset.UtcNow.AddHours(1));
        await market.Bid(before, early.Tokens.AccessToken, 50, windowFrom);
        await market.Bid(before, late.Tokens.AccessToken, 50, windowFrom.AddHours(1));
        Assert.Equal([early.Tokens.UserId, late.Tokens.UserId], (await market.Get(before, patient))["bids"]!.AsArray().Select(x => x!["doctorId"]!.GetValue<Guid>()));

        await Rate(patient, early, specialty, 2);
        await Rate(patient, late, specialty, 5);

        // Rated now: the later bid at the same price ranks first, carrying the doctor's real rating.
        var after = await market.CreateAuction(patient, specialty, windowFrom, windowFrom.AddDays(1), DateTimeOffset.UtcNow.AddHours(1));
        await market.Bid(after, early.Tokens.AccessToken, 50, windowFrom.AddHours(2));
        await market.Bid(after, late.Tokens.AccessToken, 50, windowFrom.AddHours(3));
        var bids = (await market.Get(after, patient))["bids"]!.AsArray();
        Assert.Equal([late.Tokens.UserId, early.Tokens.UserId], bids.Select(x => x!["doctorId"]!.GetValue<Guid>()));
        Assert.Equal([5d, 2d], bids.Select(x => x!["doctorRating"]!.GetValue<double>()));
    }
}
