using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Patients;
using HealthActors.Grains.Abstractions.Records;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace HealthActors.Tests.Records;

/// <summary>
/// One patient in Asia/Tokyo (UTC+9, no daylight saving, so the day boundaries below are fixed) with records on
/// the three local days before today; D is yesterday. Every expectation in the tests is worked out by hand from
/// these rows.
/// </summary>
public sealed class InsightsFixture : IAsyncLifetime
{
    public const string Zone = "Asia/Tokyo";
    public ApiFactory Factory { get; } = new();
    public HttpClient Http { get; private set; } = null!;
    public TestUser Owner { get; private set; } = null!;
    public TestUser OtherPatient { get; private set; } = null!;
    public TestUser Doctor { get; private set; } = null!;
    public TestUser GrantedDoctor { get; private set; } = null!;
    public TestUser Admin { get; private set; } = null!;
    public DateOnly Today { get; private set; }
    public DateOnly D => Today.AddDays(-1);

    private static readonly TimeSpan Offset = TimeSpan.FromHours(9);

    /// <summary>A Tokyo local time on day D+<paramref name="day"/> as the ISO text a client sends.</summary>
    public string At(int day, int hour, int minute = 0) =>
        new DateTimeOffset(D.AddDays(day).ToDateTime(new TimeOnly(hour, minute)), Offset).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);

    public async Task InitializeAsync()
    {
        Http = Factory.CreateClient();
        Owner = await Http.RegisterAsync(name: "Insight Owner");
        OtherPatient = await Http.RegisterAsync(name: "Other Patient");
        Doctor = await Http.RegisterDoctorAsync();
        GrantedDoctor = await Http.RegisterDoctorAsync();
        Admin = await Http.LoginAdminAsync();
        Today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(Offset).DateTime);
        await Http.Driver().PutProfileAsync(Owner.Tokens.AccessToken, new { firstName = "Insight", lastName = "Owner", timeZone = Zone });
        await Factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IPatientGrain>(Owner.Id)
            .GrantDoctorAccess(GrantedDoctor.Id, Guid.NewGuid(), DateTimeOffset.UtcNow.AddHours(2));

        var vitals = await Batch("vitals",
            $$"""{"type":"heart-rate","value":70,"recordedAt":"{{At(-2, 9)}}"}""",
            $$"""{"type":"heart-rate","value":130,"recordedAt":"{{At(-1, 9)}}"}""",
            $$"""{"type":"heart-rate","value":105,"recordedAt":"{{At(0, 9)}}"}""",
            $$"""{"type":"heart-rate","value":200,"recordedAt":"{{At(0, 10)}}"}""",
            $$"""{"type":"spo2","value":99,"recordedAt":"{{At(-2, 9)}}"}""",
            $$"""{"type":"spo2","value":97,"recordedAt":"{{At(-1, 9)}}"}""",
            $$"""{"type":"spo2","value":93,"recordedAt":"{{At(0, 9)}}"}""",
            $$"""{"type":"glucose","value":5.0,"unit":"mmol/L","recordedAt":"{{At(-2, 8)}}"}""",
            $$"""{"type":"glucose","value":8.0,"unit":"mmol/L","recordedAt":"{{At(-1, 8)}}"}""",
            $$"""{"type":"glucose","value":60,"unit":"mg/dL","recordedAt":"{{At(0, 8)}}"}""",
            $$"""{"type":"blood-pressure","systolic":135,"diastolic":88,"recordedAt":"{{At(-1, 7)}}"}""",
            $$"""{"type":"blood-pressure","systolic":118,"diastolic":76,"recordedAt":"{{At(0, 7)}}"}""",
            $$"""{"type":"weight","value":70.4,"recordedAt":"{{At(0, 7)}}"}""");
        // 130 becomes 80 by an edit and 200 is deleted: only the latest versions may count.
        var edit = await Http.SendAsync(ApiClientExtensions.RawJson(HttpMethod.Put, $"/api/patients/me/records/vitals/{vitals[1]}", Owner.Tokens.AccessToken,
            $$"""{"type":"heart-rate","value":80,"recordedAt":"{{At(-1, 9)}}"}"""));
        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        var delete = await Http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Delete, $"/api/patients/me/records/vitals/{vitals[3]}", Owner.Tokens.AccessToken));
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);

        // 23:30 on D-1 and 00:30 on D in Tokyo are one UTC day (14:30Z and 15:30Z) but two local days.
        await Batch("water",
            $$"""{"ml":500,"recordedAt":"{{At(-1, 23, 30)}}"}""",
            $$"""{"ml":250,"recordedAt":"{{At(0, 0, 30)}}"}""");
        await Batch("sleep",
            $$"""{"start":"{{At(-1, 0, 30)}}","end":"{{At(-1, 7)}}","quality":5,"recordedAt":"{{At(-1, 7)}}"}""",
            $$"""{"start":"{{At(-1, 23)}}","end":"{{At(0, 7)}}","quality":8,"recordedAt":"{{At(0, 7)}}"}""");
        await Batch("exercise",
            $$"""{"type":"running","minutes":30,"calories":300,"intensity":"high","recordedAt":"{{At(0, 18)}}"}""",
            $$"""{"type":"walking","minutes":45,"intensity":"low","recordedAt":"{{At(0, 19)}}"}""");
        await Batch("mood",
            $$"""{"mood":"calm","energy":6,"recordedAt":"{{At(0, 12)}}"}""",
            $$"""{"mood":"tired","energy":3,"recordedAt":"{{At(0, 21)}}"}""");
    }

    private async Task<List<Guid>> Batch(string kind, params string[] items)
    {
        var response = await Http.SendAsync(ApiClientExtensions.RawJson(HttpMethod.Post, $"/api/patients/me/records/{kind}/batch",
            Owner.Tokens.AccessToken, $$"""{"items":[{{string.Join(",", items)}}]}"""));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonNode.Parse(text)!["items"]!.AsArray().Select(i => Guid.Parse(i!["id"]!.GetValue<string>())).ToList();
    }

    public async Task<JsonObject> Get(string url, string? token, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await Http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, url, token));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!.AsObject();
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Factory.DisposeAsync();
    }
}

