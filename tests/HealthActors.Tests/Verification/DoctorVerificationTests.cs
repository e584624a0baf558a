using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using HealthActors.TestKit;
using HealthActors.Tests.Marketplace;
using Microsoft.AspNetCore.SignalR.Client;

namespace HealthActors.Tests.Verification;

/// <summary>Doctor verification through the Api: submission, the admin's one decision, the notice, and what verification unlocks.</summary>
public sealed class DoctorVerificationTests(MarketApiFactory factory) : IClassFixture<MarketApiFactory>
{
    private const string Password = "doctor-passphrase-1";
    private readonly HttpClient _http = factory.CreateClient();

    private static object Credentials(string license = "MN-12345", int year = 2010, Guid[]? attachmentIds = null) => new
    {
        licenseNumber = license, issuingAuthority = "Colegio de Médicos", institution = "Universidad de Buenos Aires",
        degree = "MD", graduationYear = year, attachmentIds = attachmentIds ?? [],
    };

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

    /// <summary>An admin-created doctor; <paramref name="verified"/> false makes one who must submit credentials first.</summary>
    private async Task<(TestUser User, Guid Id)> Doctor(string adminToken, Guid specialty, bool? verified)
    {
        var profile = ApiDriver.EveryDayDoctor(specialty, Password, ApiClientExtensions.NewEmail("doc"), price: 50, currency: "USD") with { Verified = verified };
        var created = await _http.Driver().CreateDoctorAsync(adminToken, profile);
        return (await _http.Driver().SignInUserAsync(profile.Email!, Password), created.DoctorId);
    }

    private async Task<(string Admin, Guid Specialty)> Setup()
    {
        var admin = (await _http.LoginAdminAsync()).Tokens.AccessToken;
        return (admin, await MarketplaceFlowTests.Specialty(_http, admin, "Verify-" + Guid.NewGuid().ToString("N")[..6]));
    }

    private async Task<Guid> Submit(string token, object? body = null) =>
        (await Expect(HttpStatusCode.Created, HttpMethod.Post, "/api/doctors/me/credentials", token, body ?? Credentials()))["id"]!.GetValue<Guid>();

    /// <summary>Pages through one status of the review queue (the table is shared with earlier runs) looking for a submission.</summary>
    private async Task<JsonNode?> FindInQueue(string adminToken, string status, Guid id)
    {
        for (var page = 1; ; page++)
        {
            var body = await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/admin/credentials?status={status}&page={page}&pageSize=100", adminToken);
            var items = body["items"]!.AsArray();
            if (items.FirstOrDefault(i => i!["id"]!.GetValue<Guid>() == id) is { } found) return found;
            if (items.Count < 100) return null;
        }
    }

