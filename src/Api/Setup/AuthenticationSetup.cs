using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Identity;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HealthActors.Api.Setup;

public static class AuthenticationSetup
{
    /// <summary>JWT bearer tokens that are valid only while their session lasts and their role is still the account's.</summary>
    public static IServiceCollection AddHealthActorsAuthentication(this IServiceCollection services, JwtSettings jwt, IConfiguration config)
    {
        // Auth:TokenCache=false checks every token's signature and claims on every request: the bench's "before" path.
        var tokenCache = config.GetValue("Auth:TokenCache", true);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ValidatedTokenCache>();
        services.AddSingleton(jwt);
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<SessionValidity>();
        services.AddHostedService(sp => sp.GetRequiredService<SessionValidity>());
        services
            .AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;

                // WWW-Authenticate says only invalid_token (set in OnChallenge): why a token failed (expired, bad
                // signature, ended session) helps someone probing tokens more than a client, which refreshes either way.
                o.IncludeErrorDetails = false;
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
                o.Events = new JwtBearerEvents
                {
                    // Browsers cannot set headers on WebSockets: SignalR clients send the token in the query string.
                    OnMessageReceived = ctx =>
                    {
                        var token = ctx.Request.Query["access_token"];
                        if (!string.IsNullOrEmpty(token) && ctx.HttpContext.Request.Path.StartsWithSegments("/hubs"))
                            ctx.Token = token;
                        return Task.CompletedTask;
                    },
                    // Without error details the handler would send a bare "Bearer"; a client still needs to know that
                    // the token it sent (not the absence of one) was refused.
                    OnChallenge = ctx =>
                    {
                        if (ctx.AuthenticateFailure is not null) ctx.Error = "invalid_token";
                        return Task.CompletedTask;
                    },
                    // A valid signature is not enough: the session must not have ended (logout, refresh-token reuse)
                    // and the role in the token must still be the account's. Answered by this node's cache, which the
                    // account grain's changes reach before they return (SessionValidity); a miss asks the grain.
                    OnTokenValidated = async ctx =>
                    {
                        if (ctx.Principal!.ToSession() is not { } session)
                        {
                            ctx.Fail("The token carries no session.");
                            return;
                        }
                        var validity = ctx.HttpContext.RequestServices.GetRequiredService<SessionValidity>();
                        if (!await validity.IsValid(session.UserId, session.SessionId, session.Role))
                            ctx.Fail("The session has ended or the role has changed; refresh or sign in again.");
                    },
                };
            });
        if (tokenCache)
            services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<ValidatedTokenCache>((o, cache) =>
            {
                o.TokenHandlers.Clear();
                o.TokenHandlers.Add(cache);
            });
        return services;
    }
}
