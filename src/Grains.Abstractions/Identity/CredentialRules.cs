using System.Collections.Concurrent;
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
        // "ana\u200b@example.org" looks like another person's address; refused, never silently cleaned.
        if (TextNormalization.HasFormatOrControlCharacters(trimmed)) { errors.Add(field, ValidationErrors.InvisibleCharacters); return; }
        if (trimmed.Length > MaxEmailLength) { errors.Add(field, $"must be at most {MaxEmailLength} characters"); return; }
        if (!IsEmail(trimmed)) errors.Add(field, "is not a valid email address");
    }

    public static bool IsEmail(string value)
    {
        if (TextNormalization.HasFormatOrControlCharacters(value) || value.Any(char.IsWhiteSpace)) return false;
        var at = value.LastIndexOf('@');
        if (at <= 0 || at == value.Length - 1) return false;
        var domain = value[(at + 1)..];
        if (!domain.Contains('.') || domain.StartsWith('.') || domain.EndsWith('.') || domain.Contains("..")) return false;
        try { return new MailAddress(value).Address == value; }
        catch (FormatException) { return false; }
    }

    public static void ValidatePassword(ValidationErrors errors, string? password, string? email = null, string field = "password", string? name = null)
    {
        if (string.IsNullOrEmpty(password)) { errors.Add(field, "is required"); return; }
        if (password.Length < MinPasswordLength) errors.Add(field, $"must be at least {MinPasswordLength} characters");
        else if (password.Length > MaxPasswordLength) errors.Add(field, $"must be at most {MaxPasswordLength} characters");
        else if (Common.Contains(password)) errors.Add(field, "is too common; choose another");
        else if (email is not null && string.Equals(password.Trim(), email.Trim(), StringComparison.OrdinalIgnoreCase))
            errors.Add(field, "must not be the email address");
        else if (password.Distinct().Count() < 4) errors.Add(field, "is too repetitive");
        else if (Guessability(password, email, name) is { } why) errors.Add(field, why);
        if (ValidationErrors.HasControlCharacters(password)) errors.Add(field, "must not contain control characters");
    }

    public static void ValidateRegistration(ValidationErrors errors, string? email, string? password, string? name)
    {
        ValidateEmail(errors, email);
        ValidatePassword(errors, password, email, name: name);
        errors.Name("name", name, MaxNameLength);
    }

    /// <summary>
    /// The zxcvbn estimate (dictionaries of leaked passwords, words and names, keyboard patterns, sequences,
    /// dates, and the user's own email and name) must reach <see cref="MinStrengthScore"/>: an attacker who
    /// guesses in that order would need years, not minutes. Null when strong enough; otherwise a message that
    /// says what made it guessable and what to do instead.
    /// </summary>
    public static string? Guessability(string password, string? email = null, string? name = null)
    {
        var estimator = Estimators.TryTake(out var pooled) ? pooled : new Zxcvbn.Zxcvbn();
        Zxcvbn.Result result;
        try
        {
            result = estimator.EvaluatePassword(password, UserWords(email, name));
        }
        finally
        {
            if (Estimators.Count < Environment.ProcessorCount) Estimators.Add(estimator);
        }
        if (result.Score >= MinStrengthScore) return null;
        var reasons = new List<string>();
        foreach (var match in result.MatchSequence)
        {
            var reason = match switch
            {
                Zxcvbn.Matcher.DictionaryMatch { DictionaryName: "user_inputs" } => "your name or email",
                Zxcvbn.Matcher.DictionaryMatch { DictionaryName: "passwords" } => "a commonly used password",
                Zxcvbn.Matcher.DictionaryMatch => "common words or names",
                Zxcvbn.Matcher.SpatialMatch => "keyboard patterns",
                Zxcvbn.Matcher.SequenceMatch or Zxcvbn.Matcher.RepeatMatch => "sequences or repeats",
                Zxcvbn.Matcher.DateMatch => "dates",
                _ => null,
            };
            if (reason is not null && !reasons.Contains(reason)) reasons.Add(reason);
        }
        var because = reasons.Count > 0 ? " (it is built from " + string.Join(", ", reasons) + ")" : "";
        return $"is too easy to guess{because}; use a passphrase of four or more unrelated words of your own (not one printed in an example), and avoid seasons, years, names and keyboard rows";
    }

    // An estimator loads its dictionaries (about 7 MB) once; building one per call costs ~70 ms against ~10 ms
    // for a warm one. Each call takes one for itself, since sharing one across threads is not documented as safe.
    private static readonly ConcurrentBag<Zxcvbn.Zxcvbn> Estimators = [];

    /// <summary>The strength zxcvbn must estimate, on its 0 (trivial) to 4 (very strong) scale.</summary>
    public const int MinStrengthScore = 3;

    private static string[] UserWords(string? email, string? name)
    {
        var words = new List<string>();
        if (!string.IsNullOrWhiteSpace(email))
        {
            var address = email.Trim().ToLowerInvariant();
            words.Add(address);
            words.AddRange(address.Split(['@', '.', '+', '-', '_'], StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length >= 3));
        }
        if (!string.IsNullOrWhiteSpace(name))
            words.AddRange(name.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length >= 3));
        return words.Distinct().ToArray();
    }
}
