using System.Security.Claims;
using HealthActors.Api.Auth;
using HealthActors.Api.Hosting;
using HealthActors.Grains.Abstractions.Identity;
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

    private static async Task<JsonBytes<PatientProfile>> GetMine(ClaimsPrincipal user, GrainRefs grains, ReadCache cache)
    {
        var caller = user.ToCaller();
        // Keyed by the caller, who is the owner here: an owner's read is never audited and its answer is the stored
        // profile alone, whatever the caller's role.
        var json = await cache.Get<(GrainRefs Grains, Caller Caller), PatientProfile>(CachedRead.MyProfile, caller.UserId, (grains, caller),
            static async (id, s) => await s.Grains.Get<IPatientGrain>(id).GetProfile(s.Caller) ?? new PatientProfile());
        return new JsonBytes<PatientProfile>(json!);
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
