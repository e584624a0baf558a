using HealthActors.Api.Errors;
using HealthActors.Api.Setup;

var builder = WebApplication.CreateBuilder(args);
var jwt = builder.AddHealthActorsCore(out var mode);
builder.AddHealthActorsHttpHardening();
builder.AddHealthActorsTelemetry(mode);
builder.Services
    .AddHealthActorsForwardedHeaders(builder.Configuration)
    .AddHealthActorsJson()
    .AddHealthActorsProblemDetails()
    .AddHealthActorsAuthentication(jwt, builder.Configuration)
    .AddHealthActorsAuthorization()
    .AddHealthActorsRateLimits(builder.Configuration)
    .AddHealthActorsHealthChecks()
    .AddHealthActorsOpenApi()
    .AddHealthActorsLive(builder.Configuration);

var app = builder.Build();
app.LogOrleansMode(mode);

app.UseHealthActorsForwardedHeaders(app.Configuration);
app.UseHealthActorsSecurityHeaders();
app.UseHealthActorsWebApp();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseMiddleware<BodySizeLimitMiddleware>();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

app.MapHealthActorsHealth();
app.MapHealthActorsOpenApi();
app.MapHealthActorsEndpoints();
app.MapHealthActorsHubs();
app.MapHealthActorsTelemetry();

app.Run();

public partial class Program;
