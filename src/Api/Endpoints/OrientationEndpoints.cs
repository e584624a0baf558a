using System.Security.Claims;
using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Catalog;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HealthActors.Api.Endpoints;

public static class OrientationEndpoints
{
    public static void MapOrientationEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/orientation").WithTags("Orientation").RequireAuthorization();
        group.MapPost("/", Orient).WithSummary("Symptoms -> specialty, confidence, alternatives, red flags and whether it is an emergency. Not a diagnosis.");
        group.MapGet("/history", History).WithSummary("My latest orientations, newest first.");
    }

    private static async Task<Results<Ok<OrientationResult>, ValidationProblem>> Orient(OrientationRequest body, ClaimsPrincipal user, IGrainFactory grains)
    {
        var errors = body.Validate();
        if (!errors.IsValid) return TypedResults.ValidationProblem(errors.ToDictionary());
        return TypedResults.Ok(await grains.GetGrain<IOrientationGrain>(user.ToCaller().UserId).Orient(body.Symptoms!, body.Age, body.Sex));
    }

    private static async Task<Results<Ok<IReadOnlyList<OrientationResult>>, ValidationProblem>> History(ClaimsPrincipal user, IGrainFactory grains, int? limit)
    {
        if (limit is < 1 or > 50)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["must be between 1 and 50"] });
        return TypedResults.Ok(await grains.GetGrain<IOrientationGrain>(user.ToCaller().UserId).History(limit ?? 20));
    }
}
