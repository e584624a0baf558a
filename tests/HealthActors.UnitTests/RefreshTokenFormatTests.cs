using HealthActors.Grains.Abstractions.Identity;

namespace HealthActors.UnitTests;

public sealed class RefreshTokenFormatTests
{
    [Fact]
    public void A_token_carries_its_family_and_is_never_the_same_twice()
    {
        var family = Guid.NewGuid();
        var a = RefreshTokenFormat.Create(family);
        var b = RefreshTokenFormat.Create(family);
        Assert.NotEqual(a, b);
        Assert.True(RefreshTokenFormat.TryGetFamily(a, out var parsed));
        Assert.Equal(family, parsed);
        Assert.Equal(64, a.Length);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Malformed_tokens_are_not_parsed(string? token) => Assert.False(RefreshTokenFormat.TryGetFamily(token, out _));

    [Fact]
    public void Only_a_hash_is_kept_and_it_is_deterministic()
    {
        var token = RefreshTokenFormat.Create(Guid.NewGuid());
        Assert.Equal(RefreshTokenFormat.Hash(token), RefreshTokenFormat.Hash(token));
        Assert.DoesNotContain(token, RefreshTokenFormat.Hash(token));
    }
}
