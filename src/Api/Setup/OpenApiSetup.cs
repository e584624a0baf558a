using HealthActors.Api.OpenApi;
using Scalar.AspNetCore;

namespace HealthActors.Api.Setup;

public static class OpenApiSetup
{
    /// <summary>
    /// /openapi/v1.json, completed by two transformers so that an endpoint needs only its typed results,
    /// <c>.WithName</c> and <c>.WithSummary</c>: the document-wide facts (info, servers, the Bearer scheme) and the
    /// per-operation facts that follow from an endpoint's metadata (security, 401/403/429, ProblemDetails errors).
    /// </summary>
    public static IServiceCollection AddHealthActorsOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            // The Orleans dashboard maps its own data routes; they are an operators' tool, not part of the Api.
            var include = o.ShouldInclude;
            o.ShouldInclude = d => include(d) && !(d.RelativePath ?? "").StartsWith("ops/", StringComparison.OrdinalIgnoreCase);
            o.AddDocumentTransformer<DocumentFacts>();
            o.AddOperationTransformer<OperationFacts>();
        });

    /// <summary>/openapi/v1.json and the Scalar reference at /docs.</summary>
    public static WebApplication MapHealthActorsOpenApi(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference("/docs");
        return app;
    }
}
