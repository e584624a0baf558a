using System.Globalization;
using System.Security.Claims;
using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Audit;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Patients;
using HealthActors.Grains.Abstractions.Records;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace HealthActors.Api.Endpoints;

/// <summary>Until is text so that a time without an offset is refused rather than read in the server's zone.</summary>
public sealed record ConsentRequest(Guid? DoctorId, string? Until);

/// <summary>The window and keyset paging of the audit lists (<c>?from=&amp;to=&amp;limit=&amp;cursor=</c>), bound with [AsParameters].</summary>
public sealed record AuditWindow(
    [FromQuery(Name = "from")] string? From,
    [FromQuery(Name = "to")] string? To,
    [FromQuery(Name = "limit")] string? Limit,
    [FromQuery(Name = "cursor")] string? Cursor)
{
    /// <summary>The grain query, or null with the errors named in <paramref name="e"/>.</summary>
    public AuditQuery? ToQuery(ValidationErrors e, Guid? subjectId)
    {
        var (from, to) = KeysetQuery.Window(e, From, To);
        var size = KeysetQuery.Limit(e, Limit, AuditRules.DefaultLimit, AuditRules.MaxLimit);
        var before = AuditRules.DecodeCursor(Cursor);
        if (Cursor is not null && before is null) e.Add("cursor", "is not a cursor this api gave out");
        return e.IsValid ? new AuditQuery(subjectId, from, to, size, before?.At, before?.Id) : null;
    }
}

/// <summary>
/// What a patient controls about who reads their data (consents) and what they see of it (the access log),
/// and the admins' audit search.
/// </summary>
public static class ConsentEndpoints
{
    public static void MapConsentEndpoints(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/patients/me").WithTags("Consents").RequireAuthorization(Setup.Policies.Patient);
        me.MapPost("/consents", Give).WithName("GiveConsent")
            .WithSummary("Let a practising doctor read my data without an appointment, until a moment (default and cap: 730 days). Again for the same doctor replaces it.");
        me.MapGet("/consents", List).WithName("ListConsents").WithSummary("Who may read my data now: my live consents (basis consent, newest first), then live appointment grants (basis appointment), with the doctor's name.");
        me.MapDelete("/consents/{doctorId:guid}", Withdraw).WithName("WithdrawConsent").WithSummary("End my consent for a doctor, at once.");
        me.MapGet("/access-log", AccessLog).WithName("GetAccessLog")
            .WithSummary("Who read or tried to read my data, newest first: actor, role, what, when, the grant that allowed it (basis, appointmentId); refused attempts have denied=true.");

        app.MapGroup("/api/admin").WithTags("Admin").RequireAuthorization(Setup.Policies.Admin)
            .MapGet("/audit", Search).WithName("SearchAudit")
            .WithSummary("The audit trail, newest first, optionally of one patient (patientId); this read is itself audited.");
    }

    private static async Task<Results<Created<Consent>, ProblemHttpResult>> Give(ConsentRequest? body, ClaimsPrincipal user, IGrainFactory grains)
    {
        var e = new ValidationErrors();
        if (body?.DoctorId is null) e.Add("doctorId", "is required");
        var until = HealthRecordRules.QueryInstant(e, "until", body?.Until);
        if (!e.IsValid) return Problems.Invalid(e);
        var caller = user.ToCaller();
        var outcome = await grains.GetGrain<IPatientGrain>(caller.UserId).GiveConsent(caller, body!.DoctorId!.Value, until);
        return outcome.IsOk ? TypedResults.Created($"/api/patients/me/consents/{outcome.Value!.DoctorId}", outcome.Value) : outcome.Failure!.ToProblem();
    }

    private static async Task<Results<Ok<IReadOnlyList<Consent>>, ProblemHttpResult>> List(ClaimsPrincipal user, IGrainFactory grains)
    {
        var caller = user.ToCaller();
        var outcome = await grains.GetGrain<IPatientGrain>(caller.UserId).Consents(caller);
        return outcome.IsOk ? TypedResults.Ok(outcome.Value!) : outcome.Failure!.ToProblem();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Withdraw(Guid doctorId, ClaimsPrincipal user, IGrainFactory grains)
    {
        var caller = user.ToCaller();
        var outcome = await grains.GetGrain<IPatientGrain>(caller.UserId).WithdrawConsent(caller, doctorId);
        return outcome.IsOk ? TypedResults.NoContent() : outcome.Failure!.ToProblem();
    }

    private static async Task<Results<Ok<AuditPage>, ProblemHttpResult>> AccessLog([AsParameters] AuditWindow window, ClaimsPrincipal user, IGrainFactory grains)
    {
        var e = new ValidationErrors();
        var caller = user.ToCaller();
        if (window.ToQuery(e, caller.UserId) is not { } query) return Problems.Invalid(e);
        return TypedResults.Ok(await grains.GetGrain<IAuditQueryGrain>(0).AccessLog(caller, query));
    }

    private static async Task<Results<Ok<AuditPage>, ProblemHttpResult>> Search(
        [AsParameters] AuditWindow window, [FromQuery(Name = "patientId")] string? patientId, ClaimsPrincipal user, IGrainFactory grains)
    {
        var e = new ValidationErrors();
        Guid? subject = null;
        if (patientId is not null)
        {
            if (Guid.TryParse(patientId, out var id)) subject = id;
            else e.Add("patientId", "must be a user id (a GUID)");
        }
        if (window.ToQuery(e, subject) is not { } query || !e.IsValid) return Problems.Invalid(e);
        var outcome = await grains.GetGrain<IAuditQueryGrain>(0).Search(user.ToCaller(), query);
        return outcome.IsOk ? TypedResults.Ok(outcome.Value!) : outcome.Failure!.ToProblem();
    }
}
