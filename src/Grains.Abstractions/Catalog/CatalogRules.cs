using System.Text.RegularExpressions;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;

namespace HealthActors.Grains.Abstractions.Catalog;

/// <summary>What an admin sends to create a doctor account and its catalog entry.</summary>
public sealed record NewDoctor
{
    public string? Email { get; init; }
    public string? Password { get; init; }
    public string? Name { get; init; }
    public Guid? SpecialtyId { get; init; }
    public string? LicenseNumber { get; init; }
    public int? YearsOfExperience { get; init; }
    public Money? Price { get; init; }
    public string[]? Languages { get; init; }
    public string? Bio { get; init; }
    public string? PhotoUrl { get; init; }
    public WeeklyAvailability? Availability { get; init; }
}

public static partial class CatalogRules
{
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9./\-]{2,31}$")]
    private static partial Regex License();

    [GeneratedRegex(@"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
    private static partial Regex Language();

    public static ValidationErrors ValidateSpecialty(string? name, string? description)
    {
        var e = new ValidationErrors();
        e.Text("name", name, 100, required: true);
        e.Text("description", description, 1000, multiline: true);
        return e;
    }

    public static ValidationErrors ValidateDoctor(NewDoctor? d)
    {
        var e = new ValidationErrors();
        if (d is null) { e.Add("body", "is required"); return e; }
        CredentialRules.ValidateRegistration(e, d.Email, d.Password, d.Name);
        if (d.SpecialtyId is null || d.SpecialtyId == Guid.Empty) e.Add("specialtyId", "is required");
        if (d.LicenseNumber is null) e.Add("licenseNumber", "is required");
        else if (!License().IsMatch(d.LicenseNumber)) e.Add("licenseNumber", "must be 3 to 32 letters, digits, dots, slashes or dashes");
        if (d.YearsOfExperience is null) e.Add("yearsOfExperience", "is required");
        else if (d.YearsOfExperience is < 0 or > 70) e.Add("yearsOfExperience", "must be between 0 and 70");
        ValidatePrice(e, d.Price);
        if (d.Languages is null || d.Languages.Length == 0) e.Add("languages", "must name at least one language");
        else if (d.Languages.Length > 10) e.Add("languages", "must have at most 10 items");
        else for (var i = 0; i < d.Languages.Length; i++)
            if (d.Languages[i] is null || !Language().IsMatch(d.Languages[i])) e.Add($"languages[{i}]", "must be a language code such as 'es' or 'en'");
        e.Text("bio", d.Bio, 2000, multiline: true);
        if (d.PhotoUrl is not null && (d.PhotoUrl.Length > 500 || !Uri.TryCreate(d.PhotoUrl, UriKind.Absolute, out var u) || u.Scheme != Uri.UriSchemeHttps))
            e.Add("photoUrl", "must be an absolute https URL of at most 500 characters");
        SlotCalendar.Validate(e, d.Availability);
        return e;
    }

    public static void ValidatePrice(ValidationErrors e, Money? price, string field = "price")
    {
        if (price is null) { e.Add(field, "is required"); return; }
        if (price.Amount <= 0 || price.Amount > 100_000) e.Add($"{field}.amount", "must be greater than 0 and at most 100000");
        else if (decimal.Round(price.Amount, 2) != price.Amount) e.Add($"{field}.amount", "must have at most two decimals");
        if (price.Currency is null || !CurrencyCodes.Supported.Contains(price.Currency))
            e.Add($"{field}.currency", CurrencyCodes.Expected);
    }

    public static DoctorProfile ToProfile(NewDoctor d, Guid doctorId) => new()
    {
        DoctorId = doctorId,
        Name = TextNormalization.Normalize(d.Name!).Trim(),
        SpecialtyId = d.SpecialtyId!.Value,
        LicenseNumber = d.LicenseNumber!,
        YearsOfExperience = d.YearsOfExperience!.Value,
        Price = d.Price!,
        Languages = d.Languages!.Select(l => l.ToLowerInvariant()).Distinct().ToArray(),
        Bio = TextNormalization.Normalize(d.Bio)?.Trim() is { Length: > 0 } bio ? bio : null,
        PhotoUrl = d.PhotoUrl,
        Availability = d.Availability!,
    };
}
