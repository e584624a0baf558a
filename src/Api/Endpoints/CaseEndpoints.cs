using System.Security.Claims;
using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Cases;
using HealthActors.Grains.Abstractions.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace HealthActors.Api.Endpoints;

public sealed record AcceptAnswerRequest(Guid? CommentId);

/// <summary>
/// Clinical cases: verified doctors post de-identified cases, search them, and discuss them in a one-level thread.
/// The group only asks for a signed-in user: the case grains answer 404 to anyone who is not a verified doctor, so a
/// patient, an admin or an unverified doctor cannot even learn that a case exists.
/// </summary>
public static class CaseEndpoints
{
    public static void MapCaseEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/cases").WithTags("Cases").RequireAuthorization();
        group.MapPost("/", Create).WithName("CreateCase")
            .WithSummary("Post a de-identified clinical case (verified doctors); identifiers are refused naming the field and the kind.");
        group.MapGet("/", Search).WithName("SearchCases")
            .WithSummary("Cases by full-text search in English and Spanish (ranked, title first) or newest first, filtered and paged.");
        group.MapGet("/following", Following).WithName("ListFollowedCases")
            .WithSummary("The cases I follow (my own included), most recently followed first, paged.");
        group.MapGet("/{id:guid}", Get).WithName("GetCase").WithSummary("One case with its status and accepted answer.");
        group.MapPost("/{id:guid}/comments", Comment).WithName("CommentOnCase")
            .WithSummary("Comment on an open case, or reply to a top-level comment (one level deep).");
        group.MapGet("/{id:guid}/comments", Comments).WithName("ListCaseComments")
            .WithSummary("The case's thread in seq order, after a given seq (keyset paging).");
        group.MapPost("/{id:guid}/comments/{commentId:guid}/upvote", Upvote).WithName("UpvoteCaseComment")
            .WithSummary("Upvote a comment, once per doctor (repeating it changes nothing).");
        group.MapPost("/{id:guid}/accept", Accept).WithName("AcceptCaseAnswer").WithSummary("Mark a comment as the accepted answer (the case's author).");
        group.MapPost("/{id:guid}/follow", Follow).WithName("FollowCase")
            .WithSummary("Follow a case: each new comment by someone else lands in my notifications (idempotent).");
        group.MapDelete("/{id:guid}/follow", Unfollow).WithName("UnfollowCase").WithSummary("Stop following a case (idempotent).");
        group.MapPost("/{id:guid}/close", Close).WithName("CloseCase").WithSummary("Close the case to new comments (the case's author).");
    }

    private static async Task<Results<Created<ClinicalCase>, ProblemHttpResult>> Create(CaseSubmission body, ClaimsPrincipal user, IGrainFactory grains)
    {
        var id = Guid.NewGuid();
        var outcome = await grains.GetGrain<ICaseGrain>(id).Create(user.ToCaller(), body);
        return outcome.IsOk ? TypedResults.Created($"/api/cases/{id}", outcome.Value) : outcome.Failure!.ToProblem();
    }

    private static async Task<Results<Ok<CasePage>, ProblemHttpResult>> Search(
        ClaimsPrincipal user, IGrainFactory grains, string? q, string? tag, Guid? specialtyId, string? status, [AsParameters] PageQuery paging)
    {
        var e = new ValidationErrors();
        paging.Validate(e);
        if (!e.IsValid) return Problems.Invalid(e);
        var outcome = await grains.GetGrain<ICaseSearchGrain>(0).Search(user.ToCaller(), new CaseQuery(q, tag, specialtyId, status, paging.Number, paging.Size));
        return outcome.IsOk ? TypedResults.Ok(outcome.Value!) : outcome.Failure!.ToProblem();
    }

    private static async Task<Results<Ok<CasePage>, ProblemHttpResult>> Following(ClaimsPrincipal user, IGrainFactory grains, [AsParameters] PageQuery paging)
    {
        var e = new ValidationErrors();
        paging.Validate(e);
        if (!e.IsValid) return Problems.Invalid(e);
        return Map(await grains.GetGrain<ICaseSearchGrain>(0).Following(user.ToCaller(), paging.Number, paging.Size));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Follow(Guid id, ClaimsPrincipal user, IGrainFactory grains) =>
        Done(await grains.GetGrain<ICaseGrain>(id).Follow(user.ToCaller()));

    private static async Task<Results<NoContent, ProblemHttpResult>> Unfollow(Guid id, ClaimsPrincipal user, IGrainFactory grains) =>
        Done(await grains.GetGrain<ICaseGrain>(id).Unfollow(user.ToCaller()));

    private static Results<NoContent, ProblemHttpResult> Done<T>(Outcome<T> outcome) =>
        outcome.IsOk ? TypedResults.NoContent() : outcome.Failure!.ToProblem();

    private static async Task<Results<Ok<ClinicalCase>, ProblemHttpResult>> Get(Guid id, ClaimsPrincipal user, IGrainFactory grains) =>
        Map(await grains.GetGrain<ICaseGrain>(id).Get(user.ToCaller()));

    private static async Task<Results<Created<CaseComment>, ProblemHttpResult>> Comment(
        Guid id, CommentSubmission body, ClaimsPrincipal user, IGrainFactory grains)
    {
        var outcome = await grains.GetGrain<ICaseGrain>(id).Comment(user.ToCaller(), body);
        return outcome.IsOk ? TypedResults.Created($"/api/cases/{id}/comments", outcome.Value) : outcome.Failure!.ToProblem();
    }

    private static async Task<Results<Ok<CommentPage>, ProblemHttpResult>> Comments(
        Guid id, ClaimsPrincipal user, IGrainFactory grains, [FromQuery] long? after, [FromQuery] int? limit) =>
        Map(await grains.GetGrain<ICaseGrain>(id).Comments(user.ToCaller(), after ?? 0, limit ?? 50));

    private static async Task<Results<Ok<CaseComment>, ProblemHttpResult>> Upvote(Guid id, Guid commentId, ClaimsPrincipal user, IGrainFactory grains) =>
        Map(await grains.GetGrain<ICaseGrain>(id).Upvote(user.ToCaller(), commentId));

    private static async Task<Results<Ok<ClinicalCase>, ProblemHttpResult>> Accept(
        Guid id, AcceptAnswerRequest? body, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (body?.CommentId is not { } commentId) return Problems.Invalid(new Dictionary<string, string[]> { ["commentId"] = ["is required"] });
        return Map(await grains.GetGrain<ICaseGrain>(id).Accept(user.ToCaller(), commentId));
    }

    private static async Task<Results<Ok<ClinicalCase>, ProblemHttpResult>> Close(Guid id, ClaimsPrincipal user, IGrainFactory grains) =>
        Map(await grains.GetGrain<ICaseGrain>(id).Close(user.ToCaller()));

    private static Results<Ok<T>, ProblemHttpResult> Map<T>(Outcome<T> outcome) =>
        outcome.IsOk ? TypedResults.Ok(outcome.Value!) : outcome.Failure!.ToProblem();
}
