using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using HealthActors.TestKit;
using HealthActors.Tests.Marketplace;
using Npgsql;

namespace HealthActors.Tests.Consultations;

/// <summary>Quick consultations through the Api: the claim race, who sees and writes what, bad inputs, red flags.</summary>
public sealed class ConsultationTests(MarketApiFactory factory) : IClassFixture<MarketApiFactory>
{
    private const string Password = "doctor-passphrase-1";
    private const string Poisoning = "my son was poisoned, he swallowed rat poison";
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

    private async Task<string> Doctor(string adminToken, Guid specialty, bool verified = true)
    {
        var profile = ApiDriver.EveryDayDoctor(specialty, Password, ApiClientExtensions.NewEmail("doc"), price: 50, currency: "USD") with { Verified = verified };
        await _http.Driver().CreateDoctorAsync(adminToken, profile);
        return (await _http.Driver().SignInUserAsync(profile.Email!, Password)).Tokens.AccessToken;
    }

    private async Task<(string Admin, Guid Specialty)> Setup()
    {
        var admin = (await _http.LoginAdminAsync()).Tokens.AccessToken;
        return (admin, await MarketplaceFlowTests.Specialty(_http, admin, "Consult-" + Guid.NewGuid().ToString("N")[..8]));
    }

    private async Task<string> Patient() => (await _http.RegisterAsync(ApiClientExtensions.NewEmail("pat"))).Tokens.AccessToken;

    private async Task<Guid> Ask(string patient, Guid specialty, string question = "A dry cough for two weeks, no fever.") =>
        (await Expect(HttpStatusCode.Created, HttpMethod.Post, "/api/consultations", patient, new { question, specialtyId = specialty }))["id"]!.GetValue<Guid>();

