using System.Net.Mail;
using HealthActors.Grains.Abstractions.Common;

namespace HealthActors.Grains.Abstractions.Identity;

public static class CredentialRules
{
    public const int MinPasswordLength = 10;
    public const int MaxPasswordLength = 128;
    public const int MaxEmailLength = 254;
    public const int MaxNameLength = 100;

    // The most common leaked passwords that are at least 10 characters long; anything shorter fails the length rule anyway.
    private static readonly HashSet<string> Common = new(StringComparer.OrdinalIgnoreCase)
    {
        "1234567890", "12345678910", "0123456789", "0987654321", "1111111111", "0000000000", "1234512345",
        "123456789a", "a123456789", "1q2w3e4r5t", "1q2w3e4r5t6y", "qwertyuiop", "qwerty1234", "qwerty12345",
        "asdfghjkl1", "zxcvbnm123", "password12", "password123", "password1234", "passw0rd123", "Password1!",
        "Password123", "Password123!", "iloveyou12", "iloveyou123", "letmein123", "welcome123", "welcome1234",
        "admin12345", "administrator", "abc1234567", "abcdefghij", "football123", "baseball123", "superman123",
        "princess123", "sunshine123", "monkey12345", "dragon12345", "trustno1234", "changeme123", "qazwsxedc123",
        "contraseña", "contraseña123", "contrasena", "contrasena123", "123456789012", "987654321098",
        "1234567890a", "holamundo123", "teamo12345", "healthactors", "healthactors1",
    };

    public static void ValidateEmail(ValidationErrors errors, string? email, string field = "email")
    {
        if (string.IsNullOrWhiteSpace(email)) { errors.Add(field, "is required"); return; }
        var trimmed = email.Trim();
        if (trimmed.Length > MaxEmailLength) { errors.Add(field, $"must be at most {MaxEmailLength} characters"); return; }
        if (!IsEmail(trimmed)) errors.Add(field, "is not a valid email address");
    }

    public static bool IsEmail(string value)
    {
        if (ValidationErrors.HasControlCharacters(value) || value.Contains(' ')) return false;
        var at = value.LastIndexOf('@');
        if (at <= 0 || at == value.Length - 1) return false;
        var domain = value[(at + 1)..];
        if (!domain.Contains('.') || domain.StartsWith('.') || domain.EndsWith('.') || domain.Contains("..")) return false;
        try { return new MailAddress(value).Address == value; }
        catch (FormatException) { return false; }
    }

    public static void ValidatePassword(ValidationErrors errors, string? password, string? email = null, string field = "password")
    {
        if (string.IsNullOrEmpty(password)) { errors.Add(field, "is required"); return; }
        if (password.Length < MinPasswordLength) errors.Add(field, $"must be at least {MinPasswordLength} characters");
        else if (password.Length > MaxPasswordLength) errors.Add(field, $"must be at most {MaxPasswordLength} characters");
        else if (Common.Contains(password)) errors.Add(field, "is too common; choose another");
        else if (email is not null && string.Equals(password.Trim(), email.Trim(), StringComparison.OrdinalIgnoreCase))
            errors.Add(field, "must not be the email address");
        else if (password.Distinct().Count() < 4) errors.Add(field, "is too repetitive");
        if (ValidationErrors.HasControlCharacters(password)) errors.Add(field, "must not contain control characters");
    }

    public static void ValidateRegistration(ValidationErrors errors, string? email, string? password, string? name)
    {
        ValidateEmail(errors, email);
        ValidatePassword(errors, password, email);
        errors.Text("name", name, MaxNameLength, required: true);
    }
}
