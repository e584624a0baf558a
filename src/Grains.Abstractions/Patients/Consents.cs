using HealthActors.Grains.Abstractions.Common;

namespace HealthActors.Grains.Abstractions.Patients;

/// <summary>
/// One live permission for a doctor to read the patient's data: a consent the patient gave (Basis "consent",
/// with its CreatedAt) or what a booked appointment grants for its span (Basis "appointment", with its id).
/// </summary>
[GenerateSerializer, Immutable, Alias("ha.patients.Consent")]
public sealed record Consent(
    [property: Id(0)] Guid DoctorId,
    [property: Id(1)] DateTimeOffset Until,
    [property: Id(2)] DateTimeOffset? CreatedAt,
    /// <summary>The doctor's display name when the answer was built.</summary>
    [property: Id(3)] string? DoctorName = null,
    [property: Id(4)] string Basis = "consent",
    [property: Id(5)] Guid? AppointmentId = null);

/// <summary>The rules of a consent, shared by the endpoint's fast check and the patient grain that decides.</summary>
public static class ConsentRules
{
    /// <summary>
    /// The longest a consent may run. A consent without an end is given this one, so that no permission is
    /// forgotten for ever; the patient renews it if they still want to.
    /// </summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(730);

    /// <summary>How long a consent runs from <paramref name="now"/>, or null (with the error in <paramref name="e"/>).</summary>
    public static DateTimeOffset? Until(ValidationErrors e, DateTimeOffset? until, DateTimeOffset now)
    {
        if (until is null) return now + MaxDuration;
        var at = until.Value.ToUniversalTime();
        if (at <= now) e.Add("until", "must be in the future");
        else if (at > now + MaxDuration) e.Add("until", $"must be at most {MaxDuration.TotalDays:0} days ahead");
        else return at;
        return null;
    }

    public static void DoctorId(ValidationErrors e, Guid doctorId, Guid patientId)
    {
        if (doctorId == Guid.Empty) e.Add("doctorId", "is required");
        else if (doctorId == patientId) e.Add("doctorId", "must be a doctor, not yourself");
    }

    public const string NotADoctor = "no practising doctor has this id";
}
