using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace HealthActors.Tests.Alarms;

/// <summary>Who may reach schedules and alarms, and what bad input gets: a 400 naming the field, nothing written.</summary>
[Collection(AlarmCollection.Name)]
public sealed class AlarmAccessTests(AlarmApiFactory factory)
{
    private const string Schedules = "/api/patients/me/medication-schedules";
    private readonly AlarmApi _api = new(factory.CreateClient());

    private string Tomorrow => DateOnly.FromDateTime(DateTime.UtcNow.AddDays(1)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private string CustomBody(TimeSpan ahead) =>
        $$"""{"title":"Refill","at":"{{factory.Clock.GetUtcNow().Add(ahead).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture)}}"}""";

    [Fact]
    public async Task Only_the_owning_patient_reaches_a_schedule_or_an_alarm()
    {
        var (owner, medicationId) = await _api.Patient();
        var schedule = await _api.Json(await _api.Send(HttpMethod.Post, Schedules, owner.Tokens.AccessToken,
            AlarmApi.Schedule(medicationId, DateOnly.FromDateTime(DateTime.UtcNow.AddDays(1)), "08:00", "20:00")), HttpStatusCode.Created);
        var alarm = await _api.Json(await _api.Send(HttpMethod.Post, "/api/alarms", owner.Tokens.AccessToken, CustomBody(TimeSpan.FromDays(2))), HttpStatusCode.Created);
        var scheduleUrl = $"{Schedules}/{schedule["id"]}";
        var alarmUrl = $"/api/alarms/{alarm["id"]}";

        // The owner.
        Assert.Equal(schedule["id"]!.GetValue<Guid>(), (await _api.Json(await _api.Send(HttpMethod.Get, scheduleUrl, owner.Tokens.AccessToken), HttpStatusCode.OK))["id"]!.GetValue<Guid>());
        var listed = (await _api.Json(await _api.Send(HttpMethod.Get, Schedules, owner.Tokens.AccessToken), HttpStatusCode.OK))["items"]!.AsArray();
        Assert.Equal(new[] { "08:00", "20:00" }, Assert.Single(listed)!["timesOfDay"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Single(await _api.Alarms(owner));

        // Another patient: their own lists are empty, and the owner's ids do not exist for them.
        var other = await _api.Http.RegisterAsync();
        var o = other.Tokens.AccessToken;
        Assert.Empty((await _api.Json(await _api.Send(HttpMethod.Get, Schedules, o), HttpStatusCode.OK))["items"]!.AsArray());
        Assert.Empty(await _api.Alarms(other));
        await (await _api.Send(HttpMethod.Get, scheduleUrl, o)).ProblemAsync(HttpStatusCode.NotFound);
        await (await _api.Send(HttpMethod.Delete, scheduleUrl, o)).ProblemAsync(HttpStatusCode.NotFound);
        await (await _api.Send(HttpMethod.Post, alarmUrl + "/taken", o)).ProblemAsync(HttpStatusCode.NotFound);
        await (await _api.Send(HttpMethod.Post, alarmUrl + "/skipped", o)).ProblemAsync(HttpStatusCode.NotFound);
        // Nor may they schedule the owner's medication.
        await (await _api.Send(HttpMethod.Post, Schedules, o, AlarmApi.Schedule(medicationId, DateOnly.FromDateTime(DateTime.UtcNow), "08:00")))
            .ValidationProblemAsync("medicationId");

        // A doctor and an admin are not patients: these are a patient's own tools, refused by role.
        var doctor = await _api.Http.RegisterDoctorAsync();
        var admin = await _api.Http.LoginAdminAsync();
        var requests = new (HttpMethod Method, string Url, string? Body)[]
        {
            (HttpMethod.Get, Schedules, null), (HttpMethod.Post, Schedules, AlarmApi.Schedule(medicationId, DateOnly.FromDateTime(DateTime.UtcNow), "08:00")),
            (HttpMethod.Get, scheduleUrl, null), (HttpMethod.Delete, scheduleUrl, null), (HttpMethod.Get, "/api/alarms", null),
            (HttpMethod.Post, "/api/alarms", CustomBody(TimeSpan.FromHours(1))), (HttpMethod.Post, alarmUrl + "/taken", null), (HttpMethod.Post, alarmUrl + "/skipped", null),
        };
        foreach (var (method, url, body) in requests)
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await _api.Send(method, url, doctor.Tokens.AccessToken, body)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await _api.Send(method, url, admin.Tokens.AccessToken, body)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await _api.Send(method, url, null, body)).StatusCode);
        }

        // Nothing of theirs changed anything: the owner still has the schedule and an unanswered alarm.
        Assert.Single((await _api.Json(await _api.Send(HttpMethod.Get, Schedules, owner.Tokens.AccessToken), HttpStatusCode.OK))["items"]!.AsArray());
        Assert.Equal("open", Assert.Single(await _api.Alarms(owner))!["status"]!.GetValue<string>());
        await _api.Json(await _api.Send(HttpMethod.Post, alarmUrl + "/skipped", owner.Tokens.AccessToken), HttpStatusCode.OK);
        await (await _api.Send(HttpMethod.Post, alarmUrl + "/taken", owner.Tokens.AccessToken)).ProblemAsync(HttpStatusCode.Conflict);
        await _api.Json(await _api.Send(HttpMethod.Delete, scheduleUrl, owner.Tokens.AccessToken), HttpStatusCode.NoContent);
        await (await _api.Send(HttpMethod.Get, scheduleUrl, owner.Tokens.AccessToken)).ProblemAsync(HttpStatusCode.NotFound);
    }

