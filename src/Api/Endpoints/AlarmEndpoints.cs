using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Alarms;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Records;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HealthActors.Api.Endpoints;

/// <summary>A patient's medication schedules, and the alarms they and the patient's custom alarms ring.</summary>
public static class AlarmEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static void MapAlarmEndpoints(this IEndpointRouteBuilder app)
    {
        var schedules = app.MapGroup("/api/patients/me/medication-schedules").WithTags("Alarms").RequireAuthorization(Setup.Policies.Patient);
        schedules.MapPost("/", AddSchedule).WithName("AddMedicationSchedule")
            .WithSummary("Schedule alarms for one of my active medications: timesOfDay (\"HH:mm\", at most 12), daysOfWeek (mon..sun, every day when absent), startDate, endDate, in my profile's time zone.");
        schedules.MapGet("/", ListSchedules).WithName("ListMedicationSchedules").WithSummary("My medication schedules.");
        schedules.MapGet("/{id:guid}", GetSchedule).WithName("GetMedicationSchedule").WithSummary("One of my medication schedules.");
        schedules.MapDelete("/{id:guid}", DeleteSchedule).WithName("DeleteMedicationSchedule")
            .WithSummary("Stop a schedule: no further alarms; the alarms it already rang are kept.");

        var alarms = app.MapGroup("/api/alarms").WithTags("Alarms").RequireAuthorization(Setup.Policies.Patient);
        alarms.MapGet("/", List).WithName("ListAlarms")
            .WithSummary("My alarms by due time, oldest first: from/to (ISO 8601 with offset), limit (1-200), cursor from the previous page's nextCursor.");
        alarms.MapPost("/", AddCustom).WithName("AddCustomAlarm").WithSummary("A one-off alarm: title and at (ISO 8601 with offset, in the future, within a year).");
        alarms.MapPost("/{id:guid}/taken", (Guid id, ClaimsPrincipal user, IGrainFactory grains) => Answer(id, AlarmStatus.Taken, user, grains))
            .WithName("MarkAlarmTaken").WithSummary("Mark an alarm taken. Repeating it changes nothing; after skipped it is a 409.");
        alarms.MapPost("/{id:guid}/skipped", (Guid id, ClaimsPrincipal user, IGrainFactory grains) => Answer(id, AlarmStatus.Skipped, user, grains))
            .WithName("MarkAlarmSkipped").WithSummary("Mark an alarm skipped. Repeating it changes nothing; after taken it is a 409.");
    }

    private static IMedicationAlarmsGrain Alarms(IGrainFactory grains, ClaimsPrincipal user) =>
        grains.GetGrain<IMedicationAlarmsGrain>(user.ToCaller().UserId);

    private static async Task<Results<Created<JsonObject>, ProblemHttpResult>> AddSchedule(JsonNode? body, ClaimsPrincipal user, IGrainFactory grains)
    {
        // A fast 400 for the usual mistakes; the grain applies the same rules again and decides.
        var e = new ValidationErrors();
        AlarmRules.ParseSchedule(body, e);
        if (!e.IsValid) return Problems.Invalid(e);
        var outcome = await Alarms(grains, user).AddSchedule(body!.ToJsonString());
        return outcome.IsOk
            ? TypedResults.Created($"/api/patients/me/medication-schedules/{outcome.Value!.Id}", View(outcome.Value))
            : outcome.Failure!.ToProblem();
    }

    private static async Task<Ok<JsonObject>> ListSchedules(ClaimsPrincipal user, IGrainFactory grains)
    {
        var all = await Alarms(grains, user).Schedules();
        return TypedResults.Ok(new JsonObject { ["items"] = new JsonArray(all.Select(View).ToArray<JsonNode?>()) });
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> GetSchedule(Guid id, ClaimsPrincipal user, IGrainFactory grains) =>
        (await Alarms(grains, user).Schedules()).FirstOrDefault(s => s.Id == id) is { } s ? TypedResults.Ok(View(s)) : Problems.NotFound();

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteSchedule(Guid id, ClaimsPrincipal user, IGrainFactory grains)
    {
        var outcome = await Alarms(grains, user).RemoveSchedule(id);
        return outcome.IsOk ? TypedResults.NoContent() : outcome.Failure!.ToProblem();
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> List(
        string? from, string? to, string? limit, string? cursor, ClaimsPrincipal user, IGrainFactory grains)
    {
        var e = new ValidationErrors();
        var (fromAt, toAt) = KeysetQuery.Window(e, from, to);
        var size = KeysetQuery.Limit(e, limit, DefaultLimit, MaxLimit);
        var after = HealthRecordRules.DecodeCursor(cursor);
        if (cursor is not null && after is null) e.Add("cursor", "is not a cursor this api gave out");
        if (!e.IsValid) return Problems.Invalid(e);

        var page = await Alarms(grains, user).List(new AlarmQuery(fromAt, toAt, size, after?.RecordedAt, after?.Id));
        return TypedResults.Ok(new JsonObject
        {
            ["items"] = new JsonArray(page.Items.Select(View).ToArray<JsonNode?>()),
            ["nextCursor"] = page.NextCursor,
        });
    }

    private static async Task<Results<Created<JsonObject>, ProblemHttpResult>> AddCustom(JsonNode? body, ClaimsPrincipal user, IGrainFactory grains, TimeProvider time)
    {
        var e = new ValidationErrors();
        AlarmRules.ParseCustom(body, time.GetUtcNow(), e);
        if (!e.IsValid) return Problems.Invalid(e);
        var outcome = await Alarms(grains, user).AddCustom(body!.ToJsonString());
        return outcome.IsOk ? TypedResults.Created($"/api/alarms/{outcome.Value!.Id}", View(outcome.Value)) : outcome.Failure!.ToProblem();
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> Answer(Guid id, string status, ClaimsPrincipal user, IGrainFactory grains)
    {
        var outcome = await Alarms(grains, user).Answer(id, status);
        return outcome.IsOk ? TypedResults.Ok(View(outcome.Value!)) : outcome.Failure!.ToProblem();
    }

    public static JsonObject View(MedicationSchedule s) => new()
    {
        ["id"] = s.Id,
        ["medicationId"] = s.MedicationId,
        ["medicationName"] = s.MedicationName,
        ["timesOfDay"] = new JsonArray(s.Plan.TimesOfDay.Select(t => (JsonNode?)t.ToString("HH:mm", CultureInfo.InvariantCulture)).ToArray()),
        ["daysOfWeek"] = new JsonArray(s.Plan.DaysOfWeek.Select(d => (JsonNode?)AlarmRules.DayName(d)).ToArray()),
        ["startDate"] = s.Plan.StartDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["endDate"] = s.Plan.EndDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["timeZone"] = s.TimeZone,
        ["createdAt"] = s.CreatedAt,
    };

    public static JsonObject View(Alarm a) => new()
    {
        ["id"] = a.Id,
        ["kind"] = a.ScheduleId is null ? "custom" : "medication",
        ["scheduleId"] = a.ScheduleId,
        ["medicationId"] = a.MedicationId,
        ["title"] = a.Title,
        ["dueAt"] = a.DueAt,
        ["status"] = a.Status,
        ["late"] = a.Late,
        ["rungAt"] = a.RungAt,
        ["answeredAt"] = a.AnsweredAt,
        ["createdAt"] = a.CreatedAt,
    };
}
