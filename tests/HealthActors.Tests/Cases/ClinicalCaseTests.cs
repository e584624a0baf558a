using System.Net;
using System.Text.Json.Nodes;
using HealthActors.TestKit;
using HealthActors.Tests.Marketplace;

namespace HealthActors.Tests.Cases;

/// <summary>
/// The people every case test needs, made once per run: signing up is the slow part and none of these tests changes
/// who they are. Shared by every case test class (one Api host for all of them).
/// </summary>
public sealed class CaseCast : MarketApiFactory, IAsyncLifetime
{
    public const string Collection = "cases";
    private const string Password = "doctor-passphrase-1";
    public HttpClient Http { get; private set; } = null!;
    public string Author { get; private set; } = "";
    public string Colleague { get; private set; } = "";
    /// <summary>A third verified doctor, for tests that need a bystander among colleagues.</summary>
    public string Reader { get; private set; } = "";
    public string Unverified { get; private set; } = "";
    public string Patient { get; private set; } = "";
    public string Admin { get; private set; } = "";
    public Guid AuthorId { get; private set; }
    public Guid ColleagueId { get; private set; }
    public Guid AdminId { get; private set; }
    public Guid Specialty { get; private set; }

    public async Task InitializeAsync()
    {
        Http = CreateClient();
        var admin = await Http.LoginAdminAsync();
        (Admin, AdminId) = (admin.Tokens.AccessToken, admin.Id);
        Specialty = await MarketplaceFlowTests.Specialty(Http, Admin, "Cases-" + Guid.NewGuid().ToString("N")[..6]);
        var author = await Doctor(true);
        (Author, AuthorId) = (author.Tokens.AccessToken, author.Id);
        var colleague = await Doctor(true);
        (Colleague, ColleagueId) = (colleague.Tokens.AccessToken, colleague.Id);
        Reader = (await Doctor(true)).Tokens.AccessToken;
        Unverified = (await Doctor(false)).Tokens.AccessToken;
        Patient = (await Http.RegisterAsync()).Tokens.AccessToken;
    }

    private async Task<TestUser> Doctor(bool verified)
    {
        var profile = ApiDriver.EveryDayDoctor(Specialty, Password, ApiClientExtensions.NewEmail("casedoc"), price: 50, currency: "USD") with { Verified = verified };
        await Http.Driver().CreateDoctorAsync(Admin, profile);
        return await Http.Driver().SignInUserAsync(profile.Email!, Password);
    }

    Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;
}

[CollectionDefinition(CaseCast.Collection)]
public sealed class CaseCollection : ICollectionFixture<CaseCast>;

/// <summary>Clinical cases through the Api: who reaches them, de-identification, search, the thread and its rules.</summary>
[Collection(CaseCast.Collection)]
public sealed class ClinicalCaseTests(CaseCast cast)
{
    private readonly HttpClient _http = cast.Http;

    private static object NewCase(string title, string history = "No relevant history.", string? specialty = null, string[]? tags = null) => new
    {
        title, ageBand = "40-49", sex = "female", presentingComplaint = "Pain and swelling after a fall.", history,
        findings = "Tenderness on palpation.", question = "What would you do next?", tags = tags ?? ["trauma"], specialtyId = specialty,
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

    private async Task<Guid> Create(string token, object body) =>
        (await Expect(HttpStatusCode.Created, HttpMethod.Post, "/api/cases", token, body))["id"]!.GetValue<Guid>();

    private async Task<Guid> Comment(string token, Guid caseId, string text, Guid? parentId = null) =>
        (await Expect(HttpStatusCode.Created, HttpMethod.Post, $"/api/cases/{caseId}/comments", token, new { text, parentId }))["id"]!.GetValue<Guid>();

    /// <summary>A word no other run's case holds, so searches over the shared table see only this test's cases.</summary>
    private static string Nonce() => "zq" + Guid.NewGuid().ToString("N")[..8].Replace('0', 'k').Replace('1', 'm');

