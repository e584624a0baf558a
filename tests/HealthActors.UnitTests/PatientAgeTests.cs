using HealthActors.Grains.Abstractions.Chat;
using HealthActors.Grains.Abstractions.Patients;

namespace HealthActors.UnitTests;

public sealed class PatientAgeTests
{
    [Fact]
    public void Age_is_counted_in_whole_days_on_the_UTC_calendar()
    {
        var profile = new PatientProfile { FirstName = "Lucía", LastName = "García", BirthDate = new DateOnly(2026, 10, 22) };
        // 23:30 in UTC-3 on Dec 2 is already Dec 3 in UTC: the UTC day counts.
        Assert.Equal(42, PatientAge.InDays(profile, new DateTimeOffset(2026, 12, 2, 23, 30, 0, TimeSpan.FromHours(-3))));
        Assert.Equal(0, PatientAge.InDays(profile with { BirthDate = new DateOnly(2026, 12, 3) }, new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void No_profile_or_no_birth_date_is_no_age()
    {
        Assert.Null(PatientAge.InDays(null, DateTimeOffset.UtcNow));
        Assert.Null(PatientAge.InDays(new PatientProfile { FirstName = "Ana", LastName = "García" }, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void The_age_makes_a_fever_an_emergency_under_three_months_only()
    {
        var now = new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
        var baby = new PatientProfile { FirstName = "Lucía", LastName = "García", BirthDate = new DateOnly(2026, 10, 22) };
        var child = baby with { BirthDate = new DateOnly(2024, 1, 1) };
        Assert.Equal(RedFlagCategories.InfantFever, RedFlags.Detect("she has a fever of 38.4", PatientAge.InDays(baby, now))?.Kind);
        Assert.Null(RedFlags.Detect("she has a fever of 38.4", PatientAge.InDays(child, now)));
    }
}
