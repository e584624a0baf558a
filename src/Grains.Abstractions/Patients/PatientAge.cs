namespace HealthActors.Grains.Abstractions.Patients;

/// <summary>
/// A patient's age from the profile, in days, as the red-flag rules want it: fever is an emergency under 3 months,
/// so an account that is the baby's own must be recognised wherever the baby's parent types.
/// </summary>
public static class PatientAge
{
    /// <summary>Whole days from the birth date to the UTC calendar day of <paramref name="now"/>; null without a birth date.</summary>
    public static int? InDays(PatientProfile? profile, DateTimeOffset now) =>
        profile?.BirthDate is { } born ? DateOnly.FromDateTime(now.UtcDateTime).DayNumber - born.DayNumber : null;
}
