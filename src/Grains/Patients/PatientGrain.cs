using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Abstractions.Patients;
using HealthActors.Grains.Audit;

namespace HealthActors.Grains.Patients;

[GenerateSerializer, Alias("ha.patients.PatientState")]
public sealed class PatientState
{
    [Id(0)] public PatientProfile? Profile { get; set; }
    /// <summary>
    /// Grants stored before they were kept per appointment: doctor -> until. Still honoured until they lapse,
    /// but no longer written; a cancellation by the patient removes that doctor's entry (it cannot tell which
    /// appointment it came from, and erring towards privacy costs the doctor only the legacy grant).
    /// </summary>
    [Id(1)] public Dictionary<Guid, DateTimeOffset> DoctorGrants { get; set; } = [];
    /// <summary>What each appointment grants: appointment id -> (doctor, until).</summary>
    [Id(2)] public Dictionary<Guid, AppointmentGrant> AppointmentGrants { get; set; } = [];
}

[GenerateSerializer, Immutable, Alias("ha.patients.AppointmentGrant")]
public sealed record AppointmentGrant([property: Id(0)] Guid DoctorId, [property: Id(1)] DateTimeOffset Until);

public sealed class PatientGrain(
    [PersistentState("patient-profile", StorageNames.Store)] IPersistentState<PatientState> state,
    IAuditLog audit,
    TimeProvider time) : Grain, IPatientGrain
{
    private Guid PatientId => this.GetPrimaryKey();

    public async Task<PatientProfile?> GetProfile(Caller caller)
    {
        if (caller.UserId == PatientId) return state.State.Profile;
        var granted = caller.Role == Roles.Doctor && HasGrant(caller.UserId, time.GetUtcNow());
        if (caller.IsAdmin || granted)
        {
            // The audit row is written before the data leaves the grain: no audit, no read.
            await audit.Record(new AuditEvent(time.GetUtcNow(), caller.UserId, caller.Role, "patient.profile.read", PatientId,
                state.State.Profile is null ? "no profile" : null));
            return state.State.Profile;
        }
        await audit.Record(new AuditEvent(time.GetUtcNow(), caller.UserId, caller.Role, "patient.profile.read.denied", PatientId, null));
        return null;
    }

    public async Task<ReadGrant?> AuthorizeRead(Caller caller, string what)
    {
        if (caller.UserId == PatientId) return new ReadGrant("owner");
        var now = time.GetUtcNow();
        var grant = caller.IsAdmin ? new ReadGrant("admin") : caller.Role == Roles.Doctor ? GrantOf(caller.UserId, now) : null;
        var detail = grant is null ? null : grant.AppointmentId is { } appointment ? $"{grant.Basis} {appointment}" : grant.Basis;
        // Allowed or not, the attempt is on the record before the caller learns the answer.
        await audit.Record(new AuditEvent(now, caller.UserId, caller.Role, grant is null ? $"patient.{what}.read.denied" : $"patient.{what}.read", PatientId, detail));
        return grant;
    }

    private ReadGrant? GrantOf(Guid doctorId, DateTimeOffset now)
    {
        foreach (var (appointment, g) in state.State.AppointmentGrants)
            if (g.DoctorId == doctorId && g.Until > now) return new ReadGrant("appointment", appointment, g.Until);
        return state.State.DoctorGrants.TryGetValue(doctorId, out var legacyUntil) && legacyUntil > now ? new ReadGrant("appointment", null, legacyUntil) : null;
    }

    public async Task GrantDoctorAccess(Guid doctorId, Guid appointmentId, DateTimeOffset until)
    {
        var grants = state.State.AppointmentGrants;
        if (grants.TryGetValue(appointmentId, out var current) && current.DoctorId == doctorId && current.Until >= until) return;
        var now = time.GetUtcNow();
        foreach (var expired in grants.Where(g => g.Value.Until <= now).Select(g => g.Key).ToList()) grants.Remove(expired);
        foreach (var expired in state.State.DoctorGrants.Where(g => g.Value <= now).Select(g => g.Key).ToList()) state.State.DoctorGrants.Remove(expired);
        grants[appointmentId] = new AppointmentGrant(doctorId, until);
        await state.WriteStateAsync();
    }

    public async Task RevokeEveryGrantOf(Guid doctorId)
    {
        var appointments = state.State.AppointmentGrants.Where(g => g.Value.DoctorId == doctorId).Select(g => g.Key).ToList();
        foreach (var id in appointments) state.State.AppointmentGrants.Remove(id);
        if (state.State.DoctorGrants.Remove(doctorId) | appointments.Count > 0) await state.WriteStateAsync();
    }

    public async Task RevokeDoctorAccess(Guid appointmentId, Guid doctorId)
    {
        // The doctor is named too so that an appointment booked before grants were per appointment (it has only
        // the legacy doctor-wide entry) also stops granting when cancelled.
        var removed = state.State.AppointmentGrants.Remove(appointmentId) | state.State.DoctorGrants.Remove(doctorId);
        if (removed) await state.WriteStateAsync();
    }

    private bool HasGrant(Guid doctorId, DateTimeOffset now) =>
        state.State.AppointmentGrants.Values.Any(g => g.DoctorId == doctorId && g.Until > now)
        || (state.State.DoctorGrants.TryGetValue(doctorId, out var legacyUntil) && legacyUntil > now);

    public async Task<PatientProfile> UpdateProfile(PatientProfile profile, Caller caller)
    {
        if (caller.UserId != PatientId) throw new AccessDeniedException("Only the patient edits their profile.");
        var now = time.GetUtcNow();
        PatientProfileRules.Validate(profile, DateOnly.FromDateTime(now.UtcDateTime)).ThrowIfInvalid();
        state.State.Profile = PatientProfileRules.Normalize(profile) with { UpdatedAt = now };
        await state.WriteStateAsync();
        return state.State.Profile;
    }
}