public sealed class InsightsTests(InsightsFixture f) : IClassFixture<InsightsFixture>
{
    private static JsonObject Vital(JsonObject insights, string type, string component = "value") =>
        insights["vitals"]!.AsArray().Select(v => v!.AsObject())
            .Single(v => v["type"]!.GetValue<string>() == type && v["component"]!.GetValue<string>() == component);

    private static decimal Num(JsonNode? n) => n!.GetValue<decimal>();

    [Fact]
    public async Task Vitals_count_only_the_latest_version_with_average_range_trend_and_out_of_range()
    {
        var insights = await f.Get("/api/patients/me/insights?days=7", f.Owner.Tokens.AccessToken);

        // 70, 80 (edited from 130), 105 (200 deleted) one day apart: slope 17.5 a day, 122.5 a week.
        var heart = Vital(insights, "heart-rate");
        Assert.Equal(3, heart["count"]!.GetValue<long>());
        Assert.Equal(85m, Num(heart["average"]));
        Assert.Equal(70m, Num(heart["min"]));
        Assert.Equal(105m, Num(heart["max"]));
        Assert.Equal(122.5m, Num(heart["trendPerWeek"]));
        Assert.Equal(1, heart["outOfRange"]!.GetValue<long>());
        Assert.Equal("bpm", heart["unit"]!.GetValue<string>());

        // 99, 97, 93: falling 3 a day, 21 a week; 93 is below 95.
        var spo2 = Vital(insights, "spo2");
        Assert.Equal(-21m, Num(spo2["trendPerWeek"]));
        Assert.Equal(96.33m, Num(spo2["average"]));
        Assert.Equal(1, spo2["outOfRange"]!.GetValue<long>());

        // 5.0 and 8.0 mmol/L are 90.08 and 144.128 mg/dL; with 60 mg/dL two of three lie outside 70–140.
        var glucose = Vital(insights, "glucose");
        Assert.Equal("mg/dL", glucose["unit"]!.GetValue<string>());
        Assert.Equal(98.07m, Num(glucose["average"]));
        Assert.Equal(60m, Num(glucose["min"]));
        Assert.Equal(144.13m, Num(glucose["max"]));
        Assert.Equal(2, glucose["outOfRange"]!.GetValue<long>());

        // Blood pressure is reported per component: 135/88 then 118/76 a day later.
        var systolic = Vital(insights, "blood-pressure", "systolic");
        var diastolic = Vital(insights, "blood-pressure", "diastolic");
        Assert.Equal(126.5m, Num(systolic["average"]));
        Assert.Equal(-119m, Num(systolic["trendPerWeek"]));
        Assert.Equal(1, systolic["outOfRange"]!.GetValue<long>());
        Assert.Equal(82m, Num(diastolic["average"]));
        Assert.Equal(1, diastolic["outOfRange"]!.GetValue<long>());

        // One weight reading: no trend, and no normal range to be outside of.
        var weight = Vital(insights, "weight");
        Assert.Null(weight["trendPerWeek"]);
        Assert.Null(weight["outOfRange"]);
        // No schedule, so no dose fell due: counted as zero, with no percentage to report.
        Assert.Equal((0, 0, 0), (insights["medicationAdherence"]!["due"]!.GetValue<int>(), insights["medicationAdherence"]!["taken"]!.GetValue<int>(),
            insights["medicationAdherence"]!["skipped"]!.GetValue<int>()));
        Assert.Null(insights["medicationAdherence"]!["percent"]);
    }