    public static TheoryData<string, string> BadSchedules => new()
    {
        { """{"medicationId":"{med}","timesOfDay":["8:00"],"startDate":"{tomorrow}"}""", "timesOfDay[0]" },
        { """{"medicationId":"{med}","timesOfDay":["25:00"],"startDate":"{tomorrow}"}""", "timesOfDay[0]" },
        { """{"medicationId":"{med}","timesOfDay":["08:00","08:00"],"startDate":"{tomorrow}"}""", "timesOfDay[1]" },
        { """{"medicationId":"{med}","timesOfDay":["00:00","01:00","02:00","03:00","04:00","05:00","06:00","07:00","08:00","09:00","10:00","11:00","12:00"],"startDate":"{tomorrow}"}""", "timesOfDay" },
        { """{"medicationId":"{med}","timesOfDay":["08:00"],"daysOfWeek":["mon","funday"],"startDate":"{tomorrow}"}""", "daysOfWeek[1]" },
        { """{"medicationId":"{med}","timesOfDay":["08:00"],"startDate":"{tomorrow}","endDate":"2020-01-01"}""", "endDate" },
        { """{"medicationId":"{med}","timesOfDay":["08:00"],"startDate":"tomorrow"}""", "startDate" },
        { """{"medicationId":"{med}","timesOfDay":["08:00"]}""", "startDate" },
        { """{"medicationId":"00000000-0000-0000-0000-000000000001","timesOfDay":["08:00"],"startDate":"{tomorrow}"}""", "medicationId" },
        { """{"medicationId":"{inactive}","timesOfDay":["08:00"],"startDate":"{tomorrow}"}""", "medicationId" },
        { """{"timesOfDay":["08:00"],"startDate":"{tomorrow}"}""", "medicationId" },
        { "[]", "body" },
    };

    [Theory, MemberData(nameof(BadSchedules))]
    public async Task A_bad_schedule_is_a_400_naming_the_field_and_writes_nothing(string template, string field)
    {
        var (user, medicationId) = await _api.Patient();
        var inactive = await _api.AddMedication(user, active: false);
        var body = template.Replace("{med}", medicationId.ToString()).Replace("{inactive}", inactive.ToString()).Replace("{tomorrow}", Tomorrow);
        await (await _api.Send(HttpMethod.Post, Schedules, user.Tokens.AccessToken, body)).ValidationProblemAsync(field);
        Assert.Empty((await _api.Json(await _api.Send(HttpMethod.Get, Schedules, user.Tokens.AccessToken), HttpStatusCode.OK))["items"]!.AsArray());
    }

