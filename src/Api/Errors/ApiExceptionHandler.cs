using System.Text.Json;
using HealthActors.Grains.Abstractions.Common;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace HealthActors.Api.Errors;

/// <summary>
/// Turns every exception that reaches the pipeline into RFC 9457 ProblemDetails. Bad input (unreadable
/// JSON, wrong types, rule violations raised by grains) becomes a 4xx naming the field; an unavailable
/// cluster a 503; anything else a 500 that says nothing about internals.
/// </summary>
public sealed class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var (status, problem) = Map(exception);
        if (status >= 500 && status != StatusCodes.Status503ServiceUnavailable)
            log.LogError(exception, "Unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path);
        else if (status == StatusCodes.Status503ServiceUnavailable)
            log.LogWarning("Cluster unavailable on {Method} {Path}: {Error}", http.Request.Method, http.Request.Path, exception.GetType().Name);
        if (status == StatusCodes.Status503ServiceUnavailable) http.Response.Headers.RetryAfter = "2";

        http.Response.StatusCode = status;
        problem.Status = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    internal static (int Status, ProblemDetails Problem) Map(Exception exception)
    {
        switch (exception)
        {
            case BadHttpRequestException bad when FindJsonException(bad) is { } json:
                return (StatusCodes.Status400BadRequest, new HttpValidationProblemDetails(new Dictionary<string, string[]>
                {
                    [FieldFromJsonPath(json.Path)] = [json.Path is null or "$" ? "is not valid JSON" : "has the wrong type or is not valid JSON"],
                })
                { Title = "The request body could not be read." });
            case BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge:
                return (bad.StatusCode, new ProblemDetails { Title = "The request body is too large." });
            case BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status415UnsupportedMediaType:
                return (bad.StatusCode, new ProblemDetails { Title = "Send the body as application/json." });
            case BadHttpRequestException bad:
                return (bad.StatusCode, new HttpValidationProblemDetails(new Dictionary<string, string[]>
                {
                    ["body"] = ["is missing or could not be read"],
                })
                { Title = "The request could not be read." });
            case DomainValidationException v:
                return (StatusCodes.Status400BadRequest, new HttpValidationProblemDetails(v.Errors) { Title = "One or more fields are invalid." });
            case AccessDeniedException:
                return (StatusCodes.Status404NotFound, new ProblemDetails { Title = "Not found." });
            // Raised by the silo for a database that is restarting or unreachable; the write was not acknowledged.
            // Orleans may hand it over wrapped (a failed activation), hence the search through inner exceptions.
            case var e when Find<StorageUnavailableException>(e) is not null:
                return (StatusCodes.Status503ServiceUnavailable, new ProblemDetails { Title = "The database is briefly unavailable; retry shortly." });
            case Orleans.Storage.InconsistentStateException:
                return (StatusCodes.Status409Conflict, new ProblemDetails { Title = "Another change to the same record won; retry." });
            // ConnectionFailedException: the client picked a gateway that has just died and not yet been
            // dropped from its list; the next attempt goes to another one. These also arrive wrapped: a grain whose
            // reminder registration timed out (the reminder table in Redis, or the silo owning that reminder range,
            // too slow under load) fails its call with the timeout as the inner exception.
            case var e when FindClusterUnavailable(e) is not null:
                return (StatusCodes.Status503ServiceUnavailable, new ProblemDetails { Title = "The service is briefly unavailable; retry shortly." });
            default:
                return (StatusCodes.Status500InternalServerError, new ProblemDetails { Title = "An unexpected error occurred." });
        }
    }

    private static T? Find<T>(Exception e) where T : Exception
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
            if (inner is T found) return found;
        return null;
    }

    /// <summary>The first exception in the chain that means "the cluster or its reminder store did not answer in time".</summary>
    internal static Exception? FindClusterUnavailable(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is AggregateException { InnerExceptions.Count: > 1 } many)
                return many.InnerExceptions.Select(FindClusterUnavailable).FirstOrDefault(found => found is not null);
            // RedisTimeoutException is a TimeoutException; a lost connection to the reminder table is not.
            if (inner is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException
                or Orleans.Runtime.Messaging.ConnectionFailedException or GatewayTooBusyException
                or StackExchange.Redis.RedisConnectionException)
                return inner;
        }
        return null;
    }

    private static JsonException? FindJsonException(Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
            if (inner is JsonException json) return json;
        return null;
    }

    /// <summary>"$.medications[0].dose" -> "medications[0].dose"; the root or no path -> "body".</summary>
    internal static string FieldFromJsonPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return "body";
        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        if (field.Length == 0) return "body";
        return char.ToLowerInvariant(field[0]) + field[1..];
    }
}

/// <summary>
/// Refuses declared bodies over the limit before they are read (Kestrel also caps chunked ones). An endpoint that
/// takes larger documents (a FHIR Bundle) says so with a request-size-limit on its metadata; every other keeps the default.
/// </summary>
public sealed class BodySizeLimitMiddleware(RequestDelegate next, IConfiguration config)
{
    private readonly long _default = config.GetValue("Api:MaxRequestBodyBytes", 64 * 1024L);

    public async Task InvokeAsync(HttpContext http, IProblemDetailsService problems)
    {
        var limit = http.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? _default;
        if (http.Request.ContentLength > limit)
        {
            http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status413PayloadTooLarge,
                    Title = "The request body is too large.",
                    Detail = $"The limit is {limit} bytes.",
                },
            });
            return;
        }
        if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } f)
            f.MaxRequestBodySize = limit;
        await next(http);
    }
}