    private async Task<IReadOnlyList<Guid>> SearchIds(string query) =>
        (await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/cases?q={Uri.EscapeDataString(query)}&pageSize=100", cast.Author))["items"]!
            .AsArray().Select(i => i!["id"]!.GetValue<Guid>()).ToList();

    [Fact]
    public async Task Only_verified_doctors_reach_cases_others_get_404_and_anonymous_401()
    {
        var caseId = await Create(cast.Author, NewCase("Wrist pain after a fall " + Nonce()));
        var commentId = await Comment(cast.Colleague, caseId, "Get an X-ray first.");
        var endpoints = new (HttpMethod Method, string Url, object? Body)[]
        {
            (HttpMethod.Post, "/api/cases", NewCase("Another case")),
            (HttpMethod.Get, "/api/cases", null),
            (HttpMethod.Get, $"/api/cases/{caseId}", null),
            (HttpMethod.Post, $"/api/cases/{caseId}/comments", new { text = "A comment." }),
            (HttpMethod.Get, $"/api/cases/{caseId}/comments", null),
            (HttpMethod.Post, $"/api/cases/{caseId}/comments/{commentId}/upvote", null),
            (HttpMethod.Post, $"/api/cases/{caseId}/accept", new { commentId }),
            (HttpMethod.Post, $"/api/cases/{caseId}/close", null),
        };
        foreach (var (method, url, body) in endpoints)
        {
            await Expect(HttpStatusCode.Unauthorized, method, url, null, body);
            // Admins too: cases are a verified doctors' space until moderation exists (documented in docs/architecture.md).
            foreach (var outsider in new[] { cast.Patient, cast.Unverified, cast.Admin })
                await Expect(HttpStatusCode.NotFound, method, url, outsider, body);
        }

        // Another verified doctor reads, comments and upvotes, but the author alone accepts and closes.
        await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/cases/{caseId}", cast.Colleague);
        await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/cases/{caseId}/comments", cast.Colleague);
        await Expect(HttpStatusCode.OK, HttpMethod.Post, $"/api/cases/{caseId}/comments/{commentId}/upvote", cast.Colleague);
        await Expect(HttpStatusCode.Forbidden, HttpMethod.Post, $"/api/cases/{caseId}/accept", cast.Colleague, new { commentId });
        await Expect(HttpStatusCode.Forbidden, HttpMethod.Post, $"/api/cases/{caseId}/close", cast.Colleague);

        var shown = await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/cases/{caseId}", cast.Author);
        Assert.Equal("open", shown["status"]!.GetValue<string>());
        Assert.Null(shown["acceptedCommentId"]?.GetValue<Guid?>());
        Assert.Equal(1, shown["commentCount"]!.GetValue<int>());
        await Expect(HttpStatusCode.NotFound, HttpMethod.Get, $"/api/cases/{Guid.NewGuid()}", cast.Author);
    }

    [Fact]
    public async Task Identifiers_and_bad_fields_are_400s_naming_the_field_and_nothing_is_written()
    {
        var nonce = Nonce();
        const string phone = "+34 612 345 678";
        var (status, body) = await Call(HttpMethod.Post, "/api/cases", cast.Author, NewCase("Chest pain " + nonce, history: $"Her daughter can be reached at {phone}."));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var messages = body!["errors"]!["history"]!.AsArray().Select(m => m!.GetValue<string>()).ToList();
        Assert.Contains(messages, m => m.Contains("phone"));
        Assert.DoesNotContain("612", body.ToJsonString());

        var bad = new (object Body, string Field)[]
        {
            (new { title = "T " + nonce, ageBand = "41-50", sex = "male", presentingComplaint = "x", question = "q" }, "ageBand"),
            (new { title = "T " + nonce, ageBand = "40-49", sex = "robot", presentingComplaint = "x", question = "q" }, "sex"),
            (new { title = "T " + nonce, ageBand = "40-49", sex = "male", presentingComplaint = "x" }, "question"),
            (new { title = new string('t', 201), ageBand = "40-49", sex = "male", presentingComplaint = "x", question = "q" }, "title"),
            (new { title = "T " + nonce, ageBand = "40-49", sex = "male", presentingComplaint = "x", question = "q", tags = new[] { "Bad Tag" } }, "tags[0]"),
            (new { title = "T " + nonce, ageBand = "40-49", sex = "male", presentingComplaint = "Write to jane.doe@example.com", question = "q" }, "presentingComplaint"),
            (new { title = "T " + nonce, ageBand = "40-49", sex = "male", presentingComplaint = "x", question = "q", attachmentIds = new[] { Guid.NewGuid() } }, "attachmentIds"),
            (new { title = "T " + nonce, ageBand = "40-49", sex = "male", presentingComplaint = "x", question = "q", specialtyId = Guid.NewGuid() }, "specialtyId"),
        };
        foreach (var (payload, field) in bad)
            await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, "/api/cases", cast.Author, payload))).ValidationProblemAsync(field);
        Assert.Empty(await SearchIds(nonce));

