using System.Security.Claims;
using HealthActors.Api.Auth;
using HealthActors.Api.Hosting;
using HealthActors.Grains.Abstractions.Patients;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HealthActors.Api.Endpoints;

public static class PatientEndpoints
{
    public static void MapPatientEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/patients").WithTags("Patients").RequireAuthorization();
        group.MapGet("/me/profile", GetMine).WithName("GetMyProfile").WithSummary("My medical profile (fields are null until set).");
        group.MapPut("/me/profile", PutMine).WithName("ReplaceMyProfile").WithSummary("Replace my medical profile.");
        group.MapGet("/{patientId:guid}/profile", GetOne).WithName("GetPatientProfile")
            .WithSummary("A patient's profile: the patient, an admin or a doctor with an appointment or a consent (audited). Anyone else gets 404.");
    }

    private static async Task<Ok<PatientProfile>> GetMine(ClaimsPrincipal user, GrainRefs grains)
    {
        var caller = user.ToCaller();
        var profile = await grains.Get<IPatientGrain>(caller.UserId).GetProfile(caller);
        return TypedResults.Ok(profile ?? new PatientProfile());
    }

    private static async Task<Results<Ok<PatientProfile>, ValidationProblem>> PutMine(
        PatientProfile body, ClaimsPrincipal user, IGrainFactory grains, TimeProvider time)
    {
        var errors = PatientProfileRules.Validate(body, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        if (!errors.IsValid) return TypedResults.ValidationProblem(errors.ToDictionary());
        var caller = user.ToCaller();
        return TypedResults.Ok(await grains.GetGrain<IPatientGrain>(caller.UserId).UpdateProfile(body, caller));
    }

    private static async Task<Results<Ok<PatientProfile>, ProblemHttpResult>> GetOne(
        Guid patientId, ClaimsPrincipal user, IGrainFactory grains)
    {
        var caller = user.ToCaller();
        var profile = await grains.GetGrain<IPatientGrain>(patientId).GetProfile(caller);
        if (profile is not null) return TypedResults.Ok(profile);
        return caller.UserId == patientId ? TypedResults.Ok(new PatientProfile()) : Problems.NotFound();
    }
}
