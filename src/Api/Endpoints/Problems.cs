using Microsoft.AspNetCore.Http.HttpResults;

namespace HealthActors.Api.Endpoints;

/// <summary>The few ProblemDetails answers the endpoints give by hand.</summary>
internal static class Problems
{
    public static ProblemHttpResult NotFound() =>
        TypedResults.Problem(title: "Not found.", statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult Unauthorized(string detail) =>
        TypedResults.Problem(title: "Unauthorized.", detail: detail, statusCode: StatusCodes.Status401Unauthorized);

    public static ProblemHttpResult Conflict(string title) =>
        TypedResults.Problem(title: title, statusCode: StatusCodes.Status409Conflict);
}
