using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;

namespace HealthActors.UnitTests;

public sealed class CredentialRulesTests
{
    [Theory]
    [InlineData("ana@example.org", true)]
    [InlineData("ana+clinic@example.org", true)]
    [InlineData("ANA@EXAMPLE.ORG", true)]
    [InlineData("ana", false)]
    [InlineData("ana@", false)]
    [InlineData("@example.org", false)]
    [InlineData("ana@example", false)]
    [InlineData("ana @example.org", false)]
    [InlineData("ana@example..org", false)]
    [InlineData("ana@.example.org", false)]
    [InlineData("Ana <ana@example.org>", false)]
    [InlineData("ana@exa\u0000mple.org", false)]
    public void Email_format(string email, bool valid) => Assert.Equal(valid, CredentialRules.IsEmail(email));

    [Theory]
    [InlineData("short", "at least 10")]
    [InlineData("1234567890", "too common")]
    [InlineData("Password123", "too common")]
    [InlineData("aaaaaaaaaaaa", "too repetitive")]
    [InlineData("ana@example.org", "must not be the email")]
    [InlineData("with\u0007bell-character", "control characters")]
    public void Weak_passwords_are_refused_with_a_reason(string password, string reason)
    {
        var e = new ValidationErrors();
        CredentialRules.ValidatePassword(e, password, "ana@example.org");
        Assert.Contains(e.ToDictionary()["password"], m => m.Contains(reason));
    }

    [Fact]
    public void Overlong_password_is_refused()
    {
        var e = new ValidationErrors();
        CredentialRules.ValidatePassword(e, new string('x', 60) + new string('y', 69), null);
        Assert.Contains(e.ToDictionary()["password"], m => m.Contains("at most 128"));
    }

    [Fact]
    public void A_good_passphrase_passes()
    {
        var e = new ValidationErrors();
        CredentialRules.ValidateRegistration(e, "ana@example.org", "correct horse battery staple", "Ana García");
        Assert.True(e.IsValid);
    }

    [Fact]
    public void Registration_names_every_missing_field()
    {
        var e = new ValidationErrors();
        CredentialRules.ValidateRegistration(e, null, null, "   ");
        Assert.Equal(["email", "name", "password"], e.ToDictionary().Keys.Order());
    }

    [Fact]
    public void Email_keys_ignore_case_and_surrounding_space_and_survive_plus_signs()
    {
        Assert.Equal(EmailKey.For("Ana+x@Example.org"), EmailKey.For("  ana+x@example.ORG "));
        Assert.NotEqual(EmailKey.For("ana+x@example.org"), EmailKey.For("ana@example.org"));
    }
}
