using System.Security.Claims;
using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Verification;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace HealthActors.Api.Endpoints;

public sealed record CredentialDecisionRequest(string? Reason);

/// <summary>Doctor verification: a doctor submits credentials, an admin approves or rejects them once.</summary>
public static class CredentialEndpoints
{
    public static void MapCredentialEndpoints(this IEndpointRouteBuilder app)
    {
        var mine = app.MapGroup("/api/doctors/me/credentials").WithTags("Verification").RequireAuthorization(Setup.Policies.Doctor);
        mine.MapPost("/", Submit).WithName("SubmitCredentials")
            .WithSummary("Submit my credentials for review (doctors); one pending submission at a time.");
        mine.MapGet("/", Mine).WithName("ListMyCredentials").WithSummary("My credential submissions with their status, newest first (doctors).");

        var admin = app.MapGroup("/api/admin/credentials").WithTags("Admin").RequireAuthorization(Setup.Policies.Admin);
        admin.MapGet("/", List).WithName("ListCredentials").WithSummary("Credential submissions of one status (default pending), oldest first, paged (admin).");
        admin.MapPost("/{submissionId:guid}/approve", Approve).WithName("ApproveCredentials")
            .WithSummary("Approve a pending submission: the doctor becomes verified and is notified (admin, audited).");
        admin.MapPost("/{submissionId:guid}/reject", Reject).WithName("RejectCredentials")
            .WithSummary("Reject a pending submission with a reason; the doctor is notified (admin, audited).");
    }

    private static async Task<Results<Created<CredentialRecord>, ProblemHttpResult>> Submit(
        CredentialSubmission body, ClaimsPrincipal user, IGrainFactory grains, TimeProvider time)
    {
        // A fast 400; the doctor's grain applies the same rules again and decides.
        var errors = DoctorCredentialRules.Validate(body, time.GetUtcNow().Year);
        if (!errors.IsValid) return Problems.Invalid(errors);
        var caller = user.ToCaller();
        var outcome = await grains.GetGrain<ICredentialsGrain>(caller.UserId).Submit(caller, body);
        return outcome.IsOk ? TypedResults.Created("/api/doctors/me/credentials", outcome.Value) : outcome.Failure!.ToProblem();
    }

    private static async Task<Results<Ok<IReadOnlyList<CredentialRecord>>, ProblemHttpResult>> Mine(ClaimsPrincipal user, IGrainFactory grains)
    {
        var caller = user.ToCaller();
        return await grains.GetGrain<ICredentialsGrain>(caller.UserId).List(caller) is { } list ? TypedResults.Ok(list) : Problems.NotFound();
    }

    private static async Task<Results<Ok<CredentialPage>, ProblemHttpResult>> List(
        ClaimsPrincipal user, IGrainFactory grains, string? status, [AsParameters] PageQuery paging)
    {
        var e = new ValidationErrors();
        if (status is not null && !CredentialStatus.All.Contains(status)) e.Add("status", "must be one of: " + string.Join(", ", CredentialStatus.All));
        paging.Validate(e);
        if (!e.IsValid) return Problems.Invalid(e);
        return TypedResults.Ok(await grains.GetGrain<ICredentialReviewGrain>(0).List(user.ToCaller(), status ?? CredentialStatus.Pending, paging.Number, paging.Size));
    }

    private static Task<Results<Ok<CredentialRecord>, ProblemHttpResult>> Approve(Guid submissionId, ClaimsPrincipal user, IGrainFactory grains) =>
        Decide(submissionId, true, null, user, grains);

    private static Task<Results<Ok<CredentialRecord>, ProblemHttpResult>> Reject(
        Guid submissionId, CredentialDecisionRequest? body, ClaimsPrincipal user, IGrainFactory grains) =>
        Decide(submissionId, false, body?.Reason, user, grains);

    private static async Task<Results<Ok<CredentialRecord>, ProblemHttpResult>> Decide(
        Guid submissionId, bool approve, string? reason, ClaimsPrincipal user, IGrainFactory grains)
    {
        var errors = DoctorCredentialRules.ValidateDecision(approve, reason);
        if (!errors.IsValid) return Problems.Invalid(errors);
        var outcome = await grains.GetGrain<ICredentialReviewGrain>(0).Decide(user.ToCaller(), submissionId, approve, reason);
        return outcome.IsOk ? TypedResults.Ok(outcome.Value!) : outcome.Failure!.ToProblem();
    }
}
