using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Patients;
using HealthActors.Grains.Abstractions.Records;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HealthActors.Api.Endpoints;

/// <summary>A patient's own health record: vitals and daily logs, one kind per path.</summary>
public static class RecordEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static void MapRecordEndpoints(this IEndpointRouteBuilder app)
    {
        var records = app.MapGroup("/api/patients/me/records").WithTags("Records").RequireAuthorization(Setup.Policies.Patient);
        records.MapPost("/{kind}", Add).WithName("AddRecord")
            .WithSummary("Add one record of a kind (vitals, medications, food, water, sleep, exercise, mood, meditation). A repeat within five minutes is a 409 unless allowDuplicate=true.");
        records.MapPost("/{kind}/batch", AddBatch).WithName("AddRecordBatch")
            .WithSummary("Add up to 500 records of a kind, all or nothing: a bad item is named by index (items[3].systolic).");
        records.MapGet("/{kind}", List).WithName("ListRecords")
            .WithSummary("My records of a kind, newest first: from/to (ISO 8601 with offset), type, limit (1-200), cursor from the previous page's nextCursor.");
        records.MapGet("/{kind}/{id:guid}", Get).WithName("GetRecord").WithSummary("One record, its latest version.");
        records.MapPut("/{kind}/{id:guid}", Replace).WithName("ReplaceRecord").WithSummary("Replace a record: a new version, the old one kept.");
        records.MapDelete("/{kind}/{id:guid}", Delete).WithName("DeleteRecord").WithSummary("Delete a record: a deleting version, the history kept.");

        // Someone else's reading: the patient grain decides (owner, admin, a doctor through an appointment or a consent) and audits.
        var theirs = app.MapGroup("/api/patients/{patientId:guid}/records").WithTags("Records").RequireAuthorization();
        theirs.MapGet("/{kind}", ListTheirs).WithName("ListPatientRecords")
            .WithSummary("A patient's records of a kind, as ListRecords: for the patient, an admin or a doctor with an appointment or a consent (audited). Anyone else gets 404.");
        theirs.MapGet("/{kind}/{id:guid}", GetTheirs).WithName("GetPatientRecord")
            .WithSummary("One of a patient's records: same access as ListPatientRecords (audited). Anyone else gets 404.");
    }

    private static async Task<Results<Created<JsonObject>, ProblemHttpResult>> Add(
        string kind, JsonNode? body, bool? allowDuplicate, ClaimsPrincipal user, IGrainFactory grains, TimeProvider time)
    {
        if (!HealthRecordRules.IsKind(kind)) return Problems.NotFound();
        // A fast 400 for the usual mistakes; the grain applies the same rules again and decides.
        var e = new ValidationErrors();
        HealthRecordRules.Parse(kind, body, time.GetUtcNow(), e);
        if (!e.IsValid) return Problems.Invalid(e);
        var outcome = await grains.GetGrain<IHealthRecordsGrain>(user.ToCaller().UserId).Add(kind, body!.ToJsonString(), allowDuplicate ?? false);
        return outcome.IsOk ? TypedResults.Created($"/api/patients/me/records/{kind}/{outcome.Value!.Id}", View(outcome.Value)) : outcome.Failure!.ToProblem();
    }

    private static async Task<Results<Created<JsonObject>, ProblemHttpResult>> AddBatch(
        string kind, JsonNode? body, bool? allowDuplicate, ClaimsPrincipal user, IGrainFactory grains, TimeProvider time)
    {
        if (!HealthRecordRules.IsKind(kind)) return Problems.NotFound();
        var e = new ValidationErrors();
        if ((body as JsonObject)?["items"] is not JsonArray items)
        {
            e.Add("items", "is required: an array of records");
            return Problems.Invalid(e);
        }
        if (items.Count is 0 or > HealthRecordRules.MaxBatch)
        {
            e.Add("items", $"must hold 1 to {HealthRecordRules.MaxBatch} records");
            return Problems.Invalid(e);
        }
        var now = time.GetUtcNow();
        for (var i = 0; i < items.Count; i++) HealthRecordRules.Parse(kind, items[i], now, e, $"items[{i}].");
        if (!e.IsValid) return Problems.Invalid(e);

        var texts = items.Select(i => i!.ToJsonString()).ToList();
        var outcome = await grains.GetGrain<IHealthRecordsGrain>(user.ToCaller().UserId).AddBatch(kind, texts, allowDuplicate ?? false);
        if (!outcome.IsOk) return outcome.Failure!.ToProblem();
        return TypedResults.Created($"/api/patients/me/records/{kind}", new JsonObject { ["items"] = new JsonArray(outcome.Value!.Select(View).ToArray<JsonNode?>()) });
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> List(
        string kind, string? from, string? to, string? type, string? limit, string? cursor, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (!HealthRecordRules.IsKind(kind)) return Problems.NotFound();
        var e = new ValidationErrors();
        if (ListQuery(kind, from, to, type, limit, cursor, e) is not { } query) return Problems.Invalid(e);
        return await Page(user.ToCaller().UserId, query, grains);
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> ListTheirs(
        Guid patientId, string kind, string? from, string? to, string? type, string? limit, string? cursor, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (!HealthRecordRules.IsKind(kind)) return Problems.NotFound();
        var e = new ValidationErrors();
        // Checked before the access decision: a malformed query reveals nothing, and refusing it early keeps junk out of the audit trail.
        if (ListQuery(kind, from, to, type, limit, cursor, e) is not { } query) return Problems.Invalid(e);
        if (await grains.GetGrain<IPatientGrain>(patientId).AuthorizeRead(user.ToCaller(), $"records.{kind}") is null) return Problems.NotFound();
        return await Page(patientId, query, grains);
    }

    private static RecordQuery? ListQuery(string kind, string? from, string? to, string? type, string? limit, string? cursor, ValidationErrors e)
    {
        var (fromAt, toAt) = KeysetQuery.Window(e, from, to);
        var size = KeysetQuery.Limit(e, limit, DefaultLimit, MaxLimit);
        var typeFilter = e.Text("type", type, 100);
        var after = HealthRecordRules.DecodeCursor(cursor);
        if (cursor is not null && after is null) e.Add("cursor", "is not a cursor this api gave out");
        return e.IsValid ? new RecordQuery(kind, typeFilter, fromAt, toAt, size, after?.RecordedAt, after?.Id) : null;
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> Page(Guid patientId, RecordQuery query, IGrainFactory grains)
    {
        var page = await grains.GetGrain<IHealthRecordQueryGrain>(0).List(patientId, query);
        return TypedResults.Ok(new JsonObject
        {
            ["items"] = new JsonArray(page.Items.Select(View).ToArray<JsonNode?>()),
            ["nextCursor"] = page.NextCursor,
        });
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> Get(string kind, Guid id, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (!HealthRecordRules.IsKind(kind)) return Problems.NotFound();
        return await grains.GetGrain<IHealthRecordQueryGrain>(0).Get(user.ToCaller().UserId, kind, id) is { } r ? TypedResults.Ok(View(r)) : Problems.NotFound();
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> GetTheirs(Guid patientId, string kind, Guid id, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (!HealthRecordRules.IsKind(kind)) return Problems.NotFound();
        if (await grains.GetGrain<IPatientGrain>(patientId).AuthorizeRead(user.ToCaller(), $"records.{kind}") is null) return Problems.NotFound();
        return await grains.GetGrain<IHealthRecordQueryGrain>(0).Get(patientId, kind, id) is { } r ? TypedResults.Ok(View(r)) : Problems.NotFound();
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> Replace(
        string kind, Guid id, JsonNode? body, bool? allowDuplicate, ClaimsPrincipal user, IGrainFactory grains, TimeProvider time)
    {
        if (!HealthRecordRules.IsKind(kind)) return Problems.NotFound();
        var e = new ValidationErrors();
        HealthRecordRules.Parse(kind, body, time.GetUtcNow(), e);
        if (!e.IsValid) return Problems.Invalid(e);
        var outcome = await grains.GetGrain<IHealthRecordsGrain>(user.ToCaller().UserId).Replace(kind, id, body!.ToJsonString(), allowDuplicate ?? false);
        return outcome.IsOk ? TypedResults.Ok(View(outcome.Value!)) : outcome.Failure!.ToProblem();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string kind, Guid id, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (!HealthRecordRules.IsKind(kind)) return Problems.NotFound();
        var outcome = await grains.GetGrain<IHealthRecordsGrain>(user.ToCaller().UserId).Delete(kind, id);
        return outcome.IsOk ? TypedResults.NoContent() : outcome.Failure!.ToProblem();
    }

    /// <summary>A record as clients see it: its values beside id, kind, type, recordedAt, note and createdAt.</summary>
    public static JsonObject View(HealthRecord r)
    {
        var o = new JsonObject { ["id"] = r.Id, ["kind"] = r.Kind, ["type"] = r.Type };
        foreach (var (key, value) in JsonNode.Parse(r.Payload)!.AsObject()) o[key] = value?.DeepClone();
        o["recordedAt"] = r.RecordedAt;
        o["note"] = r.Note;
        o["createdAt"] = r.CreatedAt;
        o["version"] = r.Version;
        return o;
    }
}
