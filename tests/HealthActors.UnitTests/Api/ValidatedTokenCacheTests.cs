using System.Text;
using HealthActors.Api.Auth;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HealthActors.UnitTests.Api;

public sealed class ValidatedTokenCacheTests
{
    private static readonly SymmetricSecurityKey Key = new(Encoding.UTF8.GetBytes("unit-test-signing-key-of-sufficient-length-0123"));

    private static TokenValidationParameters Parameters() => new()
    {
        ValidIssuer = "healthactors",
        ValidAudience = "healthactors-api",
        IssuerSigningKey = Key,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = TimeSpan.FromSeconds(30),
    };

    private static string Mint(DateTime expiresUtc, SecurityKey? key = null) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "healthactors",
        Audience = "healthactors-api",
        IssuedAt = expiresUtc.AddMinutes(-15),
        NotBefore = expiresUtc.AddMinutes(-15),
        Expires = expiresUtc,
        Claims = new Dictionary<string, object> { ["sub"] = Guid.NewGuid().ToString(), ["role"] = "patient" },
        SigningCredentials = new SigningCredentials(key ?? Key, SecurityAlgorithms.HmacSha256),
    });

    [Fact]
    public async Task A_second_check_of_a_valid_token_is_answered_from_memory_with_its_own_copy_of_the_claims()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var cache = new ValidatedTokenCache(time);
        var token = Mint(time.GetUtcNow().UtcDateTime.AddMinutes(10));

        var first = await cache.ValidateTokenAsync(token, Parameters());
        Assert.True(first.IsValid);
        Assert.Equal(0, cache.Hits);
        var second = await cache.ValidateTokenAsync(token, Parameters());
        Assert.True(second.IsValid);
        Assert.Equal(1, cache.Hits);
        Assert.Equal(first.ClaimsIdentity.FindFirst("sub")!.Value, second.ClaimsIdentity.FindFirst("sub")!.Value);
        // A request that changes its identity must not change the next request's.
        Assert.NotSame(first.ClaimsIdentity, second.ClaimsIdentity);
        second.ClaimsIdentity.AddClaim(new System.Security.Claims.Claim("role", "admin"));
        var third = await cache.ValidateTokenAsync(token, Parameters());
        Assert.Single(third.ClaimsIdentity.FindAll("role"));
    }

    [Fact]
    public async Task An_entry_ends_at_the_tokens_expiry()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var cache = new ValidatedTokenCache(time);
        var token = Mint(time.GetUtcNow().UtcDateTime.AddMinutes(10));
        Assert.True((await cache.ValidateTokenAsync(token, Parameters())).IsValid);

        time.Advance(TimeSpan.FromMinutes(10));
        // The library checks the lifetime on the real clock, where the token is still valid: what matters is that the
        // answer was not taken from memory once the token's exp had passed on the cache's clock.
        await cache.ValidateTokenAsync(token, Parameters());
        Assert.Equal(0, cache.Hits);
    }

    [Fact]
    public async Task Refused_tokens_are_not_remembered_and_a_changed_signature_is_checked_again()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var cache = new ValidatedTokenCache(time);
        var good = Mint(time.GetUtcNow().UtcDateTime.AddMinutes(10));
        var foreign = Mint(time.GetUtcNow().UtcDateTime.AddMinutes(10), new SymmetricSecurityKey(Encoding.UTF8.GetBytes("another-key-of-sufficient-length-0123456789")));
        var expired = Mint(DateTime.UtcNow.AddMinutes(-5));
        Assert.True((await cache.ValidateTokenAsync(good, Parameters())).IsValid);
        var parts = good.Split('.');
        var resigned = $"{parts[0]}.{parts[1]}.{foreign.Split('.')[2]}";

        foreach (var bad in new[] { foreign, expired, resigned })
        {
            Assert.False((await cache.ValidateTokenAsync(bad, Parameters())).IsValid);
            Assert.False((await cache.ValidateTokenAsync(bad, Parameters())).IsValid);
            Assert.False(cache.Holds(bad));
        }
        Assert.Equal(0, cache.Hits);
        Assert.True(cache.Holds(good));
    }
}
