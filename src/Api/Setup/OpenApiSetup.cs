using Scalar.AspNetCore;

namespace HealthActors.Api.Setup;

public static class OpenApiSetup
{
    public static IServiceCollection AddHealthActorsOpenApi(this IServiceCollection services) => services.AddOpenApi();

    /// <summary>/openapi/v1.json and the Scalar reference at /docs.</summary>
    public static WebApplication MapHealthActorsOpenApi(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference("/docs");
        return app;
    }
}
