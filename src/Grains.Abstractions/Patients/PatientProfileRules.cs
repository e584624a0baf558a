using System.Text.RegularExpressions;
using HealthActors.Grains.Abstractions.Common;

namespace HealthActors.Grains.Abstractions.Patients;

public static partial class PatientProfileRules
{
    public const int MaxListItems = 50;
    public const int MaxListItemLength = 200;
    public static readonly IReadOnlyList<string> Sexes = ["female", "male", "intersex", "unknown"];
    public static readonly IReadOnlyList<string> BloodTypes = ["A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"];

    // \z, not $: $ also matches before a final "\n", which would let "+5491155550123\n" through and be stored.
    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}\z")]
    private static partial Regex E164();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9.\-]{2,31}\z")]
    private static partial Regex NationalIdPattern();

    [GeneratedRegex(@"^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}\z")]
    private static partial Regex LanguageTag();

    public static ValidationErrors Validate(PatientProfile? p, DateOnly today)
    {
        var e = new ValidationErrors();
        if (p is null) { e.Add("body", "is required"); return e; }

        e.Name("firstName", p.FirstName, 100);
        e.Name("lastName", p.LastName, 100);

        if (p.BirthDate is { } bd)
        {
            if (bd > today) e.Add("birthDate", "must not be in the future");
            else if (bd < today.AddYears(-130)) e.Add("birthDate", "must be within the last 130 years");
        }
        if (p.Sex is not null && !Sexes.Contains(p.Sex)) e.Add("sex", "must be one of: " + string.Join(", ", Sexes));
        if (p.Phone is not null && !E164().IsMatch(p.Phone)) e.Add("phone", "must be in E.164 format, e.g. +5491155550123");
        if (p.NationalId is not null && !NationalIdPattern().IsMatch(p.NationalId))
            e.Add("nationalId", "must be 3 to 32 letters, digits, dots or dashes");
        if (p.HeightCm is { } h && (h < 30 || h > 272)) e.Add("heightCm", "must be between 30 and 272");
        if (p.WeightKg is { } w && (w < 0.5m || w > 500)) e.Add("weightKg", "must be between 0.5 and 500");
        if (p.BloodType is not null && !BloodTypes.Contains(p.BloodType)) e.Add("bloodType", "must be one of: " + string.Join(", ", BloodTypes));

        TextList(e, "allergies", p.Allergies);
        TextList(e, "conditions", p.Conditions);
        TextList(e, "dietaryPreferences", p.DietaryPreferences);

        if (p.Medications is { } meds)
        {
            if (meds.Length > MaxListItems) e.Add("medications", $"must have at most {MaxListItems} items");
            for (var i = 0; i < Math.Min(meds.Length, MaxListItems); i++)
            {
                var m = meds[i];
                if (m is null) { e.Add($"medications[{i}]", "must not be null"); continue; }
                e.Text($"medications[{i}].name", m.Name, 200, required: true);
                e.Text($"medications[{i}].dose", m.Dose, 100);
                e.Text($"medications[{i}].frequency", m.Frequency, 100);
            }
        }

        if (p.EmergencyContact is { } ec)
        {
            e.Name("emergencyContact.name", ec.Name, 100);
            if (ec.Phone is null) e.Add("emergencyContact.phone", "is required");
            else if (!E164().IsMatch(ec.Phone)) e.Add("emergencyContact.phone", "must be in E.164 format, e.g. +5491155550123");
            e.Text("emergencyContact.relationship", ec.Relationship, 50);
        }

        if (p.PreferredLanguage is not null && !LanguageTag().IsMatch(p.PreferredLanguage))
            e.Add("preferredLanguage", "must be a BCP 47 language tag such as 'es' or 'en-US'");
        if (p.TimeZone is not null && !IsIanaZone(p.TimeZone))
            e.Add("timeZone", "must be an IANA time zone such as 'America/Argentina/Buenos_Aires'");
        if (p.Country is not null && !Chat.CountryCodes.IsValid(p.Country))
            e.Add("country", "must be an ISO 3166-1 alpha-2 country code such as 'ES' or 'US'");
        return e;
    }

    /// <summary>Normalizes and trims text and drops empty optional strings so that what is stored is canonical.</summary>
    public static PatientProfile Normalize(PatientProfile p) => p with
    {
        FirstName = Clean(p.FirstName),
        LastName = Clean(p.LastName),
        NationalId = p.NationalId?.Trim(),
        Country = p.Country?.ToUpperInvariant(),
        Allergies = p.Allergies?.Select(a => Clean(a)!).ToArray(),
        Conditions = p.Conditions?.Select(a => Clean(a)!).ToArray(),
        DietaryPreferences = p.DietaryPreferences?.Select(a => Clean(a)!).ToArray(),
        Medications = p.Medications?.Select(m => m with
        {
            Name = Clean(m.Name),
            Dose = NullIfBlank(m.Dose),
            Frequency = NullIfBlank(m.Frequency),
        }).ToArray(),
        EmergencyContact = p.EmergencyContact is { } ec
            ? ec with { Name = Clean(ec.Name), Relationship = NullIfBlank(ec.Relationship) }
            : null,
    };

    private static string? Clean(string? s) => TextNormalization.Normalize(s)?.Trim();

    private static string? NullIfBlank(string? s) => Clean(s) is { Length: > 0 } clean ? clean : null;

    private static void TextList(ValidationErrors e, string field, string[]? items)
    {
        if (items is null) return;
        if (items.Length > MaxListItems) { e.Add(field, $"must have at most {MaxListItems} items"); return; }
        for (var i = 0; i < items.Length; i++)
            e.Text($"{field}[{i}]", items[i], MaxListItemLength, required: true);
    }

    public static bool IsIanaZone(string id)
    {
        if (id.Length is 0 or > 64 || !id.Contains('/') && id != "UTC") return false;
        try
        {
            var tz = TimeZoneInfo.FindSystemTimeZoneById(id);
            return tz.HasIanaId;
        }
        catch (TimeZoneNotFoundException) { return false; }
        catch (InvalidTimeZoneException) { return false; }
        // A tz directory such as "America/Argentina" is found but cannot be read as a zone file.
        catch (System.Security.SecurityException) { return false; }
    }
}
