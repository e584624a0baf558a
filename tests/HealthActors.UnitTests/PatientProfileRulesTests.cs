using HealthActors.Grains.Abstractions.Patients;

namespace HealthActors.UnitTests;

public sealed class PatientProfileRulesTests
{
    private static readonly DateOnly Today = new(2026, 11, 26);
    private static readonly PatientProfile Valid = new()
    {
        FirstName = "Ana", LastName = "García", BirthDate = new DateOnly(1990, 4, 1), Sex = "female",
        Phone = "+5491155550123", NationalId = "30.123.456", HeightCm = 165.5m, WeightKg = 61.2m, BloodType = "O+",
        Allergies = ["penicillin"], Conditions = ["asthma"],
        Medications = [new Medication { Name = "salbutamol", Dose = "100 mcg", Frequency = "as needed" }],
        DietaryPreferences = ["vegetarian"],
        EmergencyContact = new EmergencyContact { Name = "Luis García", Phone = "+5491155550999", Relationship = "brother" },
        PreferredLanguage = "es-AR", TimeZone = "America/Argentina/Buenos_Aires",
    };

    [Fact]
    public void A_complete_profile_is_valid() => Assert.True(PatientProfileRules.Validate(Valid, Today).IsValid);

    public static TheoryData<PatientProfile, string> Invalid => new()
    {
        { Valid with { FirstName = null }, "firstName" },
        { Valid with { LastName = "  " }, "lastName" },
        { Valid with { FirstName = new string('a', 101) }, "firstName" },
        { Valid with { FirstName = "An\u0000a" }, "firstName" },
        { Valid with { BirthDate = Today.AddDays(1) }, "birthDate" },
        { Valid with { BirthDate = new DateOnly(1890, 1, 1) }, "birthDate" },
        { Valid with { Sex = "other-value" }, "sex" },
        { Valid with { Phone = "011 5555-0123" }, "phone" },
        { Valid with { Phone = "+0123456789" }, "phone" },
        { Valid with { NationalId = "x" }, "nationalId" },
        { Valid with { HeightCm = 10 }, "heightCm" },
        { Valid with { HeightCm = 400 }, "heightCm" },
        { Valid with { WeightKg = 0 }, "weightKg" },
        { Valid with { WeightKg = 900 }, "weightKg" },
        { Valid with { BloodType = "C+" }, "bloodType" },
        { Valid with { Allergies = Enumerable.Repeat("dust", 51).ToArray() }, "allergies" },
        { Valid with { Allergies = [new string('p', 201)] }, "allergies[0]" },
        { Valid with { Conditions = ["ok", ""] }, "conditions[1]" },
        { Valid with { Medications = [new Medication { Dose = "1" }] }, "medications[0].name" },
        { Valid with { Medications = [new Medication { Name = "x", Frequency = new string('f', 101) }] }, "medications[0].frequency" },
        { Valid with { EmergencyContact = new EmergencyContact { Name = "Luis" } }, "emergencyContact.phone" },
        { Valid with { EmergencyContact = new EmergencyContact { Phone = "+5491155550999" } }, "emergencyContact.name" },
        { Valid with { PreferredLanguage = "Spanish" }, "preferredLanguage" },
        { Valid with { TimeZone = "Mars/Olympus_Mons" }, "timeZone" },
        { Valid with { TimeZone = "GMT+3" }, "timeZone" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Each_rule_names_its_field(PatientProfile profile, string field)
    {
        var errors = PatientProfileRules.Validate(profile, Today).ToDictionary();
        Assert.True(errors.ContainsKey(field), $"expected '{field}' in: {string.Join(", ", errors.Keys)}");
    }

    [Fact]
    public void Normalize_trims_and_drops_blank_optionals()
    {
        var n = PatientProfileRules.Normalize(Valid with
        {
            FirstName = "  Ana ",
            Allergies = [" penicillin "],
            Medications = [new Medication { Name = " ibuprofen ", Dose = " ", Frequency = null }],
        });
        Assert.Equal("Ana", n.FirstName);
        Assert.Equal(["penicillin"], n.Allergies!);
        Assert.Equal("ibuprofen", n.Medications![0].Name);
        Assert.Null(n.Medications![0].Dose);
    }
}
