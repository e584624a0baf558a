using HealthActors.Api.Hosting;
using HealthActors.Grains.Telemetry;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Dashboard;

namespace HealthActors.Api.Setup;

/// <summary>
/// OpenTelemetry traces, metrics and logs of the Api (and of its co-hosted silo in the embedded mode), the
/// Prometheus scrape endpoint and the Orleans dashboard. Both operator views answer only to admins or to a request
/// that arrived on the management listener (<c>Telemetry:ManagementUrl</c>, meant for loopback): a Prometheus
/// scraper or a browser cannot easily carry a bearer token, and the public port must not expose them.
/// </summary>
public static class TelemetrySetup
{
    public const string OperatorsPolicy = "operators";
    public const string MetricsPath = "/metrics";
    public const string DashboardPath = "/ops/dashboard";

    /// <summary>The ActivitySource names Orleans 10 uses for grain calls (application) and its own work (runtime).</summary>
    public static readonly string[] OrleansSources = ["Microsoft.Orleans.Application", "Microsoft.Orleans.Runtime"];

    /// <summary>The meters beyond ASP.NET Core's own: Orleans, Npgsql, SignalR connections, ours.</summary>
    public static readonly string[] Meters = ["Microsoft.Orleans", "Microsoft.AspNetCore.Http.Connections", "Microsoft.AspNetCore.SignalR", AppMetrics.Name];

    public static WebApplicationBuilder AddHealthActorsTelemetry(this WebApplicationBuilder builder, OrleansMode mode)
    {
        var config = builder.Configuration;
        // Spans cost on every request and grain call (an activity, its tags, the propagation filter: about a fifth of a
        // signed-in hot read's pipeline in a profile) and go nowhere without a collector, so tracing is on when OTLP is
        // configured or Telemetry:Tracing=true says so (the tests' in-memory exporter does).
        var tracing = TracingEnabled(config);
        // Orleans creates grain-call spans (and carries the trace context to the silo) only with propagation on.
        var dashboard = config.GetValue("Telemetry:Dashboard", true);
        if (mode == OrleansMode.Embedded)
            builder.UseOrleans(silo =>
            {
                if (tracing) silo.AddActivityPropagation();
                if (dashboard) silo.AddDashboard();
            });
        else
            builder.UseOrleansClient(client =>
            {
                if (tracing) client.AddActivityPropagation();
                if (dashboard) client.AddDashboard();
            });

        // Every log line written inside a request or a grain call carries its trace and span ids.
        builder.Logging.Configure(o => o.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(config["Telemetry:ServiceName"] ?? "healthactors-api"));
        if (tracing)
            otel.WithTracing(t => t
                .AddAspNetCoreInstrumentation(o =>
                {
                    // Scrapes and probes every few seconds would drown the traces people look at.
                    o.Filter = ctx => !ctx.Request.Path.StartsWithSegments(MetricsPath) && !ctx.Request.Path.StartsWithSegments("/health");
                    // The query string may hold a SignalR access token.
                    o.EnrichWithHttpRequest = (activity, request) => activity.SetTag("url.query", null);
                })
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddSource(OrleansSources)
                .AddSource(AppMetrics.Name));
        otel.WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddMeter(Meters)
                .AddPrometheusExporter());

        // Logs leave the process through OpenTelemetry only when there is a collector to take them.
        if (OtlpConfigured(config))
        {
            builder.Logging.AddOpenTelemetry(o => o.IncludeFormattedMessage = true);
            otel.UseOtlpExporter();
        }

        if (config["Telemetry:ManagementUrl"] is { Length: > 0 } managementUrl)
        {
            // Added beside the public URLs rather than replacing them, so Urls / --urls keep working.
            var urls = config["urls"] ?? "http://localhost:5000";
            builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, urls + ";" + managementUrl);
        }
        var managementPort = config["Telemetry:ManagementUrl"] is { Length: > 0 } u && Uri.TryCreate(u, UriKind.Absolute, out var uri) ? uri.Port : (int?)null;
        builder.Services.AddAuthorizationBuilder().AddPolicy(OperatorsPolicy, p => p.RequireAssertion(ctx => IsOperator(ctx, managementPort)));
        return builder;
    }

    /// <summary>Spans are made when a collector takes them, or when Telemetry:Tracing=true asks for them anyway.</summary>
    public static bool TracingEnabled(IConfiguration config) => config.GetValue("Telemetry:Tracing", OtlpConfigured(config));

    /// <summary>OTLP export is on when the standard variable (or its configuration key) names a collector.</summary>
    public static bool OtlpConfigured(IConfiguration config) => !string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    /// <summary>An admin from anywhere, or anyone on the management listener (which is bound to loopback).</summary>
    public static bool IsOperator(AuthorizationHandlerContext ctx, int? managementPort)
    {
        if (ctx.User.IsInRole(Grains.Abstractions.Identity.Roles.Admin)) return true;
        return managementPort is { } port && ctx.Resource is HttpContext http && http.Connection.LocalPort == port;
    }

    public static WebApplication MapHealthActorsTelemetry(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(OperatorsPolicy);
        if (app.Configuration.GetValue("Telemetry:Dashboard", true))
            app.MapOrleansDashboard(DashboardPath).RequireAuthorization(OperatorsPolicy);
        return app;
    }
}
