using HealthActors.Api.Health;
using HealthActors.Api.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace HealthActors.Api.Setup;

public static class HealthSetup
{
    public static IServiceCollection AddHealthActorsHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<PostgresReadiness>("postgres", tags: ["ready"])
            .AddCheck<RedisReadiness>("redis", tags: ["ready"])
            .AddCheck<ClusterReadiness>("cluster", tags: ["ready"])
            .AddCheck<StartupReadiness>("startup", tags: ["ready"]);
        services.AddSingleton<RedisReadiness>();
        return services;
    }

    /// <summary>
    /// /health/live (the process answers) and /health/ready (the node can serve: PostgreSQL and the cluster answer,
    /// the start-up work is done; Redis unreachable only degrades it, see <see cref="RedisReadiness"/>). Both are
    /// anonymous; which dependency failed and why is shown only to admins and local callers (<see cref="HealthResponse"/>).
    /// </summary>
    public static WebApplication MapHealthActorsHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponse.Write });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = HealthResponse.Write });
        return app;
    }
}
