using HealthActors.Grains.Abstractions.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace HealthActors.Api.Endpoints;

/// <summary>
/// The one place where a grain's <see cref="Failure"/> becomes an HTTP answer, plus the few answers the
/// endpoints give by hand. Every failure is a ProblemDetails; an invalid input names its fields.
/// </summary>
internal static class Problems
{
    public static ProblemHttpResult NotFound() =>
        TypedResults.Problem(title: "Not found.", statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult Unauthorized(string detail) =>
        TypedResults.Problem(title: "Unauthorized.", detail: detail, statusCode: StatusCodes.Status401Unauthorized);

    public static ProblemHttpResult UnsupportedMediaType(string detail) =>
        TypedResults.Problem(title: "Unsupported media type.", detail: detail, statusCode: StatusCodes.Status415UnsupportedMediaType);

    /// <summary>A 413 that names the field whose content is too large (the whole body's limit is the middleware's).</summary>
    public static ProblemHttpResult TooLarge(string field, string detail) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [detail] })
        {
            Title = "The request body is too large.",
            Status = StatusCodes.Status413PayloadTooLarge,
        });

    public static ProblemHttpResult Conflict(string title) =>
        TypedResults.Problem(title: title, statusCode: StatusCodes.Status409Conflict);

    /// <summary>Field errors as a 400 ValidationProblem, typed as a problem so an endpoint has one failure type.</summary>
    public static ProblemHttpResult Invalid(IDictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors) { Title = "One or more fields are invalid.", Status = StatusCodes.Status400BadRequest });

    public static ProblemHttpResult Invalid(ValidationErrors errors) => Invalid(errors.ToDictionary());

    public static int StatusOf(FailureKind kind) => kind switch
    {
        FailureKind.Invalid => StatusCodes.Status400BadRequest,
        FailureKind.NotFound => StatusCodes.Status404NotFound,
        FailureKind.Forbidden => StatusCodes.Status403Forbidden,
        FailureKind.Conflict => StatusCodes.Status409Conflict,
        FailureKind.PaymentDeclined => StatusCodes.Status402PaymentRequired,
        FailureKind.PaymentFailed => StatusCodes.Status502BadGateway,
        FailureKind.IdempotencyMismatch => StatusCodes.Status422UnprocessableEntity,
        FailureKind.TooMany => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static ProblemHttpResult ToProblem(this Failure failure)
    {
        if (failure.Kind == FailureKind.Invalid) return Invalid(failure.FieldErrors());
        // A 404 says nothing more than "not found": the detail could tell a stranger what exists.
        if (failure.Kind == FailureKind.NotFound) return NotFound();
        var problem = new ProblemDetails { Status = StatusOf(failure.Kind), Title = failure.Detail ?? "The request was refused." };
        if (failure.Reason is not null) problem.Extensions["reason"] = failure.Reason;
        if (failure.Field is not null) problem.Extensions["field"] = failure.Field;
        foreach (var (key, value) in failure.Extensions ?? new Dictionary<string, string>()) problem.Extensions[key] = value;
        return TypedResults.Problem(problem);
    }
}
