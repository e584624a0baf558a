using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using HealthActors.Api.Auth;
using HealthActors.Api.Endpoints;
using HealthActors.Api.Errors;
using HealthActors.Api.Health;
using HealthActors.Api.Hosting;
using HealthActors.Api.Hubs;
using HealthActors.Api.Limits;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Hosting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);
var settings = ClusterSettings.From(builder.Configuration);
var mode = builder.AddHealthActorsOrleans();

using var bootLogFactory = LoggerFactory.Create(l => l.AddConsole());
var bootLog = bootLogFactory.CreateLogger("HealthActors.Api");
var dataDirectory = builder.Configuration["Api:DataDirectory"] ?? Path.Combine(Directory.GetCurrentDirectory(), ".data");
var jwt = JwtSettings.From(builder.Configuration, mode == OrleansMode.Embedded, dataDirectory, bootLog);

builder.Services.AddSingleton(settings);
builder.Services.AddSingleton(jwt);
builder.Services.AddSingleton<TokenIssuer>();
builder.Services.AddHostedService<AdminSeeder>();
builder.Services.AddHostedService<DemoCatalog>();
builder.Services.AddOptions<LiveOptions>().Bind(builder.Configuration.GetSection(LiveOptions.Section));
builder.Services.AddSingleton<NotificationRelay>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<NotificationRelay>());
builder.Services.AddSingleton<AuctionRelay>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<AuctionRelay>());
builder.Services.AddSingleton<Microsoft.AspNetCore.SignalR.IUserIdProvider, SubjectUserIdProvider>();
if (mode == OrleansMode.Embedded && builder.Configuration["Catalog:SeedDemo"] is null)
    builder.Configuration["Catalog:SeedDemo"] = "true";
if (settings.UsesPostgres)
    builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(settings.Postgres!));

builder.Services.Configure<JsonOptions>(o =>
{
    // "170" is not a number: wrong JSON types are rejected instead of coerced.
    o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
    o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
    o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase, allowIntegerValues: false));
});
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
    ctx.ProblemDetails.Extensions["traceId"] = ctx.HttpContext.TraceIdentifier);
builder.Services.AddExceptionHandler<ApiExceptionHandler>();

builder.Services
    .AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
    .AddJwtBearer(o =>
    {
        o.MapInboundClaims = false;
        o.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = jwt.Issuer,
            ValidAudience = jwt.Audience,
            IssuerSigningKey = jwt.SigningKey,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.FromSeconds(jwt.ClockSkewSeconds),
            NameClaimType = ClaimNames.Name,
            RoleClaimType = ClaimNames.Role,
        };
        // Browsers cannot set headers on WebSockets: SignalR clients send the token in the query string.
        o.Events = new JwtBearerEvents
        {
            OnMessageReceived = ctx =>
            {
                var token = ctx.Request.Query["access_token"];
                if (!string.IsNullOrEmpty(token) && ctx.HttpContext.Request.Path.StartsWithSegments("/hubs"))
                    ctx.Token = token;
                return Task.CompletedTask;
            },
            // A valid signature is not enough: the session must not have ended (logout, refresh-token reuse)
            // and the role in the token must still be the account's. One call to the user's account grain,
            // which is in memory while the user is active.
            OnTokenValidated = async ctx =>
            {
                var principal = ctx.Principal!;
                if (!Guid.TryParse(principal.FindFirst(JwtRegisteredClaimNames.Sub)?.Value, out var userId)
                    || !Guid.TryParse(principal.FindFirst(JwtRegisteredClaimNames.Sid)?.Value, out var session)
                    || principal.FindFirst(ClaimNames.Role)?.Value is not { } role)
                {
                    ctx.Fail("The token carries no session.");
                    return;
                }
                var grains = ctx.HttpContext.RequestServices.GetRequiredService<IGrainFactory>();
                if (!await grains.GetGrain<IAccountGrain>(userId).IsSessionValid(session, role))
                    ctx.Fail("The session has ended or the role has changed; refresh or sign in again.");
            },
        };
    });
builder.Services.AddAuthorizationBuilder()
    .AddPolicy(AccountEndpoints.AdminPolicy, p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin))
    .AddPolicy(BookingEndpoints.PatientPolicy, p => p.RequireAuthenticatedUser().RequireRole(Roles.Patient))
    .AddPolicy(BookingEndpoints.DoctorPolicy, p => p.RequireAuthenticatedUser().RequireRole(Roles.Doctor));

builder.Services.AddSingleton<ModelCallLimiter>();
builder.Services.AddRateLimiter(o =>
{
    var permits = builder.Configuration.GetValue("RateLimiting:AuthPermitsPerWindow", 20);
    var window = TimeSpan.FromSeconds(builder.Configuration.GetValue("RateLimiting:AuthWindowSeconds", 60));
    o.AddPolicy(AuthEndpoints.RateLimitPolicy, http => RateLimitPartition.GetFixedWindowLimiter(
        http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
        _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 }));
    // Every signed-in user's own budget across all endpoints, so one account (or a stolen token) cannot
    // monopolise a node. Anonymous requests are limited where they matter (/api/auth) by address.
    var perUser = builder.Configuration.GetValue("RateLimiting:UserRequestsPerMinute", 600);
    o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
        http.User.FindFirst(JwtRegisteredClaimNames.Sub)?.Value is { } userId
            ? RateLimitPartition.GetFixedWindowLimiter(userId,
                _ => new FixedWindowRateLimiterOptions { PermitLimit = Math.Max(1, perUser), Window = TimeSpan.FromMinutes(1), QueueLimit = 0 })
            : RateLimitPartition.GetNoLimiter("anonymous"));
    o.OnRejected = async (ctx, ct) =>
    {
        var http = ctx.HttpContext;
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        if (ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = 429, Title = "Too many requests; slow down." },
        });
    };
});

builder.Services.AddHealthChecks()
    .AddCheck<PostgresReadiness>("postgres", tags: ["ready"])
    .AddCheck<RedisReadiness>("redis", tags: ["ready"])
    .AddCheck<ClusterReadiness>("cluster", tags: ["ready"]);
builder.Services.AddSingleton<RedisReadiness>();

builder.Services.AddOpenApi();
builder.Services.AddSignalR(o => o.MaximumReceiveMessageSize = 32 * 1024)
    .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase)));

var app = builder.Build();

if (mode == OrleansMode.Embedded)
    app.Logger.LogInformation("Orleans mode: embedded (one silo in this process; clustering {Clustering}, storage {Storage})",
        settings.UsesRedis ? "Redis" : "localhost", settings.UsesPostgres ? "PostgreSQL" : "in memory: data is lost when this process stops");
else
    app.Logger.LogInformation("Orleans mode: client of cluster {ClusterId} found through Redis", settings.ClusterId);

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseMiddleware<BodySizeLimitMiddleware>();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponse.Write });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = HealthResponse.Write });
app.MapOpenApi();
app.MapScalarApiReference("/docs");

app.MapAuthEndpoints();
app.MapAccountEndpoints();
app.MapPatientEndpoints();
app.MapChatEndpoints();
app.MapHub<ChatHub>("/hubs/chat");
app.MapCatalogEndpoints();
app.MapBookingEndpoints();
app.MapNotificationEndpoints();
app.MapOrientationEndpoints();
app.MapMarketplaceEndpoints();
app.MapHub<MarketplaceHub>("/hubs/marketplace");
app.MapHub<NotificationHub>("/hubs/notifications");

app.Run();

public partial class Program;
