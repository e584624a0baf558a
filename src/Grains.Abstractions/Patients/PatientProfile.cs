using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;

namespace HealthActors.Grains.Abstractions.Patients;

[GenerateSerializer, Immutable, Alias("ha.patients.Medication")]
public sealed record Medication
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public string? Dose { get; init; }
    [Id(2)] public string? Frequency { get; init; }
}

[GenerateSerializer, Immutable, Alias("ha.patients.EmergencyContact")]
public sealed record EmergencyContact
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public string? Phone { get; init; }
    [Id(2)] public string? Relationship { get; init; }
}

/// <summary>The patient's own medical profile. Every field but the names is optional.</summary>
[GenerateSerializer, Immutable, Alias("ha.patients.PatientProfile")]
public sealed record PatientProfile
{
    [Id(0)] public string? FirstName { get; init; }
    [Id(1)] public string? LastName { get; init; }
    [Id(2)] public DateOnly? BirthDate { get; init; }
    [Id(3)] public string? Sex { get; init; }
    [Id(4)] public string? Phone { get; init; }
    [Id(5)] public string? NationalId { get; init; }
    [Id(6)] public decimal? HeightCm { get; init; }
    [Id(7)] public decimal? WeightKg { get; init; }
    [Id(8)] public string? BloodType { get; init; }
    [Id(9)] public string[]? Allergies { get; init; }
    [Id(10)] public string[]? Conditions { get; init; }
    [Id(11)] public Medication[]? Medications { get; init; }
    [Id(12)] public string[]? DietaryPreferences { get; init; }
    [Id(13)] public EmergencyContact? EmergencyContact { get; init; }
    [Id(14)] public string? PreferredLanguage { get; init; }
    [Id(15)] public string? TimeZone { get; init; }
    /// <summary>Set by the grain on every write (UTC); ignored on input.</summary>
    [Id(16)] public DateTimeOffset? UpdatedAt { get; init; }
    /// <summary>ISO 3166-1 alpha-2 ("ES"), for the emergency, crisis and poison-control numbers in red-flag answers; none is inferred when missing.</summary>
    [Id(17)] public string? Country { get; init; }
}

/// <summary>Why a read of a patient's data was allowed: "owner", "admin", "appointment" (with its id and end) or "consent".</summary>
[GenerateSerializer, Immutable, Alias("ha.patients.ReadGrant")]
public sealed record ReadGrant(
    [property: Id(0)] string Basis,
    [property: Id(1)] Guid? AppointmentId = null,
    [property: Id(2)] DateTimeOffset? Until = null);

[Alias("ha.patients.IPatientGrain")]
public interface IPatientGrain : IGrainWithGuidKey
{
    /// <summary>
    /// The profile as <paramref name="caller"/> may see it: the owner, admins and doctors with a live grant get it
    /// (every read by someone else is audited); anyone else gets null, exactly as if there were no profile, so existence does not leak.
    /// </summary>
    [Alias("GetProfile")]
    Task<PatientProfile?> GetProfile(Caller caller);

    /// <summary>
    /// Decides whether <paramref name="caller"/> may read one part of this patient's data (<paramref name="what"/>:
    /// "records.vitals", "insights", "fhir", ...). Every read by someone other than the patient is audited, allowed
    /// or denied, before the answer leaves the grain; null means denied and must look exactly like "no such patient" (404).
    /// </summary>
    [Alias("AuthorizeRead")]
    Task<ReadGrant?> AuthorizeRead(Caller caller, string what);

    /// <summary>
    /// Lets a doctor read this profile until the given moment because of one appointment (audited on every read),
    /// stored in the patient's state. Grants are per appointment, so cancelling one takes back only its own. A booking
    /// no longer calls this: the patient grain reads the grants of its appointments from the appointments table.
    /// </summary>
    [Alias("GrantAppointmentAccess")]
    Task GrantDoctorAccess(Guid doctorId, Guid appointmentId, DateTimeOffset until);

    /// <summary>Takes back what one appointment granted (it was cancelled); the doctor keeps access through any other live appointment.</summary>
    [Alias("RevokeAppointmentAccess")]
    Task RevokeDoctorAccess(Guid appointmentId, Guid doctorId);

    /// <summary>Ends every read grant of this doctor at once, appointment grants and the patient's consent (the doctor was retired).</summary>
    [Alias("RevokeEveryGrantOf")]
    Task RevokeEveryGrantOf(Guid doctorId);

    /// <summary>
    /// The patient (<paramref name="caller"/> must be the owner) lets a practising doctor read their data until
    /// <paramref name="until"/> (default and cap: <see cref="ConsentRules.MaxDuration"/>); a second call for the same doctor replaces the first.
    /// </summary>
    [Alias("GiveConsent")]
    Task<Outcome<Consent>> GiveConsent(Caller caller, Guid doctorId, DateTimeOffset? until);

    /// <summary>Ends the owner's consent for a doctor at once; NotFound if there was none.</summary>
    [Alias("WithdrawConsent")]
    Task<Outcome<Consent>> WithdrawConsent(Caller caller, Guid doctorId);

    /// <summary>Who may read the owner's data now: live consents, then live appointment grants; anyone else gets NotFound.</summary>
    [Alias("Consents")]
    Task<Outcome<IReadOnlyList<Consent>>> Consents(Caller caller);

    /// <summary>Validates, stamps and persists the owner's profile; returns what was stored.</summary>
    [Alias("UpdateProfile")]
    Task<PatientProfile> UpdateProfile(PatientProfile profile, Caller caller);
}
