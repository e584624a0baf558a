using HealthActors.Api.Auth;
using HealthActors.Api.Endpoints;
using HealthActors.Api.Hosting;
using HealthActors.Grains.Hosting;
using Npgsql;

namespace HealthActors.Api.Setup;

public static class CoreSetup
{
    /// <summary>
    /// Orleans (embedded silo or cluster client), the JWT settings, the PostgreSQL source the readiness check
    /// uses, and the start-up seeding of the admin and the demo catalog. Returns the JWT settings the
    /// authentication setup needs.
    /// </summary>
    public static JwtSettings AddHealthActorsCore(this WebApplicationBuilder builder, out OrleansMode mode)
    {
        var settings = ClusterSettings.From(builder.Configuration);
        mode = builder.AddHealthActorsOrleans();

        using var bootLogFactory = LoggerFactory.Create(l => l.AddConsole());
        var bootLog = bootLogFactory.CreateLogger("HealthActors.Api");
        var dataDirectory = builder.Configuration["Api:DataDirectory"] ?? Path.Combine(Directory.GetCurrentDirectory(), ".data");
        var jwt = JwtSettings.From(builder.Configuration, mode == OrleansMode.Embedded, dataDirectory, bootLog);

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<StartupProgress>();
        builder.Services.AddSingleton<GrainRefs>();
        // Checked here so that a bad cap stops the start instead of failing the first read.
        if (ReadCache.CapacityIn(builder.Configuration) < 1)
            throw new InvalidOperationException("Api:ReadCacheEntries must be at least 1 (Api:ReadCache=false turns the cache off).");
        builder.Services.AddSingleton<ReadCache>();
        builder.Services.AddHostedService<AdminSeeder>();
        builder.Services.AddHostedService<DemoCatalog>();
        if (mode == OrleansMode.Embedded && builder.Configuration["Catalog:SeedDemo"] is null)
            builder.Configuration["Catalog:SeedDemo"] = "true";
        if (settings.UsesPostgres)
            builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(settings.Postgres!));
        return jwt;
    }

    public static void LogOrleansMode(this WebApplication app, OrleansMode mode)
    {
        var settings = app.Services.GetRequiredService<ClusterSettings>();
        if (mode == OrleansMode.Embedded)
            app.Logger.LogInformation("Orleans mode: embedded (one silo in this process; clustering {Clustering}, storage {Storage})",
                settings.UsesRedis ? "Redis" : "localhost", settings.UsesPostgres ? "PostgreSQL" : "in memory: data is lost when this process stops");
        else
            app.Logger.LogInformation("Orleans mode: client of cluster {ClusterId} found through Redis", settings.ClusterId);
    }

    /// <summary>The REST endpoint groups, one per feature.</summary>
    public static WebApplication MapHealthActorsEndpoints(this WebApplication app)
    {
        app.MapAuthEndpoints();
        app.MapAccountEndpoints();
        app.MapPatientEndpoints();
        app.MapChatEndpoints();
        app.MapCatalogEndpoints();
        app.MapBookingEndpoints();
        app.MapNotificationEndpoints();
        app.MapOrientationEndpoints();
        app.MapMarketplaceEndpoints();
        app.MapRecordEndpoints();
        app.MapCredentialEndpoints();
        app.MapInsightsEndpoints();
        app.MapConsentEndpoints();
        app.MapFhirEndpoints();
        app.MapAlarmEndpoints();
        app.MapAttachmentEndpoints();
        app.MapCaseEndpoints();
        app.MapConsultationEndpoints();
        return app;
    }
}
