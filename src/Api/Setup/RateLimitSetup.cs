using System.Threading.RateLimiting;
using HealthActors.Api.Endpoints;
using HealthActors.Api.Limits;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.IdentityModel.JsonWebTokens;

namespace HealthActors.Api.Setup;

public static class RateLimitSetup
{
    /// <summary>
    /// Sign-in attempts per address, every signed-in user's request budget, and the model-call budget that
    /// chat and orientation share. A rejection is a 429 ProblemDetails with Retry-After.
    /// </summary>
    public static IServiceCollection AddHealthActorsRateLimits(this IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton<ModelCallLimiter>();
        services.AddRateLimiter(o =>
        {
            var permits = config.GetValue("RateLimiting:AuthPermitsPerWindow", 20);
            var window = TimeSpan.FromSeconds(config.GetValue("RateLimiting:AuthWindowSeconds", 60));
            o.AddPolicy(AuthEndpoints.RateLimitPolicy, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 }));
            // Every signed-in user's own budget across all endpoints, so one account (or a stolen token) cannot
            // monopolise a node. Anonymous requests are limited where they matter (/api/auth) by address.
            var perUser = config.GetValue("RateLimiting:UserRequestsPerMinute", 600);
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
        return services;
    }
}