    [Fact]
    public async Task Daily_amounts_fall_on_the_patients_local_days()
    {
        var insights = await f.Get("/api/patients/me/insights?days=30", f.Owner.Tokens.AccessToken);
        Assert.Equal(InsightsFixture.Zone, insights["timeZone"]!.GetValue<string>());
        Assert.Equal(30, insights["days"]!.GetValue<int>());
        // The window starts at Tokyo midnight 29 days before today: 15:00 UTC the day before that.
        var from = DateTimeOffset.Parse(insights["from"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        Assert.Equal(new DateTimeOffset(f.Today.AddDays(-30).ToDateTime(new TimeOnly(15, 0)), TimeSpan.Zero), from);

        string Day(int d) => f.D.AddDays(d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var water = insights["waterMl"]!.AsObject();
        var days = water["days"]!.AsArray().Select(d => (d!["date"]!.GetValue<string>(), Num(d["amount"]))).ToList();
        Assert.Equal(new[] { (Day(-1), 500m), (Day(0), 250m) }, days);
        Assert.Equal(375m, Num(water["averagePerLoggedDay"]));

        var sleep = insights["sleepHours"]!.AsObject();
        Assert.Equal(14.5m, Num(sleep["total"]));
        Assert.Equal(7.25m, Num(sleep["averagePerLoggedDay"]));
        var exercise = insights["exerciseMinutes"]!.AsObject();
        Assert.Equal(1, exercise["daysLogged"]!.GetValue<int>());
        Assert.Equal(75m, Num(exercise["averagePerLoggedDay"]));
    }

    [Fact]
    public async Task A_day_summary_holds_that_local_day_only()
    {
        var day = f.D.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var summary = await f.Get($"/api/patients/me/insights/summary?date={day}", f.Owner.Tokens.AccessToken);
        Assert.Equal(day, summary["date"]!.GetValue<string>());
        var kinds = summary["kinds"]!.AsArray().ToDictionary(k => k!["kind"]!.GetValue<string>(), k => k!.AsObject());
        Assert.Equal(["exercise", "mood", "sleep", "water"], kinds.Keys.Order().ToArray());
        Assert.Equal(250m, Num(kinds["water"]["values"]!["ml"]));
        Assert.Equal(8m, Num(kinds["sleep"]["values"]!["hours"]));
        Assert.Equal(8m, Num(kinds["sleep"]["values"]!["averageQuality"]));
        Assert.Equal(2, kinds["exercise"]["count"]!.GetValue<int>());
        Assert.Equal(75m, Num(kinds["exercise"]["values"]!["minutes"]));
        Assert.Equal(300m, Num(kinds["exercise"]["values"]!["calories"]));
        Assert.Equal(4.5m, Num(kinds["mood"]["values"]!["averageEnergy"]));
        var heart = Vital(summary, "heart-rate");
        Assert.Equal(1, heart["count"]!.GetValue<long>());
        Assert.Equal(105m, Num(heart["average"]));

        var before = await f.Get($"/api/patients/me/insights/summary?date={f.D.AddDays(-1):yyyy-MM-dd}", f.Owner.Tokens.AccessToken);
        var water = before["kinds"]!.AsArray().Single(k => k!["kind"]!.GetValue<string>() == "water")!;
        Assert.Equal(500m, Num(water["values"]!["ml"]));
        Assert.Equal(80m, Num(Vital(before, "heart-rate")["average"]));
    }

    [Theory]
    [InlineData("/api/patients/me/insights?days=8", "days")]
    [InlineData("/api/patients/me/insights?days=0", "days")]
    [InlineData("/api/patients/me/insights?days=7.0", "days")]
    [InlineData("/api/patients/me/insights?days=-7", "days")]
    [InlineData("/api/patients/me/insights?days=seven", "days")]
    [InlineData("/api/patients/me/insights/summary?date=2026-13-01", "date")]
    [InlineData("/api/patients/me/insights/summary?date=03/12/2026", "date")]
    [InlineData("/api/patients/me/insights/summary?date=1899-12-31", "date")]
    [InlineData("/api/patients/me/insights/summary?date=2999-01-01", "date")]
    public async Task Bad_query_values_are_a_400_naming_the_field(string url, string field)
    {
        var response = await f.Http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, url, f.Owner.Tokens.AccessToken));
        await response.ValidationProblemAsync(field);
    }

    [Fact]
    public async Task Another_patients_insights_are_for_the_owner_a_granted_doctor_and_an_admin_only()
    {
        var url = $"/api/patients/{f.Owner.Id}/insights?days=7";
        var mine = await f.Get(url, f.Owner.Tokens.AccessToken);
        Assert.Equal(85m, Num(Vital(mine, "heart-rate")["average"]));
        var granted = await f.Get(url, f.GrantedDoctor.Tokens.AccessToken);
        Assert.Equal(mine.ToJsonString(), granted.ToJsonString());
        var admin = await f.Get(url, f.Admin.Tokens.AccessToken);
        Assert.Equal(mine.ToJsonString(), admin.ToJsonString());

        await (await f.Http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, url, f.OtherPatient.Tokens.AccessToken))).ProblemAsync(HttpStatusCode.NotFound);
        await (await f.Http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, url, f.Doctor.Tokens.AccessToken))).ProblemAsync(HttpStatusCode.NotFound);
        // A patient who does not exist looks exactly like one the doctor may not read.
        await (await f.Http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/patients/{Guid.NewGuid()}/insights", f.Doctor.Tokens.AccessToken))).ProblemAsync(HttpStatusCode.NotFound);
        await f.Get(url, null, HttpStatusCode.Unauthorized);
        await f.Get("/api/patients/me/insights", null, HttpStatusCode.Unauthorized);
        await f.Get("/api/patients/me/insights/summary", null, HttpStatusCode.Unauthorized);

        // The other patient asking for their own insights sees their own (empty) record, never the owner's.
        var theirs = await f.Get("/api/patients/me/insights", f.OtherPatient.Tokens.AccessToken);
        Assert.Empty(theirs["vitals"]!.AsArray());

        Assert.Equal(1, await AuditRows(f.GrantedDoctor.Id, "patient.insights.read"));
        Assert.Equal(1, await AuditRows(f.Admin.Id, "patient.insights.read"));
        Assert.Equal(1, await AuditRows(f.Doctor.Id, "patient.insights.read.denied"));
        Assert.Equal(1, await AuditRows(f.OtherPatient.Id, "patient.insights.read.denied"));
    }

    private async Task<long> AuditRows(Guid actor, string action)
    {
        await using var db = NpgsqlDataSource.Create(TestEnvironment.Postgres);
        await using var cmd = db.CreateCommand("SELECT count(*) FROM audit_events WHERE actor_id = $1 AND subject_id = $2 AND action = $3");
        cmd.Parameters.AddWithValue(actor);
        cmd.Parameters.AddWithValue(f.Owner.Id);
        cmd.Parameters.AddWithValue(action);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