    private async Task<Guid> Upload(string token)
    {
        var part = new ByteArrayContent(SampleFiles.Png());
        part.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var request = ApiClientExtensions.Authed(HttpMethod.Post, "/api/attachments", token);
        request.Content = new MultipartFormDataContent { { part, "file", "scan.png" } };
        var r = await _http.SendAsync(request);
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Created, text);
        return JsonNode.Parse(text)!["id"]!.GetValue<Guid>();
    }

    private static async Task<long> Count(string sql, params Guid[] keys)
    {
        await using var db = NpgsqlDataSource.Create(TestEnvironment.Postgres);
        await using var cmd = db.CreateCommand(sql);
        foreach (var key in keys) cmd.Parameters.AddWithValue(key);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    private static Task<long> Consultations(Guid patientId) => Count("SELECT count(*) FROM consultations WHERE patient_id = $1", patientId);

    private static Task<long> Messages(Guid consultationId) => Count("SELECT count(*) FROM consultation_messages WHERE consultation_id = $1", consultationId);

    private static void AssertNames(JsonNode problem, string field, string because) =>
        Assert.True(problem["errors"]?[field] is not null, $"{because}: expected errors.{field} in {problem.ToJsonString()}");

    [Fact]
    public async Task Twenty_verified_doctors_race_for_one_consultation_and_exactly_one_wins()
    {
        var (admin, specialty) = await Setup();
        var doctors = await new MarketApi(_http).Doctors(admin, specialty, 20);
        var patient = await Patient();
        var id = await Ask(patient, specialty);

        var start = new TaskCompletionSource();
        var claims = doctors.Select(async d =>
        {
            await start.Task;
            return (d, await Call(HttpMethod.Post, $"/api/consultations/{id}/claim", d.Tokens.AccessToken));
        }).ToList();
        start.SetResult();
        var results = await Task.WhenAll(claims);

        var winners = results.Where(r => r.Item2.Status == HttpStatusCode.OK).ToList();
        Assert.Single(winners);
        var losers = results.Where(r => r.Item2.Status == HttpStatusCode.Conflict).ToList();
        Assert.Equal(19, losers.Count);
        Assert.All(losers, l => Assert.Equal("AlreadyClaimed", l.Item2.Body!["reason"]!.GetValue<string>()));
        var winner = winners[0].d;
        var seen = await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/consultations/{id}", patient);
        Assert.Equal(winner.Id, seen["doctorId"]!.GetValue<Guid>());
        Assert.Equal("claimed", seen["status"]!.GetValue<string>());
        Assert.Equal(1, await Count("SELECT count(*) FROM consultations WHERE id = $1 AND status = 'claimed' AND doctor_id = $2", id, winner.Id));
        // No longer open: the other doctors' list does not offer it.
        var open = await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/consultations/open?pageSize=100", losers[0].d.Tokens.AccessToken);
        Assert.DoesNotContain(open["items"]!.AsArray(), i => i!["id"]!.GetValue<Guid>() == id);
    }

    [Fact]
    public async Task Only_the_patient_and_the_claiming_doctor_reach_the_thread()
    {
        var (admin, specialty) = await Setup();
        var otherSpecialty = await MarketplaceFlowTests.Specialty(_http, admin, "Consult-other-" + Guid.NewGuid().ToString("N")[..8]);
        var patient = await Patient();
        var otherPatient = await Patient();
        var claimer = await Doctor(admin, specialty);
        var colleague = await Doctor(admin, specialty);
        var unverified = await Doctor(admin, specialty, verified: false);
        var elsewhere = await Doctor(admin, otherSpecialty);
        var id = await Ask(patient, specialty);
        var url = $"/api/consultations/{id}";
        var message = new { text = "Any news?" };

        // Creating: patients only. Listing one's own: patients (their questions) and doctors (the ones they claimed).
        foreach (var (token, status) in new (string?, HttpStatusCode)[] { (claimer, HttpStatusCode.Forbidden), (admin, HttpStatusCode.Forbidden), (null, HttpStatusCode.Unauthorized) })
            await Expect(status, HttpMethod.Post, "/api/consultations", token, new { question = "q", specialtyId = specialty });
        await Expect(HttpStatusCode.Forbidden, HttpMethod.Get, "/api/consultations/mine", admin);
        await Expect(HttpStatusCode.Unauthorized, HttpMethod.Get, "/api/consultations/mine", null);
        var mine = await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/consultations/mine", patient);
        Assert.Contains(mine["items"]!.AsArray(), i => i!["id"]!.GetValue<Guid>() == id);
        var theirs = await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/consultations/mine", otherPatient);
        Assert.Equal(0, theirs["total"]!.GetValue<int>());
        // Before anyone claims it, no doctor has it as their own.
        foreach (var token in new[] { claimer, colleague, unverified, elsewhere })
            Assert.Equal(0, (await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/consultations/mine", token))["total"]!.GetValue<int>());

        // The open list: verified doctors of the specialty see it; unverified doctors are told why; others are refused.
        var open = await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/consultations/open?pageSize=100", colleague);
        Assert.Contains(open["items"]!.AsArray(), i => i!["id"]!.GetValue<Guid>() == id);
        var elsewhereOpen = await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/consultations/open?pageSize=100", elsewhere);
        Assert.DoesNotContain(elsewhereOpen["items"]!.AsArray(), i => i!["id"]!.GetValue<Guid>() == id);
        Assert.Equal("DoctorNotVerified", (await Expect(HttpStatusCode.Forbidden, HttpMethod.Get, "/api/consultations/open", unverified))["reason"]!.GetValue<string>());
        await Expect(HttpStatusCode.Forbidden, HttpMethod.Get, "/api/consultations/open", patient);
        await Expect(HttpStatusCode.Forbidden, HttpMethod.Get, "/api/consultations/open", admin);
        await Expect(HttpStatusCode.Unauthorized, HttpMethod.Get, "/api/consultations/open", null);

        // Before the claim the patient may write; no doctor may.
        await Expect(HttpStatusCode.Created, HttpMethod.Post, url + "/messages", patient, message);
        await Expect(HttpStatusCode.NotFound, HttpMethod.Post, url + "/messages", claimer, message);

        // Claiming: a doctor of another specialty does not see it (404), an unverified one is told why (403).
        await Expect(HttpStatusCode.NotFound, HttpMethod.Post, url + "/claim", elsewhere);
        Assert.Equal("DoctorNotVerified", (await Expect(HttpStatusCode.Forbidden, HttpMethod.Post, url + "/claim", unverified))["reason"]!.GetValue<string>());
        await Expect(HttpStatusCode.Forbidden, HttpMethod.Post, url + "/claim", patient);
        await Expect(HttpStatusCode.Forbidden, HttpMethod.Post, url + "/claim", admin);
        await Expect(HttpStatusCode.Unauthorized, HttpMethod.Post, url + "/claim", null);
        await Expect(HttpStatusCode.OK, HttpMethod.Post, url + "/claim", claimer);
        await Expect(HttpStatusCode.Created, HttpMethod.Post, url + "/messages", claimer, new { text = "Tell me more about the cough." });
        // Claimed: the claimer lists it; for everyone else "mine" is as it was.
        var claimed = await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/consultations/mine", claimer);
        Assert.Equal([id], claimed["items"]!.AsArray().Select(i => i!["id"]!.GetValue<Guid>()));
        Assert.Equal("claimed", claimed["items"]![0]!["status"]!.GetValue<string>());
        foreach (var token in new[] { colleague, unverified, elsewhere, otherPatient })
            Assert.Equal(0, (await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/consultations/mine", token))["total"]!.GetValue<int>());
        Assert.Contains((await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/consultations/mine", patient))["items"]!.AsArray(), i => i!["id"]!.GetValue<Guid>() == id);

        // The thread: its patient and the claiming doctor; everyone else as if it did not exist.
        foreach (var token in new[] { patient, claimer })
        {
            Assert.Equal(id, (await Expect(HttpStatusCode.OK, HttpMethod.Get, url, token))["id"]!.GetValue<Guid>());
            Assert.True((await Expect(HttpStatusCode.OK, HttpMethod.Get, url + "/messages", token)).AsArray().Count >= 2);
        }
        var before = await Messages(id);
        foreach (var token in new[] { otherPatient, colleague, unverified, elsewhere, admin })
        {
            await Expect(HttpStatusCode.NotFound, HttpMethod.Get, url, token);
            await Expect(HttpStatusCode.NotFound, HttpMethod.Get, url + "/messages", token);
            await Expect(HttpStatusCode.NotFound, HttpMethod.Post, url + "/messages", token, message);
        }
        foreach (var path in new[] { "", "/messages" }) await Expect(HttpStatusCode.Unauthorized, HttpMethod.Get, url + path, null);
        await Expect(HttpStatusCode.Unauthorized, HttpMethod.Post, url + "/messages", null, message);
        Assert.Equal(before, await Messages(id));

        // Closing: the claiming doctor only; then nobody writes.
        await Expect(HttpStatusCode.NotFound, HttpMethod.Post, url + "/close", colleague);
        await Expect(HttpStatusCode.Forbidden, HttpMethod.Post, url + "/close", patient);
        await Expect(HttpStatusCode.Forbidden, HttpMethod.Post, url + "/close", admin);
        await Expect(HttpStatusCode.Unauthorized, HttpMethod.Post, url + "/close", null);
        Assert.Equal("closed", (await Expect(HttpStatusCode.OK, HttpMethod.Post, url + "/close", claimer))["status"]!.GetValue<string>());
        foreach (var token in new[] { patient, claimer })
            Assert.Equal("ConsultationClosed", (await Expect(HttpStatusCode.Conflict, HttpMethod.Post, url + "/messages", token, message))["reason"]!.GetValue<string>());
        Assert.Equal(before, await Messages(id));
        // Closed consultations are still readable by both, and still the claimer's own.
        await Expect(HttpStatusCode.OK, HttpMethod.Get, url + "/messages", patient);
        var closed = await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/consultations/mine", claimer);
        Assert.Equal("closed", closed["items"]!.AsArray().Single()!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_doctor_lists_only_the_consultations_they_claimed_latest_claim_first_in_pages()
    {
        var (admin, specialty) = await Setup();
        var doctorA = await Doctor(admin, specialty);
        var doctorB = await Doctor(admin, specialty);
        var patient = await Patient();
        var first = await Ask(patient, specialty, "A dry cough for two weeks.");
        var second = await Ask(patient, specialty, "Headache every morning.");
        var third = await Ask(patient, specialty, "Tingling in my left hand.");
        var unclaimed = await Ask(patient, specialty, "Itchy eyes in spring.");
        // Claimed out of the order they were asked, so "latest claim first" differs from "newest question first".
        await Expect(HttpStatusCode.OK, HttpMethod.Post, $"/api/consultations/{third}/claim", doctorA);
        var doctorBId = (await Expect(HttpStatusCode.OK, HttpMethod.Post, $"/api/consultations/{second}/claim", doctorB))["doctorId"]!.GetValue<Guid>();
        await Expect(HttpStatusCode.OK, HttpMethod.Post, $"/api/consultations/{first}/claim", doctorA);
        await Expect(HttpStatusCode.OK, HttpMethod.Post, $"/api/consultations/{third}/close", doctorA);

        var pages = new List<JsonNode>();
        for (var page = 1; page <= 3; page++)
            pages.Add(await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/consultations/mine?page={page}&pageSize=1", doctorA));
        Assert.All(pages, p => Assert.Equal(2, p["total"]!.GetValue<int>()));
        Assert.Equal([1, 2, 3], pages.Select(p => p["pageNumber"]!.GetValue<int>()));
        Assert.Equal(first, pages[0]["items"]!.AsArray().Single()!["id"]!.GetValue<Guid>());
        Assert.Equal(third, pages[1]["items"]!.AsArray().Single()!["id"]!.GetValue<Guid>());
        Assert.Equal("closed", pages[1]["items"]![0]!["status"]!.GetValue<string>());
        Assert.Empty(pages[2]["items"]!.AsArray());

        // Doctor B sees the one B claimed and nothing of A's, open or closed; nobody lists the unclaimed one but its patient.
        var ofB = await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/consultations/mine?pageSize=100", doctorB);
        Assert.Equal([second], ofB["items"]!.AsArray().Select(i => i!["id"]!.GetValue<Guid>()));
        Assert.Equal(1, ofB["total"]!.GetValue<int>());
        Assert.All(ofB["items"]!.AsArray(), i => Assert.Equal(doctorBId, i!["doctorId"]!.GetValue<Guid>()));
        var ofPatient = await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/consultations/mine?pageSize=100", patient);
        Assert.Equal([unclaimed, third, second, first], ofPatient["items"]!.AsArray().Select(i => i!["id"]!.GetValue<Guid>()));

        // A doctor's paging is checked as a patient's is.
        AssertNames(await Expect(HttpStatusCode.BadRequest, HttpMethod.Get, "/api/consultations/mine?pageSize=101", doctorA), "pageSize", "pageSize 101");
        AssertNames(await Expect(HttpStatusCode.BadRequest, HttpMethod.Get, "/api/consultations/mine?page=0", doctorA), "page", "page 0");
    }

    [Fact]
    public async Task Bad_inputs_are_400s_naming_the_field_and_write_nothing()
    {
        var (admin, specialty) = await Setup();
        var patientUser = await _http.RegisterAsync(ApiClientExtensions.NewEmail("pat"));
        var patient = patientUser.Tokens.AccessToken;
        var someoneElsesUpload = await Upload(await Patient());
        var own = await Upload(patient);

        var creates = new (object Body, string Field)[]
        {
            (new { specialtyId = specialty }, "question"),
            (new { question = "   ", specialtyId = specialty }, "question"),
            (new { question = new string('x', 4001), specialtyId = specialty }, "question"),
            (new { question = "cough\u0007", specialtyId = specialty }, "question"),
            (new { question = "cough", specialtyId = Guid.Empty }, "specialtyId"),
            (new { question = "cough", specialtyId = Guid.NewGuid() }, "specialtyId"),
            (new { question = "cough", specialtyId = specialty, attachmentIds = new[] { own, own } }, "attachmentIds"),
            (new { question = "cough", specialtyId = specialty, attachmentIds = new[] { someoneElsesUpload } }, "attachmentIds"),
        };
        foreach (var (body, field) in creates)
            AssertNames(await Expect(HttpStatusCode.BadRequest, HttpMethod.Post, "/api/consultations", patient, body), field, field);
        Assert.Equal(0, await Consultations(patientUser.Id));

        var withOwn = await Expect(HttpStatusCode.Created, HttpMethod.Post, "/api/consultations", patient,
            new { question = "  A mole that   changed colour  ", specialtyId = specialty, attachmentIds = new[] { own } });
        Assert.Equal("A mole that   changed colour", withOwn["question"]!.GetValue<string>());
        var url = $"/api/consultations/{withOwn["id"]!.GetValue<Guid>()}";

        var messages = new (object Body, string Field)[]
        {
            (new { }, "text"),
            (new { text = "" }, "text"),
            (new { text = new string('y', 4001) }, "text"),
            (new { text = "see this", attachmentIds = new[] { someoneElsesUpload } }, "attachmentIds"),
            (new { text = "see this", attachmentIds = new[] { Guid.Empty } }, "attachmentIds"),
        };
        foreach (var (body, field) in messages)
            AssertNames(await Expect(HttpStatusCode.BadRequest, HttpMethod.Post, url + "/messages", patient, body), field, field);
        Assert.Equal(0, await Messages(withOwn["id"]!.GetValue<Guid>()));

        AssertNames(await Expect(HttpStatusCode.BadRequest, HttpMethod.Get, url + "/messages?afterSeq=-1", patient), "afterSeq", "afterSeq");
        AssertNames(await Expect(HttpStatusCode.BadRequest, HttpMethod.Get, url + "/messages?limit=0", patient), "limit", "limit 0");
        AssertNames(await Expect(HttpStatusCode.BadRequest, HttpMethod.Get, url + "/messages?limit=101", patient), "limit", "limit 101");
        AssertNames(await Expect(HttpStatusCode.BadRequest, HttpMethod.Get, "/api/consultations/mine?pageSize=0", patient), "pageSize", "pageSize");
        var doctor = await Doctor(admin, specialty);
        AssertNames(await Expect(HttpStatusCode.BadRequest, HttpMethod.Get, "/api/consultations/open?page=0", doctor), "page", "page");
    }

    [Fact]
    public async Task A_red_flag_is_answered_with_guidance_and_the_consultation_still_exists()
    {
        var (admin, specialty) = await Setup();
        var patient = await Patient();
        var created = await Expect(HttpStatusCode.Created, HttpMethod.Post, "/api/consultations", patient, new { question = Poisoning, specialtyId = specialty });
        Assert.NotEmpty(created["redFlags"]!.AsArray());
        Assert.False(string.IsNullOrWhiteSpace(created["guidance"]?.GetValue<string>()), created.ToJsonString());
        var id = created["id"]!.GetValue<Guid>();
        Assert.Equal("open", (await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/consultations/{id}", patient))["status"]!.GetValue<string>());

        var calm = await Expect(HttpStatusCode.Created, HttpMethod.Post, $"/api/consultations/{id}/messages", patient, new { text = "He seems fine now." });
        Assert.Null(calm["guidance"]);
        var flagged = await Expect(HttpStatusCode.Created, HttpMethod.Post, $"/api/consultations/{id}/messages", patient, new { text = Poisoning });
        Assert.False(string.IsNullOrWhiteSpace(flagged["guidance"]?.GetValue<string>()), flagged.ToJsonString());
        Assert.NotEmpty(flagged["message"]!["redFlags"]!.AsArray());
        var thread = await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/consultations/{id}/messages?afterSeq=1", patient);
        Assert.Equal([2], thread.AsArray().Select(m => m!["seq"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Without_a_specialty_the_orientation_rules_choose_it()
    {
        var (admin, _) = await Setup();
        // The rules name "Dermatology"; the catalog may already have it from another run.
        await Call(HttpMethod.Post, "/api/admin/specialties", admin, new { name = "Dermatology", description = "Skin." });
        var patient = await Patient();
        const string question = "an itchy rash on my skin since last week";
        var oriented = await Expect(HttpStatusCode.OK, HttpMethod.Post, "/api/orientation", patient, new { symptoms = question });
        var created = await Expect(HttpStatusCode.Created, HttpMethod.Post, "/api/consultations", patient, new { question });
        Assert.Equal(oriented["specialtyId"]!.GetValue<Guid>(), created["specialtyId"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task The_two_sides_of_a_claimed_consultation_read_the_files_linked_to_it_and_nobody_else_does()
    {
        var (admin, specialty) = await Setup();
        var patientUser = await _http.RegisterAsync(ApiClientExtensions.NewEmail("pat"));
        var patient = patientUser.Tokens.AccessToken;
        var otherPatient = await Patient();
        var claimer = await Doctor(admin, specialty);
        var colleague = await Doctor(admin, specialty);
        var scan = await Upload(patient);
        var created = await Expect(HttpStatusCode.Created, HttpMethod.Post, "/api/consultations", patient,
            new { question = "Is this mole a worry?", specialtyId = specialty, attachmentIds = new[] { scan } });
        var id = created["id"]!.GetValue<Guid>();
        var (status, _) = await Call(HttpMethod.Get, $"/api/attachments/{scan}", claimer);
        Assert.Equal(HttpStatusCode.NotFound, status);

        await Expect(HttpStatusCode.OK, HttpMethod.Post, $"/api/consultations/{id}/claim", claimer);
        var leaflet = await Upload(claimer);
        await Expect(HttpStatusCode.Created, HttpMethod.Post, $"/api/consultations/{id}/messages", claimer, new { text = "Read this.", attachmentIds = new[] { leaflet } });
        var unlinked = await Upload(claimer);

        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/attachments/{scan}", claimer))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/attachments/{leaflet}", patient))).StatusCode);
        foreach (var (token, file) in new[] { (colleague, scan), (otherPatient, scan), (otherPatient, leaflet), (colleague, leaflet), (patient, unlinked) })
            Assert.Equal(HttpStatusCode.NotFound, (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/attachments/{file}", token))).StatusCode);
        // A read that is not the owner's is audited with its basis.
        Assert.Equal(1, await Count("SELECT count(*) FROM audit_events WHERE subject_id = $1 AND action = 'attachment.read' AND detail = 'consultation bytes ' || $2::text",
            patientUser.Id, scan));
    }
}
