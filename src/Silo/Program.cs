using Microsoft.Extensions.DependencyInjection;
using HealthActors.Grains.Hosting;
using HealthActors.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// A silo process. Configuration comes from appsettings.json, environment variables
// (ConnectionStrings__Postgres, Orleans__SiloPort, ...) and the command line (--Orleans:SiloPort=11112).
var builder = Host.CreateApplicationBuilder(args);
builder.UseOrleans(silo => silo.ConfigureHealthActors(builder.Configuration));
builder.AddHealthActorsSiloTelemetry();

var settings = ClusterSettings.From(builder.Configuration);
using var host = builder.Build();
var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("HealthActors.Silo");
log.LogInformation(
    "Silo starting: cluster {ClusterId}, silo port {SiloPort}, gateway port {GatewayPort}, clustering {Clustering}, storage {Storage}",
    settings.ClusterId, settings.SiloPort, settings.GatewayPort,
    settings.UsesRedis ? "Redis" : "localhost", settings.UsesPostgres ? "PostgreSQL" : "memory");
await host.RunAsync();

// Internal on purpose: the dashboard package brings ASP.NET Core, whose generator would make Program public and
// clash with the Api's Program in the tests that reference both.
internal partial class Program;
