using System.Security.Claims;
using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Consultations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace HealthActors.Api.Endpoints;

/// <summary>
/// Quick consultations: a patient asks, one verified doctor of the specialty claims it, and the two talk in a thread
/// until the doctor closes it. The consultation grain decides every rule; these handlers only give fast 400s.
/// </summary>
public static class ConsultationEndpoints
{
    public static void MapConsultationEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/consultations").WithTags("Consultations").RequireAuthorization();
        g.MapPost("/", Create).RequireAuthorization(Setup.Policies.Patient).WithName("CreateConsultation")
            .WithSummary("Ask a quick question (patients); specialty from orientation when not given, emergency guidance at once on a red flag.");
        g.MapGet("/mine", Mine).RequireAuthorization(Setup.Policies.PatientOrDoctor).WithName("ListMyConsultations")
            .WithSummary("My consultations, paged: a patient's own newest first; a doctor's claimed and closed ones, the latest claim first.");
        g.MapGet("/open", Open).RequireAuthorization(Setup.Policies.Doctor).WithName("ListOpenConsultations")
            .WithSummary("Unclaimed consultations of my specialty, oldest first, paged (verified doctors; others 403 DoctorNotVerified).");
        g.MapGet("/{consultationId:guid}", Get).WithName("GetConsultation")
            .WithSummary("A consultation: its patient or the doctor who claimed it (others 404).");
        g.MapPost("/{consultationId:guid}/claim", Claim).RequireAuthorization(Setup.Policies.Doctor).WithName("ClaimConsultation")
            .WithSummary("Take an open consultation of my specialty (verified doctors); the first claim wins, the others 409 AlreadyClaimed.");
        g.MapPost("/{consultationId:guid}/messages", Post).WithName("PostConsultationMessage")
            .WithSummary("Add a message to the thread (its patient, or the claiming doctor); red flags in a patient's message are answered with guidance.");
        g.MapGet("/{consultationId:guid}/messages", Messages).WithName("ListConsultationMessages")
            .WithSummary("Thread messages after a seq, in order (its patient, or the claiming doctor).");
        g.MapPost("/{consultationId:guid}/close", Close).RequireAuthorization(Setup.Policies.Doctor).WithName("CloseConsultation")
            .WithSummary("Close the consultation (the claiming doctor); no more messages after this.");
        g.MapPost("/{consultationId:guid}/rating", Rate).WithName("RateConsultation")
            .WithSummary("Rate the doctor 1-5 with an optional comment (its patient, once, after the doctor closed it: else 409 NotClosed or AlreadyRated; others 404).");
    }

    private static async Task<Results<Created<ConsultationView>, ProblemHttpResult>> Create(ConsultationRequest body, ClaimsPrincipal user, IGrainFactory grains)
    {
        var errors = ConsultationRules.Validate(body);
        if (!errors.IsValid) return Problems.Invalid(errors);
        var outcome = await grains.GetGrain<IConsultationGrain>(Guid.NewGuid()).Create(user.ToCaller(), body);
        return outcome.IsOk ? TypedResults.Created($"/api/consultations/{outcome.Value!.Id}", outcome.Value) : outcome.Failure!.ToProblem();
    }

    private static async Task<Results<Ok<ConsultationPage>, ProblemHttpResult>> Mine(ClaimsPrincipal user, IGrainFactory grains, [AsParameters] PageQuery paging)
    {
        var e = new Grains.Abstractions.Common.ValidationErrors();
        paging.Validate(e);
        if (!e.IsValid) return Problems.Invalid(e);
        var outcome = await grains.GetGrain<IConsultationBoardGrain>(0).Mine(user.ToCaller(), paging.Number, paging.Size);
        return outcome.IsOk ? TypedResults.Ok(outcome.Value!) : outcome.Failure!.ToProblem();
    }

    private static async Task<Results<Ok<ConsultationPage>, ProblemHttpResult>> Open(ClaimsPrincipal user, IGrainFactory grains, [AsParameters] PageQuery paging)
    {
        var e = new Grains.Abstractions.Common.ValidationErrors();
        paging.Validate(e);
        if (!e.IsValid) return Problems.Invalid(e);
        var outcome = await grains.GetGrain<IConsultationBoardGrain>(0).Open(user.ToCaller(), paging.Number, paging.Size);
        return outcome.IsOk ? TypedResults.Ok(outcome.Value!) : outcome.Failure!.ToProblem();
    }

    private static async Task<Results<Ok<ConsultationView>, ProblemHttpResult>> Get(Guid consultationId, ClaimsPrincipal user, IGrainFactory grains)
    {
        var outcome = await grains.GetGrain<IConsultationGrain>(consultationId).Get(user.ToCaller());
        return outcome.IsOk ? TypedResults.Ok(outcome.Value!) : outcome.Failure!.ToProblem();
    }

    private static async Task<Results<Ok<ConsultationView>, ProblemHttpResult>> Claim(Guid consultationId, ClaimsPrincipal user, IGrainFactory grains)
    {
        var outcome = await grains.GetGrain<IConsultationGrain>(consultationId).Claim(user.ToCaller());
        return outcome.IsOk ? TypedResults.Ok(outcome.Value!) : outcome.Failure!.ToProblem();
    }

    private static async Task<Results<Created<ConsultationMessagePosted>, ProblemHttpResult>> Post(
        Guid consultationId, ConsultationMessageRequest body, ClaimsPrincipal user, IGrainFactory grains)
    {
        var errors = ConsultationRules.Validate(body);
        if (!errors.IsValid) return Problems.Invalid(errors);
        var outcome = await grains.GetGrain<IConsultationGrain>(consultationId).Post(user.ToCaller(), body);
        return outcome.IsOk
            ? TypedResults.Created($"/api/consultations/{consultationId}/messages?afterSeq={outcome.Value!.Message.Seq - 1}", outcome.Value)
            : outcome.Failure!.ToProblem();
    }

    private static async Task<Results<Ok<IReadOnlyList<ConsultationMessage>>, ProblemHttpResult>> Messages(
        Guid consultationId, ClaimsPrincipal user, IGrainFactory grains, [FromQuery] int? afterSeq, [FromQuery] int? limit)
    {
        var errors = ConsultationRules.ValidateRead(afterSeq, limit);
        if (!errors.IsValid) return Problems.Invalid(errors);
        var outcome = await grains.GetGrain<IConsultationGrain>(consultationId)
            .Messages(user.ToCaller(), afterSeq ?? 0, limit ?? ConsultationRules.DefaultMessagesPerRead);
        return outcome.IsOk ? TypedResults.Ok(outcome.Value!) : outcome.Failure!.ToProblem();
    }

    private static async Task<Results<Ok<ConsultationView>, ProblemHttpResult>> Close(Guid consultationId, ClaimsPrincipal user, IGrainFactory grains)
    {
        var outcome = await grains.GetGrain<IConsultationGrain>(consultationId).Close(user.ToCaller());
        return outcome.IsOk ? TypedResults.Ok(outcome.Value!) : outcome.Failure!.ToProblem();
    }

    private static async Task<Results<Created<ConsultationRating>, ProblemHttpResult>> Rate(
        Guid consultationId, RatingRequest body, ClaimsPrincipal user, IGrainFactory grains)
    {
        var errors = RatingRules.Validate(body);
        if (!errors.IsValid) return Problems.Invalid(errors);
        var outcome = await grains.GetGrain<IConsultationGrain>(consultationId).Rate(user.ToCaller(), body);
        return outcome.IsOk
            ? TypedResults.Created($"/api/doctors/{outcome.Value!.DoctorId}/ratings", outcome.Value)
            : outcome.Failure!.ToProblem();
    }
}
