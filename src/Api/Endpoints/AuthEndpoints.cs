using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HealthActors.Api.Endpoints;

public sealed record RegisterRequest(string? Email, string? Password, string? Name);
public sealed record LoginRequest(string? Email, string? Password);
public sealed record RefreshRequest(string? RefreshToken);

public static class AuthEndpoints
{
    public const string RateLimitPolicy = "auth";

    public static void MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Auth").RequireRateLimiting(RateLimitPolicy).AllowAnonymous();
        auth.MapPost("/register", Register).WithName("Register")
            .WithSummary("Create a patient account and sign in.");
        auth.MapPost("/login", Login).WithName("Login")
            .WithSummary("Sign in. 401 on a wrong email or password; 423 Locked (with Retry-After) after repeated failures.");
        auth.MapPost("/refresh", Refresh).WithName("RefreshTokens")
            .WithSummary("Exchange a refresh token for a new pair. Every token is single use; a replayed one revokes its whole family.");
        auth.MapPost("/logout", Logout).WithName("Logout")
            .WithSummary("Revoke the refresh-token family the given token belongs to.");
    }

    private static async Task<Results<Created<TokenPair>, ValidationProblem, ProblemHttpResult>> Register(
        RegisterRequest body, IGrainFactory grains, TokenIssuer tokens)
    {
        var errors = new ValidationErrors();
        CredentialRules.ValidateRegistration(errors, body.Email, body.Password, body.Name);
        if (!errors.IsValid) return TypedResults.ValidationProblem(errors.ToDictionary());

        var result = await grains.GetGrain<IEmailIndexGrain>(EmailKey.For(body.Email!))
            .Register(body.Email!, body.Password!, body.Name!, Roles.Patient);
        if (result.Status == RegistrationStatus.EmailTaken)
            return Problems.Conflict("An account with this email already exists.");

        var pair = await tokens.SignIn(result.User!);
        return TypedResults.Created("/api/me", pair);
    }

    private static async Task<Results<Ok<TokenPair>, ValidationProblem, ProblemHttpResult>> Login(
        LoginRequest body, IGrainFactory grains, TokenIssuer tokens, HttpContext http, TimeProvider time)
    {
        var errors = new ValidationErrors();
        CredentialRules.ValidateEmail(errors, body.Email);
        if (string.IsNullOrEmpty(body.Password)) errors.Add("password", "is required");
        else if (body.Password.Length > CredentialRules.MaxPasswordLength) errors.Add("password", $"must be at most {CredentialRules.MaxPasswordLength} characters");
        if (!errors.IsValid) return TypedResults.ValidationProblem(errors.ToDictionary());

        var outcome = await grains.GetGrain<IEmailIndexGrain>(EmailKey.For(body.Email!)).SignIn(body.Password!);
        switch (outcome.Status)
        {
            case SignInStatus.Success:
                return TypedResults.Ok(await tokens.SignIn(outcome.User!));
            case SignInStatus.LockedOut:
                var seconds = Math.Max(1, (int)Math.Ceiling((outcome.LockedUntil!.Value - time.GetUtcNow()).TotalSeconds));
                http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return TypedResults.Problem(title: "Too many failed sign-ins; try again later.", statusCode: StatusCodes.Status423Locked,
                    extensions: new Dictionary<string, object?> { ["lockedUntil"] = outcome.LockedUntil });
            default:
                return Problems.Unauthorized("Invalid email or password.");
        }
    }

    private static async Task<Results<Ok<TokenPair>, ValidationProblem, ProblemHttpResult>> Refresh(
        RefreshRequest body, IGrainFactory grains, TokenIssuer tokens)
    {
        if (string.IsNullOrEmpty(body.RefreshToken))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["refreshToken"] = ["is required"] });
        if (!RefreshTokenFormat.TryGetFamily(body.RefreshToken, out var familyId))
            return Problems.Unauthorized("The refresh token is not valid.");

        var result = await grains.GetGrain<IRefreshFamilyGrain>(familyId).Rotate(body.RefreshToken);
        if (result.Status != RefreshStatus.Rotated)
            return Problems.Unauthorized(result.Status == RefreshStatus.ReuseDetected
                ? "This refresh token was already used; every session from that sign-in is now revoked. Sign in again."
                : "The refresh token is not valid.");

        // The role is read again so that a role change takes effect at the next refresh.
        var user = await grains.GetGrain<IAccountGrain>(result.UserId).GetSummary();
        if (user is null) return Problems.Unauthorized("The account no longer exists.");
        return TypedResults.Ok(tokens.Pair(user, familyId, result.NewToken!, result.ExpiresAt!.Value));
    }

    private static async Task<Results<NoContent, ValidationProblem>> Logout(RefreshRequest body, IGrainFactory grains)
    {
        if (string.IsNullOrEmpty(body.RefreshToken))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["refreshToken"] = ["is required"] });
        // The answer is the same whether or not the token was known: logout reveals nothing.
        if (RefreshTokenFormat.TryGetFamily(body.RefreshToken, out var familyId))
            await grains.GetGrain<IRefreshFamilyGrain>(familyId).Revoke(body.RefreshToken);
        return TypedResults.NoContent();
    }
}