        var caseId = await Create(cast.Author, NewCase("Knee " + nonce));
        await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, $"/api/cases/{caseId}/comments", cast.Colleague,
            new { text = "Call the patient on 612 345 678" }))).ValidationProblemAsync("text");
        await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/api/cases?status=pending", cast.Author))).ValidationProblemAsync("status");
        await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/api/cases?pageSize=1000", cast.Author))).ValidationProblemAsync("pageSize");
        Assert.Empty((await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/cases/{caseId}/comments", cast.Author))["items"]!.AsArray());
    }

    [Fact]
    public async Task Search_finds_by_english_and_spanish_stem_ranks_a_title_match_first_and_lists_newest_first()
    {
        var nonce = Nonce();
        var spanish = await Create(cast.Author, NewCase($"Fractura de cadera {nonce}", history: "Caída en casa."));
        var inBody = await Create(cast.Author, NewCase($"Shortness of breath {nonce}", history: "A wound infection was seen on the second day."));
        var inTitle = await Create(cast.Author, NewCase($"Infection of a surgical wound {nonce}", specialty: cast.Specialty.ToString(), tags: ["lungs"]));

        Assert.Equal([spanish], await SearchIds($"fracturas {nonce}"));
        Assert.Equal([inTitle, inBody], await SearchIds($"infections {nonce}"));
        Assert.Equal(new[] { spanish, inBody, inTitle }.Order(), (await SearchIds(nonce)).Order());

        var filtered = await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/cases?q={nonce}&tag=lungs&specialtyId={cast.Specialty}&status=open", cast.Colleague);
        Assert.Equal(1, filtered["total"]!.GetValue<int>());
        Assert.Equal(inTitle, filtered["items"]![0]!["id"]!.GetValue<Guid>());

        // Without words: newest first, over every case, so this run's newest case leads the first page.
        var newest = await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/cases?page=1&pageSize=1", cast.Colleague);
        Assert.Equal(inTitle, newest["items"]![0]!["id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task Thread_is_one_level_in_seq_order_and_an_upvote_counts_once_per_doctor()
    {
        var caseId = await Create(cast.Author, NewCase("Rash " + Nonce()));
        var top = await Comment(cast.Colleague, caseId, "Any new medication?");
        var reply = await Comment(cast.Author, caseId, "Started amoxicillin last week.", top);
        await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, $"/api/cases/{caseId}/comments", cast.Colleague,
            new { text = "Then a drug rash is likely.", parentId = reply }))).ValidationProblemAsync("parentId");
        await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, $"/api/cases/{caseId}/comments", cast.Colleague,
            new { text = "Unknown parent.", parentId = Guid.NewGuid() }))).ValidationProblemAsync("parentId");
        var second = await Comment(cast.Colleague, caseId, "Then a drug rash is likely.");

        var items = (await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/cases/{caseId}/comments", cast.Colleague))["items"]!.AsArray();
        Assert.Equal([top, reply, second], items.Select(i => i!["id"]!.GetValue<Guid>()));
        Assert.Equal([1L, 2L, 3L], items.Select(i => i!["seq"]!.GetValue<long>()));
        Assert.Equal(top, items[1]!["parentId"]!.GetValue<Guid>());
        var page = await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/cases/{caseId}/comments?after=1&limit=1", cast.Colleague);
        Assert.Equal(reply, page["items"]![0]!["id"]!.GetValue<Guid>());
        Assert.Equal(2, page["nextAfter"]!.GetValue<long>());

        var upvote = $"/api/cases/{caseId}/comments/{top}/upvote";
        Assert.Equal(1, (await Expect(HttpStatusCode.OK, HttpMethod.Post, upvote, cast.Author))["upvotes"]!.GetValue<int>());
        Assert.Equal(1, (await Expect(HttpStatusCode.OK, HttpMethod.Post, upvote, cast.Author))["upvotes"]!.GetValue<int>());
        Assert.Equal(2, (await Expect(HttpStatusCode.OK, HttpMethod.Post, upvote, cast.Colleague))["upvotes"]!.GetValue<int>());
        await Expect(HttpStatusCode.NotFound, HttpMethod.Post, $"/api/cases/{caseId}/comments/{Guid.NewGuid()}/upvote", cast.Author);
    }

    [Fact]
    public async Task Author_accepts_an_answer_of_this_case_and_a_closed_case_takes_no_comments()
    {
        var caseId = await Create(cast.Author, NewCase("Fever " + Nonce()));
        var otherCase = await Create(cast.Author, NewCase("Cough " + Nonce()));
        var answer = await Comment(cast.Colleague, caseId, "Blood cultures first.");
        var elsewhere = await Comment(cast.Colleague, otherCase, "Unrelated.");

        await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, $"/api/cases/{caseId}/accept", cast.Author, new { commentId = elsewhere })))
            .ValidationProblemAsync("commentId");
        await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, $"/api/cases/{caseId}/accept", cast.Author, new { })))
            .ValidationProblemAsync("commentId");
        var accepted = await Expect(HttpStatusCode.OK, HttpMethod.Post, $"/api/cases/{caseId}/accept", cast.Author, new { commentId = answer });
        Assert.Equal(answer, accepted["acceptedCommentId"]!.GetValue<Guid>());

        Assert.Equal("closed", (await Expect(HttpStatusCode.OK, HttpMethod.Post, $"/api/cases/{caseId}/close", cast.Author))["status"]!.GetValue<string>());
        Assert.Equal("closed", (await Expect(HttpStatusCode.OK, HttpMethod.Post, $"/api/cases/{caseId}/close", cast.Author))["status"]!.GetValue<string>());
        var refused = await Expect(HttpStatusCode.Conflict, HttpMethod.Post, $"/api/cases/{caseId}/comments", cast.Colleague, new { text = "Too late?" });
        Assert.Equal("CaseClosed", refused["reason"]!.GetValue<string>());

        var shown = await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/cases/{caseId}", cast.Colleague);
        Assert.Equal(answer, shown["acceptedCommentId"]!.GetValue<Guid>());
        Assert.Equal(1, shown["commentCount"]!.GetValue<int>());
        var closedOnly = await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/cases?status=closed&pageSize=100", cast.Author);
        Assert.Contains(closedOnly["items"]!.AsArray(), i => i!["id"]!.GetValue<Guid>() == caseId);
    }
}
