using HealthActors.Grains.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Dashboard;

namespace HealthActors.Silo;

/// <summary>
/// The silo's side of the Api's telemetry: grain-call and SQL spans continuing the Api's traces, the Orleans,
/// Npgsql and HealthActors meters, the dashboard's collectors (the dashboard UI itself is served by the Api), and
/// a Prometheus listener only when <c>Telemetry:MetricsUrl</c> names one (meant for a loopback address: it has no
/// authentication of its own).
/// </summary>
public static class SiloTelemetry
{
    public static HostApplicationBuilder AddHealthActorsSiloTelemetry(this HostApplicationBuilder builder)
    {
        var config = builder.Configuration;
        // As in the Api (TelemetrySetup.TracingEnabled): spans only when a collector takes them or Telemetry:Tracing=true.
        var tracing = config.GetValue("Telemetry:Tracing", !string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_ENDPOINT"]));
        builder.UseOrleans(silo =>
        {
            if (tracing) silo.AddActivityPropagation();
            if (config.GetValue("Telemetry:Dashboard", true)) silo.AddDashboard();
        });
        builder.Logging.Configure(o => o.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);

        var metricsUrl = config["Telemetry:MetricsUrl"];
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(config["Telemetry:ServiceName"] ?? "healthactors-silo"));
        if (tracing)
            otel.WithTracing(t => t
                .AddNpgsql()
                .AddSource("Microsoft.Orleans.Application", "Microsoft.Orleans.Runtime", AppMetrics.Name));
        otel.WithMetrics(m =>
            {
                m.AddNpgsqlInstrumentation().AddMeter("Microsoft.Orleans", AppMetrics.Name);
                if (!string.IsNullOrWhiteSpace(metricsUrl))
                {
                    var uri = new Uri(metricsUrl, UriKind.Absolute);
                    m.AddPrometheusHttpListener(o =>
                    {
                        o.Host = uri.Host;
                        o.Port = uri.Port;
                        o.ScrapeEndpointPath = "/metrics";
                    });
                }
            });
        if (!string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Logging.AddOpenTelemetry(o => o.IncludeFormattedMessage = true);
            otel.UseOtlpExporter();
        }
        return builder;
    }
}
