using System.Security.Claims;
using HealthActors.Grains.Abstractions.Identity;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HealthActors.Api.Auth;

public sealed record TokenPair(
    Guid UserId,
    string AccessToken,
    string RefreshToken,
    int ExpiresIn,
    DateTimeOffset RefreshTokenExpiresAt,
    string TokenType = "Bearer");

public sealed class TokenIssuer(JwtSettings jwt, IGrainFactory grains, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new();

    /// <summary>Starts a new refresh-token family (a sign-in) and mints the first pair.</summary>
    public async Task<TokenPair> SignIn(UserSummary user)
    {
        var session = Guid.NewGuid();
        var refresh = await grains.GetGrain<IRefreshFamilyGrain>(session).Start(user.UserId);
        return Pair(user, session, refresh.Token, refresh.ExpiresAt);
    }

    /// <summary>An access token bound to its session (the refresh-token family), so ending the session ends it too.</summary>
    public TokenPair Pair(UserSummary user, Guid session, string refreshToken, DateTimeOffset refreshExpiresAt)
    {
        var now = time.GetUtcNow();
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = jwt.Issuer,
            Audience = jwt.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.AddMinutes(jwt.AccessTokenMinutes).UtcDateTime,
            SigningCredentials = new SigningCredentials(jwt.SigningKey, SecurityAlgorithms.HmacSha256),
            Subject = new ClaimsIdentity(
            [
                new Claim(JwtRegisteredClaimNames.Sub, user.UserId.ToString()),
                new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
                new Claim(JwtRegisteredClaimNames.Sid, session.ToString("N")),
                new Claim(ClaimNames.Role, user.Role),
                new Claim(ClaimNames.Name, user.Name),
            ]),
        };
        return new TokenPair(user.UserId, _handler.CreateToken(descriptor), refreshToken, jwt.AccessTokenMinutes * 60, refreshExpiresAt);
    }
}

public static class ClaimNames
{
    public const string Role = "role";
    public const string Name = "name";
}

public static class CallerExtensions
{
    /// <summary>The authenticated caller as grains see it. Only called behind RequireAuthorization.</summary>
    public static Caller ToCaller(this ClaimsPrincipal user)
    {
        var sub = user.FindFirstValue(JwtRegisteredClaimNames.Sub)
                  ?? throw new InvalidOperationException("ToCaller was used on an endpoint that does not require a signed-in user.");
        var role = user.FindFirstValue(ClaimNames.Role) ?? Roles.Patient;
        return new Caller(Guid.Parse(sub), role);
    }

    /// <summary>The user, session and role a validated token names; null when any of them is missing.</summary>
    public static TokenSession? ToSession(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(JwtRegisteredClaimNames.Sub), out var userId)
        && Guid.TryParse(user.FindFirstValue(JwtRegisteredClaimNames.Sid), out var session)
        && user.FindFirstValue(ClaimNames.Role) is { } role
            ? new TokenSession(userId, session, role)
            : null;
}

public sealed record TokenSession(Guid UserId, Guid SessionId, string Role);