    [Fact]
    public async Task Bad_submissions_are_400s_naming_the_field_and_write_nothing()
    {
        var (admin, specialty) = await Setup();
        var (doctor, _) = await Doctor(admin, specialty, verified: false);
        var token = doctor.Tokens.AccessToken;
        var nextYear = DateTime.UtcNow.Year + 1;
        var cases = new (object Body, string Field)[]
        {
            (new { issuingAuthority = "A", institution = "B", degree = "MD", graduationYear = 2000 }, "licenseNumber"),
            (Credentials(license: "no spaces allowed"), "licenseNumber"),
            (new { licenseNumber = "MN-1", issuingAuthority = "  ", institution = "B", degree = "MD", graduationYear = 2000 }, "issuingAuthority"),
            (new { licenseNumber = "MN-100", issuingAuthority = "A", institution = new string('x', 201), degree = "MD", graduationYear = 2000 }, "institution"),
            (new { licenseNumber = "MN-100", issuingAuthority = "A", institution = "B", graduationYear = 2000 }, "degree"),
            (new { licenseNumber = "MN-100", issuingAuthority = "A", institution = "B", degree = "MD\u0007", graduationYear = 2000 }, "degree"),
            (new { licenseNumber = "MN-100", issuingAuthority = "A", institution = "B", degree = "MD" }, "graduationYear"),
            (Credentials(year: 1949), "graduationYear"),
            (Credentials(year: nextYear), "graduationYear"),
            (Credentials(attachmentIds: Enumerable.Range(0, 11).Select(_ => Guid.NewGuid()).ToArray()), "attachmentIds"),
            (Credentials(attachmentIds: [Guid.Empty]), "attachmentIds"),
            // An id that names no upload of this doctor's.
            (Credentials(attachmentIds: [Guid.NewGuid()]), "attachmentIds"),
        };
        foreach (var (body, field) in cases)
        {
            var r = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, "/api/doctors/me/credentials", token, body));
            await r.ValidationProblemAsync(field);
        }
        var wrongType = await _http.SendAsync(ApiClientExtensions.RawJson(HttpMethod.Post, "/api/doctors/me/credentials", token, """{"licenseNumber":"MN-100","graduationYear":"soon"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);

        Assert.Empty((await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/doctors/me/credentials", token)).AsArray());
        // The boundary years are accepted.
        await Expect(HttpStatusCode.Created, HttpMethod.Post, "/api/doctors/me/credentials", token, Credentials(year: 1950));
    }

    [Fact]
    public async Task A_submission_links_only_the_doctors_own_uploads_and_the_reviewing_admin_reads_them()
    {
        var (admin, specialty) = await Setup();
        var (doctor, _) = await Doctor(admin, specialty, verified: false);
        var (colleague, _) = await Doctor(admin, specialty, verified: false);
        var mine = await Upload(doctor.Tokens.AccessToken);
        var theirs = await Upload(colleague.Tokens.AccessToken);

        await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, "/api/doctors/me/credentials", doctor.Tokens.AccessToken,
            Credentials(attachmentIds: [mine, theirs])))).ValidationProblemAsync("attachmentIds");
        Assert.Empty((await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/doctors/me/credentials", doctor.Tokens.AccessToken)).AsArray());

        var id = await Submit(doctor.Tokens.AccessToken, Credentials(attachmentIds: [mine]));
        var queued = await FindInQueue(admin, "pending", id);
        Assert.Equal(mine, queued!["attachmentIds"]![0]!.GetValue<Guid>());
        using var download = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/attachments/{mine}", admin));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("image/png", download.Content.Headers.ContentType?.MediaType);
    }

    private async Task<Guid> Upload(string token)
    {
        var part = new ByteArrayContent(SampleFiles.Png());
        part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        var request = ApiClientExtensions.Authed(HttpMethod.Post, "/api/attachments", token);
        request.Content = new MultipartFormDataContent { { part, "file", "diploma.png" } };
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<Guid>();
    }

    [Fact]
    public async Task One_pending_at_a_time_decided_once_audited_and_a_rejection_needs_a_reason()
    {
        var (admin, specialty) = await Setup();
        var (doctor, doctorId) = await Doctor(admin, specialty, verified: false);
        var token = doctor.Tokens.AccessToken;

        var first = await Submit(token);
        var second = await Expect(HttpStatusCode.Conflict, HttpMethod.Post, "/api/doctors/me/credentials", token, Credentials());
        Assert.Equal("CredentialsPending", second["reason"]!.GetValue<string>());
        var queued = await FindInQueue(admin, "pending", first);
        Assert.NotNull(queued);
        Assert.Equal(doctorId, queued!["doctorId"]!.GetValue<Guid>());

        foreach (var body in new object?[] { null, new { }, new { reason = "   " }, new { reason = new string('r', 1001) } })
        {
            var r = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, $"/api/admin/credentials/{first}/reject", admin, body ?? new { }));
            await r.ValidationProblemAsync("reason");
        }
        Assert.NotNull(await FindInQueue(admin, "pending", first));

        var rejected = await Expect(HttpStatusCode.OK, HttpMethod.Post, $"/api/admin/credentials/{first}/reject", admin, new { reason = "The licence number does not match the registry." });
        Assert.Equal("rejected", rejected["status"]!.GetValue<string>());
        foreach (var action in new[] { "approve", "reject" })
        {
            var again = await Expect(HttpStatusCode.Conflict, HttpMethod.Post, $"/api/admin/credentials/{first}/{action}", admin, new { reason = "second thoughts" });
            Assert.Equal("AlreadyDecided", again["reason"]!.GetValue<string>());
        }
        Assert.NotNull(await FindInQueue(admin, "rejected", first));
        Assert.Null(await FindInQueue(admin, "pending", first));
        var doctorView = await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/doctors/{doctorId}", null);
        Assert.False(doctorView["verified"]!.GetValue<bool>());

        // Decided, so the doctor may try again; that one is approved, once.
        var retry = await Submit(token);
        await Expect(HttpStatusCode.OK, HttpMethod.Post, $"/api/admin/credentials/{retry}/approve", admin);
        await Expect(HttpStatusCode.Conflict, HttpMethod.Post, $"/api/admin/credentials/{retry}/approve", admin);
        var mine = (await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/doctors/me/credentials", token)).AsArray();
        Assert.Equal(["approved", "rejected"], mine.Select(m => m!["status"]!.GetValue<string>()));
        Assert.Equal("The licence number does not match the registry.", mine[1]!["reason"]!.GetValue<string>());

        Assert.Equal(1, await MarketDb.Scalar("SELECT count(*) FROM audit_events WHERE subject_id = $1 AND action = 'credentials.rejected'", doctorId));
        Assert.Equal(1, await MarketDb.Scalar("SELECT count(*) FROM audit_events WHERE subject_id = $1 AND action = 'credentials.approved'", doctorId));
        await Expect(HttpStatusCode.NotFound, HttpMethod.Post, $"/api/admin/credentials/{Guid.NewGuid()}/approve", admin);
    }

    [Fact]
    public async Task The_doctor_is_told_live_and_in_the_inbox()
    {
        var (admin, specialty) = await Setup();
        var (doctor, _) = await Doctor(admin, specialty, verified: false);
        var token = doctor.Tokens.AccessToken;
        var pushed = new ConcurrentQueue<JsonElement>();
        await using var hub = await factory.ConnectHubAsync("/hubs/notifications", token);
        hub.On<JsonElement>("notification", n => pushed.Enqueue(n));

        var rejected = await Submit(token);
        await Expect(HttpStatusCode.OK, HttpMethod.Post, $"/api/admin/credentials/{rejected}/reject", admin, new { reason = "Scan unreadable." });
        var approved = await Submit(token);
        await Expect(HttpStatusCode.OK, HttpMethod.Post, $"/api/admin/credentials/{approved}/approve", admin);

        await Poll.Until(() => Task.FromResult(pushed.Count >= 2), TimeSpan.FromSeconds(10), () => $"{pushed.Count} of 2 notifications pushed");
        var live = pushed.Select(n => (n.GetProperty("kind").GetString(), n.GetProperty("subjectId").GetGuid())).ToList();
        Assert.Equal([("credentials.rejected", rejected), ("credentials.approved", approved)], live);
        Assert.Contains("Scan unreadable.", pushed.First().GetProperty("body").GetString());

        var inbox = (await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/notifications", token))["items"]!.AsArray();
        Assert.Equal(["credentials.approved", "credentials.rejected"], inbox.Select(n => n!["kind"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Only_verified_doctors_bid_and_the_catalog_shows_who_is()
    {
        var (admin, specialty) = await Setup();
        var (vouched, vouchedId) = await Doctor(admin, specialty, verified: null);
        var (pending, pendingId) = await Doctor(admin, specialty, verified: false);
        var patient = await _http.RegisterAsync();
        var auction = await _http.Driver().CreateAuctionAsync(patient.Tokens.AccessToken, specialty,
            MarketplaceFlowTests.SlotAhead(8), MarketplaceFlowTests.SlotAhead(12), DateTimeOffset.UtcNow.AddHours(1), 80);

        async Task<Dictionary<Guid, bool>> CatalogFlags() =>
            (await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/doctors?specialtyId={specialty}", null))["items"]!.AsArray()
                .ToDictionary(d => d!["doctorId"]!.GetValue<Guid>(), d => d!["verified"]!.GetValue<bool>());

        // Created by an admin without saying otherwise, as every doctor before this change was: verified.
        Assert.True((await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/doctors/{vouchedId}", null))["verified"]!.GetValue<bool>());
        Assert.False((await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/doctors/{pendingId}", null))["verified"]!.GetValue<bool>());
        Assert.Equal(new Dictionary<Guid, bool> { [vouchedId] = true, [pendingId] = false }, await CatalogFlags());

        await Expect(HttpStatusCode.Created, HttpMethod.Post, $"/api/auctions/{auction}/bids", vouched.Tokens.AccessToken, new { price = 60, slotStart = MarketplaceFlowTests.SlotAhead(9) });
        var refused = await Expect(HttpStatusCode.Forbidden, HttpMethod.Post, $"/api/auctions/{auction}/bids", pending.Tokens.AccessToken, new { price = 55, slotStart = MarketplaceFlowTests.SlotAhead(10) });
        Assert.Equal("DoctorNotVerified", refused["reason"]!.GetValue<string>());
        var view = await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/auctions/{auction}", patient.Tokens.AccessToken);
        Assert.Single(view["bids"]!.AsArray());
        Assert.True(await new MarketApi(_http).SlotIsFree(pendingId, MarketplaceFlowTests.SlotAhead(10)), "a refused bid must not hold a slot");

        var submission = await Submit(pending.Tokens.AccessToken);
        await Expect(HttpStatusCode.OK, HttpMethod.Post, $"/api/admin/credentials/{submission}/approve", admin);
        Assert.True((await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/doctors/{pendingId}", null))["verified"]!.GetValue<bool>());
        Assert.Equal(new Dictionary<Guid, bool> { [vouchedId] = true, [pendingId] = true }, await CatalogFlags());
        await Expect(HttpStatusCode.Created, HttpMethod.Post, $"/api/auctions/{auction}/bids", pending.Tokens.AccessToken, new { price = 55, slotStart = MarketplaceFlowTests.SlotAhead(10) });
    }

    [Fact]
    public async Task Every_endpoint_admits_only_its_caller()
    {
        var (admin, specialty) = await Setup();
        var (owner, _) = await Doctor(admin, specialty, verified: false);
        // Made a doctor by a role change: no catalog entry, and not verified.
        var other = await _http.RegisterDoctorAsync();
        var patient = await _http.RegisterAsync();
        var submission = await Submit(owner.Tokens.AccessToken);

        var endpoints = new (HttpMethod Method, string Url, object? Body, bool AdminOnly)[]
        {
            (HttpMethod.Post, "/api/doctors/me/credentials", Credentials(), false),
            (HttpMethod.Get, "/api/doctors/me/credentials", null, false),
            (HttpMethod.Get, "/api/admin/credentials?status=pending", null, true),
            (HttpMethod.Post, $"/api/admin/credentials/{submission}/approve", null, true),
            (HttpMethod.Post, $"/api/admin/credentials/{submission}/reject", new { reason = "no" }, true),
        };
        foreach (var (method, url, body, adminOnly) in endpoints)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await Call(method, url, null, body)).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await Call(method, url, patient.Tokens.AccessToken, body)).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await Call(method, url, adminOnly ? owner.Tokens.AccessToken : admin, body)).Status);
            if (adminOnly) Assert.Equal(HttpStatusCode.Forbidden, (await Call(method, url, other.Tokens.AccessToken, body)).Status);
        }
        // Nobody but the admin decided it, and another doctor's list is their own.
        Assert.NotNull(await FindInQueue(admin, "pending", submission));
        Assert.Empty((await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/doctors/me/credentials", other.Tokens.AccessToken)).AsArray());
        var ownerList = (await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/doctors/me/credentials", owner.Tokens.AccessToken)).AsArray();
        Assert.Equal(submission, Assert.Single(ownerList)!["id"]!.GetValue<Guid>());

        // A role-changed doctor may submit and be approved; with no catalog entry there is still nothing to bid with.
        var theirs = await Submit(other.Tokens.AccessToken);
        Assert.Equal("approved", (await Expect(HttpStatusCode.OK, HttpMethod.Post, $"/api/admin/credentials/{theirs}/approve", admin))["status"]!.GetValue<string>());
        var bad = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/api/admin/credentials?status=maybe", admin));
        await bad.ValidationProblemAsync("status");
    }

    [Fact]
    public async Task The_OpenAPI_document_names_every_verification_operation_and_hides_the_stored_flag()
    {
        var doc = (await Expect(HttpStatusCode.OK, HttpMethod.Get, "/openapi/v1.json", null)).AsObject();
        var operations = doc["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => o.Value?["operationId"]?.GetValue<string>())).ToHashSet();
        foreach (var id in new[] { "SubmitCredentials", "ListMyCredentials", "ListCredentials", "ApproveCredentials", "RejectCredentials" })
            Assert.Contains(id, operations);
        var profile = doc["components"]!["schemas"]!["DoctorProfile"]!["properties"]!.AsObject();
        Assert.True(profile.ContainsKey("verified"));
        Assert.False(profile.ContainsKey("unverified"));
    }
}
