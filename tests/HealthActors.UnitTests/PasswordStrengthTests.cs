using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;

namespace HealthActors.UnitTests;

public sealed class PasswordStrengthTests
{
    [Theory]
    [InlineData("password12345")]
    [InlineData("qwertyuiop1")]
    [InlineData("Summer2026!")]
    [InlineData("Winter2025!!")]
    [InlineData("September2024")]
    [InlineData("iloveyou2020")]
    [InlineData("zxcvbnmasdf")]
    [InlineData("asdfghjkl;'")]
    [InlineData("Password2026")]
    [InlineData("monkey123456")]
    public void Common_and_guessable_passwords_are_refused_with_advice(string password)
    {
        var e = new ValidationErrors();
        CredentialRules.ValidatePassword(e, password, "someone@example.org");
        var message = Assert.Single(e.ToDictionary()["password"]);
        Assert.True(message.Contains("too easy to guess") || message.Contains("too common"), message);
        if (message.Contains("too easy to guess")) Assert.Contains("passphrase", message);
    }

    [Theory]
    [InlineData("garcia.ana.2026", "ana.garcia@example.org", "Ana García")]
    [InlineData("MariaLopez1990", "m.lopez@example.org", "María Lopez")]
    public void A_password_made_of_the_users_own_email_or_name_is_refused(string password, string email, string name)
    {
        var e = new ValidationErrors();
        CredentialRules.ValidateRegistration(e, email, password, name);
        var message = Assert.Single(e.ToDictionary()["password"]);
        Assert.Contains("your name or email", message);
    }

    [Theory]
    [InlineData("a-long-enough-passphrase")] // the tests' default
    [InlineData("admin-password-for-tests-7Q")] // ApiFactory.AdminPassword
    [InlineData("river-lantern-47-quiet")] // the README's example
    [InlineData("correct horse battery staple")]
    [InlineData("mE7#kq!Lp2xZ")]
    public void Strong_passwords_pass(string password)
    {
        var e = new ValidationErrors();
        CredentialRules.ValidateRegistration(e, "ana.garcia@example.org", password, "Ana García");
        Assert.True(e.IsValid, string.Join("; ", e.ToDictionary().SelectMany(kv => kv.Value)));
    }
}