    [Fact]
    public async Task A_schedule_needs_a_time_zone_in_the_profile()
    {
        var user = await _api.Http.RegisterAsync();
        await _api.SetTimeZone(user, null);
        var medicationId = await _api.AddMedication(user);
        var problem = await (await _api.Send(HttpMethod.Post, Schedules, user.Tokens.AccessToken,
            AlarmApi.Schedule(medicationId, DateOnly.FromDateTime(DateTime.UtcNow), "08:00"))).ValidationProblemAsync("timeZone");
        Assert.Contains("profile", problem["errors"]!["timeZone"]![0]!.GetValue<string>());
        Assert.Empty((await _api.Json(await _api.Send(HttpMethod.Get, Schedules, user.Tokens.AccessToken), HttpStatusCode.OK))["items"]!.AsArray());
    }

    [Fact]
    public async Task Bad_custom_alarms_and_queries_are_400s_naming_the_field()
    {
        var user = await _api.Http.RegisterAsync();
        var t = user.Tokens.AccessToken;
        await (await _api.Send(HttpMethod.Post, "/api/alarms", t, CustomBody(TimeSpan.FromMinutes(-5)))).ValidationProblemAsync("at");
        await (await _api.Send(HttpMethod.Post, "/api/alarms", t, CustomBody(TimeSpan.FromDays(400)))).ValidationProblemAsync("at");
        await (await _api.Send(HttpMethod.Post, "/api/alarms", t, """{"title":"Refill","at":"2030-01-01T09:00:00"}""")).ValidationProblemAsync("at");
        await (await _api.Send(HttpMethod.Post, "/api/alarms", t, CustomBody(TimeSpan.FromHours(1)).Replace("Refill", ""))).ValidationProblemAsync("title");
        await (await _api.Send(HttpMethod.Post, "/api/alarms", t, "\"x\"")).ValidationProblemAsync("body");
        Assert.Empty(await _api.Alarms(user));

        await (await _api.Send(HttpMethod.Get, "/api/alarms?from=yesterday", t)).ValidationProblemAsync("from");
        await (await _api.Send(HttpMethod.Get, "/api/alarms?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z", t)).ValidationProblemAsync("to");
        await (await _api.Send(HttpMethod.Get, "/api/alarms?limit=0", t)).ValidationProblemAsync("limit");
        await (await _api.Send(HttpMethod.Get, "/api/alarms?cursor=nonsense", t)).ValidationProblemAsync("cursor");
        await (await _api.Send(HttpMethod.Post, $"/api/alarms/{Guid.NewGuid()}/taken", t)).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Alarms_page_by_due_time_without_gaps_or_repeats()
    {
        var user = await _api.Http.RegisterAsync();
        var made = new List<Guid>();
        for (var i = 1; i <= 5; i++)
            made.Add((await _api.Json(await _api.Send(HttpMethod.Post, "/api/alarms", user.Tokens.AccessToken, CustomBody(TimeSpan.FromDays(i))), HttpStatusCode.Created))["id"]!.GetValue<Guid>());

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await _api.Json(await _api.Send(HttpMethod.Get, "/api/alarms?limit=2" + (cursor is null ? "" : "&cursor=" + cursor), user.Tokens.AccessToken), HttpStatusCode.OK);
            seen.AddRange(page["items"]!.AsArray().Select(a => a!["id"]!.GetValue<Guid>()));
            cursor = page["nextCursor"]?.GetValue<string>();
        } while (cursor is not null);
        Assert.Equal(made, seen);

        var from = factory.Clock.GetUtcNow().AddDays(2).AddHours(-1);
        var ranged = await _api.Alarms(user, $"?from={Uri.EscapeDataString(from.ToOffset(TimeSpan.FromHours(5)).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture))}");
        Assert.Equal(made.Skip(1), ranged.Select(a => a!["id"]!.GetValue<Guid>()));
    }
}
