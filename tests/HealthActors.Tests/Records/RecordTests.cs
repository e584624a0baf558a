using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Npgsql;

namespace HealthActors.Tests.Records;

public sealed class RecordTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string Base = "/api/patients/me/records";
    private readonly HttpClient _http = factory.CreateClient();

    private static string Iso(DateTimeOffset at) => at.ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    /// <summary>Fills {at} (an hour ago), {future} (an hour ahead) and {start} (nine hours ago) into a body.</summary>
    private static string Fill(string body)
    {
        var now = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(-3));
        return body.Replace("{at}", Iso(now.AddHours(-1))).Replace("{future}", Iso(now.AddHours(1))).Replace("{start}", Iso(now.AddHours(-9)));
    }

    private async Task<HttpResponseMessage> Send(HttpMethod method, string url, string token, string? body = null) =>
        await _http.SendAsync(body is null ? ApiClientExtensions.Authed(method, url, token) : ApiClientExtensions.RawJson(method, url, token, body));

    private async Task<JsonObject> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private async Task<JsonObject> Post(string token, string kind, string body, string query = "") =>
        await Json(await Send(HttpMethod.Post, $"{Base}/{kind}{query}", token, body), HttpStatusCode.Created);

    private async Task<JsonArray> ListAll(string token, string kind, string query = "")
    {
        var page = await Json(await Send(HttpMethod.Get, $"{Base}/{kind}?limit=200{query}", token), HttpStatusCode.OK);
        return page["items"]!.AsArray();
    }

    private static async Task<List<(int Version, bool Deleted)>> Rows(Guid recordId)
    {
        await using var db = NpgsqlDataSource.Create(TestEnvironment.Postgres);
        await using var cmd = db.CreateCommand("SELECT version, deleted FROM health_records WHERE record_id = $1 ORDER BY version");
        cmd.Parameters.AddWithValue(recordId);
        var rows = new List<(int, bool)>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) rows.Add((r.GetInt32(0), r.GetBoolean(1)));
        return rows;
    }

    public static TheoryData<string, string> Valid => new()
    {
        { "vitals", """{"type":"blood-pressure","systolic":128,"diastolic":82,"recordedAt":"{at}","note":"  after coffee "}""" },
        { "vitals", """{"type":"heart-rate","value":64,"recordedAt":"{at}"}""" },
        { "vitals", """{"type":"glucose","value":5.4,"unit":"mmol/L","recordedAt":"{at}"}""" },
        { "vitals", """{"type":"glucose","value":97,"unit":"mg/dL","recordedAt":"{at}"}""" },
        { "vitals", """{"type":"temperature","value":36.8,"recordedAt":"{at}"}""" },
        { "vitals", """{"type":"spo2","value":97,"unit":"%","recordedAt":"{at}"}""" },
        { "vitals", """{"type":"weight","value":61.3,"recordedAt":"{at}"}""" },
        { "vitals", """{"type":"respiratory-rate","value":14,"recordedAt":"{at}"}""" },
        { "medications", """{"name":"levothyroxine","dose":"50 mcg","frequency":"daily","instructions":"before breakfast","active":true,"recordedAt":"{at}"}""" },
        { "food", """{"description":"lentil soup","mealType":"lunch","calories":420,"proteinG":21,"carbsG":55,"fatG":9,"recordedAt":"{at}"}""" },
        { "water", """{"ml":250,"recordedAt":"{at}"}""" },
        { "sleep", """{"start":"{start}","end":"{at}","quality":7,"recordedAt":"{at}"}""" },
        { "exercise", """{"type":"running","minutes":30,"calories":280,"intensity":"moderate","recordedAt":"{at}"}""" },
        { "mood", """{"mood":"calm","energy":6,"notes":"slept well","recordedAt":"{at}"}""" },
        { "meditation", """{"minutes":15,"technique":"body scan","recordedAt":"{at}"}""" },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public async Task Every_kind_is_stored_and_read_back(string kind, string template)
    {
        var user = await _http.RegisterAsync();
        var token = user.Tokens.AccessToken;
        var sent = JsonNode.Parse(Fill(template))!.AsObject();
        var created = await Post(token, kind, sent.ToJsonString());

        Assert.True(Guid.TryParse(created["id"]!.GetValue<string>(), out var id));
        Assert.Equal(kind, created["kind"]!.GetValue<string>());
        Assert.True(DateTimeOffset.UtcNow - created["createdAt"]!.GetValue<DateTimeOffset>() < TimeSpan.FromMinutes(1));
        var got = await Json(await Send(HttpMethod.Get, $"{Base}/{kind}/{id}", token), HttpStatusCode.OK);
        foreach (var (field, value) in sent)
        {
            if (field == "note") Assert.Equal(value!.GetValue<string>().Trim(), got["note"]!.GetValue<string>());
            else if (value!.GetValueKind() == System.Text.Json.JsonValueKind.String && DateTimeOffset.TryParse(value.GetValue<string>(), CultureInfo.InvariantCulture, out var at))
                Assert.Equal(at, got[field]!.GetValue<DateTimeOffset>());
            else Assert.True(JsonNode.DeepEquals(value, got[field]) || value.ToJsonString() == got[field]?.ToJsonString()
                || (value.GetValueKind() == System.Text.Json.JsonValueKind.Number && value.GetValue<decimal>() == got[field]!.GetValue<decimal>()),
                $"{field}: sent {value.ToJsonString()}, got {got[field]?.ToJsonString()}");
        }
        var listed = await ListAll(token, kind);
        Assert.Equal(id.ToString(), Assert.Single(listed)!["id"]!.GetValue<string>());
    }

    public static TheoryData<string, string, string> Invalid => new()
    {
        { "vitals", """{"type":"blood-pressure","systolic":120,"diastolic":130,"recordedAt":"{at}"}""", "diastolic" },
        { "vitals", """{"type":"blood-pressure","systolic":120,"diastolic":120,"recordedAt":"{at}"}""", "diastolic" },
        { "vitals", """{"type":"blood-pressure","systolic":300,"diastolic":80,"recordedAt":"{at}"}""", "systolic" },
        { "vitals", """{"type":"blood-pressure","diastolic":80,"recordedAt":"{at}"}""", "systolic" },
        { "vitals", """{"type":"heart-rate","value":250,"recordedAt":"{at}"}""", "value" },
        { "vitals", """{"type":"heart-rate","value":"64","recordedAt":"{at}"}""", "value" },
        { "vitals", """{"type":"glucose","value":97,"unit":"mg/L","recordedAt":"{at}"}""", "unit" },
        { "vitals", """{"type":"glucose","value":97,"unit":"mmol/L","recordedAt":"{at}"}""", "value" },
        { "vitals", """{"type":"glucose","value":97,"recordedAt":"{at}"}""", "unit" },
        { "vitals", """{"type":"temperature","value":36.6,"unit":"°F","recordedAt":"{at}"}""", "unit" },
        { "vitals", """{"type":"temperature","value":98,"recordedAt":"{at}"}""", "value" },
        { "vitals", """{"type":"spo2","value":101,"recordedAt":"{at}"}""", "value" },
        { "vitals", """{"type":"weight","value":0,"recordedAt":"{at}"}""", "value" },
        { "vitals", """{"type":"respiratory-rate","value":3,"recordedAt":"{at}"}""", "value" },
        { "vitals", """{"type":"cholesterol","value":3,"recordedAt":"{at}"}""", "type" },
        { "vitals", """{"type":"heart-rate","value":64,"recordedAt":"{future}"}""", "recordedAt" },
        { "vitals", """{"type":"heart-rate","value":64}""", "recordedAt" },
        { "vitals", """{"type":"heart-rate","value":64,"recordedAt":"2026-03-01T10:00:00"}""", "recordedAt" },
        { "vitals", """{"type":"heart-rate","value":64,"recordedAt":"{at}","note":"a\u0007b"}""", "note" },
        { "vitals", """{"type":"heart-rate","value":64,"recordedAt":"{at}","systolic":120}""", "systolic" },
        { "medications", """{"dose":"50 mcg","frequency":"daily","active":true,"recordedAt":"{at}"}""", "name" },
        { "medications", """{"name":"x","dose":"50 mcg","frequency":"daily","active":"yes","recordedAt":"{at}"}""", "active" },
        { "food", """{"description":"soup","mealType":"brunch","recordedAt":"{at}"}""", "mealType" },
        { "food", """{"description":"soup","mealType":"lunch","calories":-5,"recordedAt":"{at}"}""", "calories" },
        { "water", """{"ml":0,"recordedAt":"{at}"}""", "ml" },
        { "water", """{"recordedAt":"{at}"}""", "ml" },
        { "sleep", """{"start":"{at}","end":"{start}","quality":7,"recordedAt":"{at}"}""", "end" },
        { "sleep", """{"start":"{start}","end":"{at}","quality":11,"recordedAt":"{at}"}""", "quality" },
        { "sleep", """{"start":"{start}","end":"{future}","quality":5,"recordedAt":"{at}"}""", "end" },
        { "exercise", """{"type":"running","minutes":30,"intensity":"extreme","recordedAt":"{at}"}""", "intensity" },
        { "exercise", """{"minutes":30,"intensity":"low","recordedAt":"{at}"}""", "type" },
        { "mood", """{"mood":"calm","energy":0,"recordedAt":"{at}"}""", "energy" },
        { "mood", """{"mood":"calm","energy":5.5,"recordedAt":"{at}"}""", "energy" },
        { "meditation", """{"minutes":-1,"recordedAt":"{at}"}""", "minutes" },
        { "meditation", """{"minutes":10,"recordedAt":"{future}"}""", "recordedAt" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task Bad_values_are_400_naming_the_field_and_nothing_is_written(string kind, string template, string field)
    {
        var user = await _http.RegisterAsync();
        var token = user.Tokens.AccessToken;
        await (await Send(HttpMethod.Post, $"{Base}/{kind}", token, Fill(template))).ValidationProblemAsync(field);
        await (await Send(HttpMethod.Post, $"{Base}/{kind}/batch", token, $$"""{"items":[{{Fill(template)}}]}""")).ValidationProblemAsync($"items[0].{field}");
        Assert.Empty(await ListAll(token, kind));
    }

    [Fact]
    public async Task A_batch_is_all_or_nothing_and_names_each_bad_item_by_index()
    {
        var user = await _http.RegisterAsync();
        var token = user.Tokens.AccessToken;
        var at = DateTimeOffset.UtcNow.AddDays(-1);
        string Bp(int sys, int dia, DateTimeOffset when) => $$"""{"type":"blood-pressure","systolic":{{sys}},"diastolic":{{dia}},"recordedAt":"{{Iso(when)}}"}""";
        var items = new[] { Bp(120, 80, at), Bp(120, 140, at.AddHours(1)), Bp(121, 79, at.AddHours(2)), Bp(122, 78, DateTimeOffset.UtcNow.AddHours(2)) };

        var problem = await (await Send(HttpMethod.Post, $"{Base}/vitals/batch", token, $$"""{"items":[{{string.Join(",", items)}}]}"""))
            .ValidationProblemAsync("items[1].diastolic");
        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("items[3].recordedAt"), errors.ToJsonString());
        Assert.Equal(2, errors.Count);
        Assert.Empty(await ListAll(token, "vitals"));

        var tooMany = string.Join(",", Enumerable.Range(0, 501).Select(i => Bp(120, 80, at.AddMinutes(-10 * i))));
        await (await Send(HttpMethod.Post, $"{Base}/vitals/batch", token, $$"""{"items":[{{tooMany}}]}""")).ValidationProblemAsync("items");
        Assert.Empty(await ListAll(token, "vitals"));

        var good = new[] { items[0], items[2], Bp(119, 77, at.AddHours(3)) };
        var created = await Json(await Send(HttpMethod.Post, $"{Base}/vitals/batch", token, $$"""{"items":[{{string.Join(",", good)}}]}"""), HttpStatusCode.Created);
        Assert.Equal(3, created["items"]!.AsArray().Count);
        Assert.Equal(3, (await ListAll(token, "vitals")).Count);
    }

    [Fact]
    public async Task Keyset_paging_over_three_months_has_no_gaps_or_repeats_and_ranges_cut_by_time()
    {
        var user = await _http.RegisterAsync();
        var token = user.Tokens.AccessToken;
        var origin = new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.FromHours(1));
        // 120 readings over three months; every fourth pair shares a timestamp, so the id breaks ties.
        var times = Enumerable.Range(0, 120).Select(i => origin.AddHours(18 * (i - i % 4 / 3))).ToList();
        var items = times.Select((t, i) => $$"""{"type":"heart-rate","value":{{50 + i % 100}},"recordedAt":"{{Iso(t)}}"}""");
        var created = await Json(await Send(HttpMethod.Post, $"{Base}/vitals/batch?allowDuplicate=true", token, $$"""{"items":[{{string.Join(",", items)}}]}"""), HttpStatusCode.Created);
        var expected = created["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()).ToHashSet();
        Assert.Equal(120, expected.Count);

        var seen = new List<(DateTimeOffset At, string Id)>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var url = $"{Base}/vitals?type=heart-rate&limit=25" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var page = await Json(await Send(HttpMethod.Get, url, token), HttpStatusCode.OK);
            var got = page["items"]!.AsArray();
            Assert.True(got.Count <= 25);
            seen.AddRange(got.Select(i => (i!["recordedAt"]!.GetValue<DateTimeOffset>(), i["id"]!.GetValue<string>())));
            cursor = page["nextCursor"]?.GetValue<string>();
            pages++;
        } while (cursor is not null && pages < 10);

        Assert.Equal(5, pages);
        Assert.Equal(120, seen.Count);
        Assert.Equal(expected, seen.Select(s => s.Id).ToHashSet());
        for (var i = 1; i < seen.Count; i++) Assert.True(seen[i - 1].At >= seen[i].At, $"item {i} is out of order");

        // February only (its bounds in UTC); the other type filter sees none.
        var from = new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);
        var to = new DateTimeOffset(2026, 2, 28, 23, 59, 59, TimeSpan.Zero);
        var february = await ListAll(token, "vitals", $"&from={Uri.EscapeDataString(Iso(from))}&to={Uri.EscapeDataString(Iso(to))}");
        Assert.Equal(times.Count(t => t >= from && t <= to), february.Count);
        Assert.NotEmpty(february);
        Assert.Empty(await ListAll(token, "vitals", "&type=weight"));
    }

    [Theory]
    [InlineData("", "/vitals", "body")]
    [InlineData("{not json", "/vitals", "body")]
    [InlineData("[1,2]", "/vitals", "body")]
    [InlineData("null", "/vitals", "body")]
    [InlineData("""{"type":"heart-rate","value":1e400,"recordedAt":"2026-01-01T00:00:00Z"}""", "/vitals", "value")]
    [InlineData("""{"type":{"a":1},"value":60,"recordedAt":"2026-01-01T00:00:00Z"}""", "/vitals", "type")]
    [InlineData("""{"items":{"ml":1}}""", "/water/batch", "items")]
    [InlineData("""{"items":[]}""", "/water/batch", "items")]
    [InlineData("""{"items":[{"ml":1,"recordedAt":"2026-01-01T00:00:00Z"},7]}""", "/water/batch", "items[1]")]
    public async Task Malformed_bodies_are_400_not_500(string body, string path, string field)
    {
        var token = (await _http.RegisterAsync()).Tokens.AccessToken;
        await (await Send(HttpMethod.Post, Base + path, token, body)).ValidationProblemAsync(field);
        Assert.Empty(await ListAll(token, path.Split('/')[1]));
    }

    [Fact]
    public async Task A_bad_allowDuplicate_is_a_400()
    {
        var token = (await _http.RegisterAsync()).Tokens.AccessToken;
        var response = await Send(HttpMethod.Post, $"{Base}/water?allowDuplicate=maybe", token, Fill("""{"ml":250,"recordedAt":"{at}"}"""));
        await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Empty(await ListAll(token, "water"));
    }

    [Fact]
    public async Task Bad_list_queries_are_400_naming_the_parameter()
    {
        var token = (await _http.RegisterAsync()).Tokens.AccessToken;
        await (await Send(HttpMethod.Get, $"{Base}/vitals?limit=0", token)).ValidationProblemAsync("limit");
        await (await Send(HttpMethod.Get, $"{Base}/vitals?limit=abc", token)).ValidationProblemAsync("limit");
        await (await Send(HttpMethod.Get, $"{Base}/vitals?cursor=not-a-cursor", token)).ValidationProblemAsync("cursor");
        await (await Send(HttpMethod.Get, $"{Base}/vitals?from=yesterday", token)).ValidationProblemAsync("from");
        await (await Send(HttpMethod.Get, $"{Base}/vitals?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", token)).ValidationProblemAsync("to");
    }

    [Fact]
    public async Task A_repeat_within_five_minutes_is_409_naming_the_existing_record_unless_allowed()
    {
        var token = (await _http.RegisterAsync()).Tokens.AccessToken;
        var at = DateTimeOffset.UtcNow.AddHours(-2);
        string Bp(int sys, DateTimeOffset when) => $$"""{"type":"blood-pressure","systolic":{{sys}},"diastolic":80,"recordedAt":"{{Iso(when)}}"}""";
        var first = await Post(token, "vitals", Bp(130, at));

        var problem = await (await Send(HttpMethod.Post, $"{Base}/vitals", token, Bp(130, at.AddMinutes(3)))).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(first["id"]!.GetValue<string>(), problem["existingRecordId"]!.GetValue<string>());
        Assert.Equal("DuplicateRecord", problem["reason"]!.GetValue<string>());
        // 130 and 130.0 are the same reading.
        var same = Bp(130, at.AddMinutes(-4)).Replace("130", "130.0");
        await (await Send(HttpMethod.Post, $"{Base}/vitals", token, same)).ProblemAsync(HttpStatusCode.Conflict);
        var inBatch = await (await Send(HttpMethod.Post, $"{Base}/vitals/batch", token, $$"""{"items":[{{Bp(140, at)}},{{Bp(130, at)}}]}""")).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("items[1]", inBatch["field"]!.GetValue<string>());
        Assert.Single(await ListAll(token, "vitals"));

        await Post(token, "vitals", Bp(130, at.AddMinutes(3)), "?allowDuplicate=true");
        await Post(token, "vitals", Bp(131, at.AddMinutes(1)));
        await Post(token, "vitals", Bp(130, at.AddMinutes(-6)));
        await Post(token, "vitals", """{"type":"heart-rate","value":130,"recordedAt":"AT"}""".Replace("AT", Iso(at)));
        Assert.Equal(5, (await ListAll(token, "vitals")).Count);
    }

    [Fact]
    public async Task Edits_and_deletes_are_new_versions_and_reads_show_the_latest()
    {
        var token = (await _http.RegisterAsync()).Tokens.AccessToken;
        var at = Iso(DateTimeOffset.UtcNow.AddHours(-1));
        var created = await Post(token, "water", $$"""{"ml":250,"recordedAt":"{{at}}"}""");
        var id = Guid.Parse(created["id"]!.GetValue<string>());
        var url = $"{Base}/water/{id}";

        await (await Send(HttpMethod.Put, url, token, $$"""{"ml":-3,"recordedAt":"{{at}}"}""")).ValidationProblemAsync("ml");
        var edited = await Json(await Send(HttpMethod.Put, url, token, $$"""{"ml":330,"recordedAt":"{{at}}","note":"a bigger glass"}"""), HttpStatusCode.OK);
        Assert.Equal(330, edited["ml"]!.GetValue<int>());
        Assert.Equal(created["createdAt"]!.GetValue<DateTimeOffset>(), edited["createdAt"]!.GetValue<DateTimeOffset>());
        var got = await Json(await Send(HttpMethod.Get, url, token), HttpStatusCode.OK);
        Assert.Equal(330, got["ml"]!.GetValue<int>());
        Assert.Equal("a bigger glass", got["note"]!.GetValue<string>());
        Assert.Equal([(1, false), (2, false)], await Rows(id));
        Assert.Single(await ListAll(token, "water"));

        Assert.Equal(HttpStatusCode.NoContent, (await Send(HttpMethod.Delete, url, token)).StatusCode);
        await (await Send(HttpMethod.Get, url, token)).ProblemAsync(HttpStatusCode.NotFound);
        await (await Send(HttpMethod.Delete, url, token)).ProblemAsync(HttpStatusCode.NotFound);
        await (await Send(HttpMethod.Put, url, token, $$"""{"ml":330,"recordedAt":"{{at}}"}""")).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal([(1, false), (2, false), (3, true)], await Rows(id));
        Assert.Empty(await ListAll(token, "water"));
        // A deleted record no longer blocks its repeat.
        await Post(token, "water", $$"""{"ml":330,"recordedAt":"{{at}}"}""");
    }

    [Fact]
    public async Task Another_patients_record_and_the_wrong_kind_are_404()
    {
        var mine = (await _http.RegisterAsync()).Tokens.AccessToken;
        var theirs = (await _http.RegisterAsync()).Tokens.AccessToken;
        var at = Iso(DateTimeOffset.UtcNow.AddHours(-1));
        var id = (await Post(mine, "water", $$"""{"ml":250,"recordedAt":"{{at}}"}"""))["id"]!.GetValue<string>();

        await (await Send(HttpMethod.Get, $"{Base}/water/{id}", theirs)).ProblemAsync(HttpStatusCode.NotFound);
        await (await Send(HttpMethod.Put, $"{Base}/water/{id}", theirs, $$"""{"ml":1,"recordedAt":"{{at}}"}""")).ProblemAsync(HttpStatusCode.NotFound);
        await (await Send(HttpMethod.Delete, $"{Base}/water/{id}", theirs)).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty(await ListAll(theirs, "water"));
        await (await Send(HttpMethod.Get, $"{Base}/food/{id}", mine)).ProblemAsync(HttpStatusCode.NotFound);
        await (await Send(HttpMethod.Get, $"{Base}/steps", mine)).ProblemAsync(HttpStatusCode.NotFound);
        await (await Send(HttpMethod.Post, $"{Base}/steps", mine, """{"count":1000}""")).ProblemAsync(HttpStatusCode.NotFound);

        var still = await Json(await Send(HttpMethod.Get, $"{Base}/water/{id}", mine), HttpStatusCode.OK);
        Assert.Equal(250, still["ml"]!.GetValue<int>());
        Assert.Equal([(1, false)], await Rows(Guid.Parse(id)));
    }

    [Fact]
    public async Task Doctors_and_anonymous_callers_are_refused()
    {
        var doctor = (await _http.RegisterDoctorAsync()).Tokens.AccessToken;
        var body = Fill("""{"ml":250,"recordedAt":"{at}"}""");
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(HttpMethod.Post, $"{Base}/water", doctor, body)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Send(HttpMethod.Get, $"{Base}/water", doctor)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.SendAsync(ApiClientExtensions.RawJson(HttpMethod.Post, $"{Base}/water", null, body))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"{Base}/water", null))).StatusCode);
    }
}
