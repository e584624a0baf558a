using System.Security.Claims;
using HealthActors.Api.Auth;
using HealthActors.Api.Limits;
using HealthActors.Grains.Abstractions.Catalog;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HealthActors.Api.Endpoints;

public static class OrientationEndpoints
{
    public static void MapOrientationEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/orientation").WithTags("Orientation").RequireAuthorization();
        group.MapPost("/", Orient).WithName("Orient").WithSummary("Symptoms -> specialty, confidence, alternatives, red flags and whether it is an emergency. Not a diagnosis.");
        group.MapGet("/history", History).WithName("ListOrientationHistory").WithSummary("My latest orientations, newest first.");
    }

    private static async Task<Results<Ok<OrientationResult>, ValidationProblem, ProblemHttpResult>> Orient(
        OrientationRequest body, ClaimsPrincipal user, IGrainFactory grains, ModelCallLimiter modelCalls, HttpContext http)
    {
        var errors = body.Validate();
        if (!errors.IsValid) return TypedResults.ValidationProblem(errors.ToDictionary());
        var caller = user.ToCaller();
        if (await modelCalls.TryTakeAsync(caller, body.Symptoms!) is { } wait)
        {
            http.Response.Headers.RetryAfter = ModelCallLimiter.Seconds(wait).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests,
                title: "Too many orientations and chat messages in the last minute; slow down.");
        }
        return TypedResults.Ok(await grains.GetGrain<IOrientationGrain>(caller.UserId).Orient(body.Symptoms!, body.Age, body.Sex));
    }

    private static async Task<Results<Ok<IReadOnlyList<OrientationResult>>, ValidationProblem>> History(ClaimsPrincipal user, IGrainFactory grains, int? limit)
    {
        if (limit is < 1 or > 50)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["must be between 1 and 50"] });
        return TypedResults.Ok(await grains.GetGrain<IOrientationGrain>(user.ToCaller().UserId).History(limit ?? 20));
    }
}
