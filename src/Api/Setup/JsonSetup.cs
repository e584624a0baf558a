using System.Text.Json.Serialization;
using HealthActors.Api.Errors;
using Microsoft.AspNetCore.Http.Json;

namespace HealthActors.Api.Setup;

public static class JsonSetup
{
    /// <summary>Strict JSON in, camelCase enums both ways; a malformed body is a 400, not a 500.</summary>
    public static IServiceCollection AddHealthActorsJson(this IServiceCollection services)
    {
        services.Configure<JsonOptions>(o =>
        {
            // "170" is not a number: wrong JSON types are rejected instead of coerced.
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        });
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    /// <summary>Every error leaves as ProblemDetails carrying the trace id; exceptions are mapped in one handler.</summary>
    public static IServiceCollection AddHealthActorsProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
            ctx.ProblemDetails.Extensions["traceId"] = ctx.HttpContext.TraceIdentifier);
        services.AddExceptionHandler<ApiExceptionHandler>();
        return services;
    }
}
