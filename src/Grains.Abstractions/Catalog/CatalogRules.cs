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
    /// <summary>Absent or true: the admin vouches for the doctor. False: the doctor must submit credentials before practising.</summary>
    public bool? Verified { get; init; }
}

public static partial class CatalogRules
{
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9./\-]{2,31}$")]
    private static partial Regex License();

    [GeneratedRegex(@"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
    private static partial Regex Language();

    /// <summary>The licence number format the catalog and credential submissions share.</summary>
    public static bool IsLicenseNumber(string? value) => value is not null && License().IsMatch(value);

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
        ValidateListing(e, d.SpecialtyId, d.LicenseNumber, d.YearsOfExperience, d.Price, d.Languages, d.Bio, d.PhotoUrl, d.Availability);
        return e;
    }

    /// <summary>
    /// A catalog entry as the doctor grain stores it: the same rules as <see cref="ValidateDoctor"/> for the
    /// listing, plus the name, which the grain is handed directly. The rating is not validated: the grain derives it
    /// from real ratings and ignores whatever a caller sends.
    /// </summary>
    public static ValidationErrors ValidateProfile(DoctorProfile? p)
    {
        var e = new ValidationErrors();
        if (p is null) { e.Add("body", "is required"); return e; }
        e.Text("name", p.Name, CredentialRules.MaxNameLength, required: true);
        ValidateListing(e, p.SpecialtyId, p.LicenseNumber, p.YearsOfExperience, p.Price, p.Languages, p.Bio, p.PhotoUrl, p.Availability);
        return e;
    }

    private static void ValidateListing(ValidationErrors e, Guid? specialtyId, string? licenseNumber, int? yearsOfExperience, Money? price,
        string[]? languages, string? bio, string? photoUrl, WeeklyAvailability? availability)
    {
        if (specialtyId is null || specialtyId == Guid.Empty) e.Add("specialtyId", "is required");
        if (licenseNumber is null) e.Add("licenseNumber", "is required");
        else if (!License().IsMatch(licenseNumber)) e.Add("licenseNumber", "must be 3 to 32 letters, digits, dots, slashes or dashes");
        if (yearsOfExperience is null) e.Add("yearsOfExperience", "is required");
        else if (yearsOfExperience is < 0 or > 70) e.Add("yearsOfExperience", "must be between 0 and 70");
        ValidatePrice(e, price);
        if (languages is null || languages.Length == 0) e.Add("languages", "must name at least one language");
        else if (languages.Length > 10) e.Add("languages", "must have at most 10 items");
        else for (var i = 0; i < languages.Length; i++)
            if (languages[i] is null || !Language().IsMatch(languages[i])) e.Add($"languages[{i}]", "must be a language code such as 'es' or 'en'");
        e.Text("bio", bio, 2000, multiline: true);
        if (photoUrl is not null && (photoUrl.Length > 500 || !Uri.TryCreate(photoUrl, UriKind.Absolute, out var u) || u.Scheme != Uri.UriSchemeHttps))
            e.Add("photoUrl", "must be an absolute https URL of at most 500 characters");
        SlotCalendar.Validate(e, availability);
    }

    public static void ValidatePrice(ValidationErrors e, Money? price, string field = "price")
    {
        if (price is null) { e.Add(field, "is required"); return; }
        if (price.Amount <= 0 || price.Amount > 100_000) e.Add($"{field}.amount", "must be greater than 0 and at most 100000");
        else if (!CurrencyCodes.FitsMinorUnit(price.Amount, price.Currency)) e.Add($"{field}.amount", CurrencyCodes.MinorUnitMessage(price.Currency));
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
        Unverified = d.Verified == false,
    };
}
