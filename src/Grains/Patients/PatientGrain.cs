using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Abstractions.Patients;
using HealthActors.Grains.Audit;

namespace HealthActors.Grains.Patients;

[GenerateSerializer, Alias("ha.patients.PatientState")]
public sealed class PatientState
{
    [Id(0)] public PatientProfile? Profile { get; set; }
    /// <summary>Doctors who may read the profile, and until when.</summary>
    [Id(1)] public Dictionary<Guid, DateTimeOffset> DoctorGrants { get; set; } = [];
}

public sealed class PatientGrain(
    [PersistentState("patient-profile", StorageNames.Store)] IPersistentState<PatientState> state,
    IAuditLog audit,
    TimeProvider time) : Grain, IPatientGrain
{
    private Guid PatientId => this.GetPrimaryKey();

    public async Task<PatientProfile?> GetProfile(Caller caller)
    {
        if (caller.UserId == PatientId) return state.State.Profile;
        var granted = caller.Role == Roles.Doctor && state.State.DoctorGrants.TryGetValue(caller.UserId, out var until) && until > time.GetUtcNow();
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

    public async Task GrantDoctorAccess(Guid doctorId, DateTimeOffset until)
    {
        if (state.State.DoctorGrants.TryGetValue(doctorId, out var current) && current >= until) return;
        var now = time.GetUtcNow();
        foreach (var expired in state.State.DoctorGrants.Where(g => g.Value <= now).Select(g => g.Key).ToList())
            state.State.DoctorGrants.Remove(expired);
        state.State.DoctorGrants[doctorId] = until;
        await state.WriteStateAsync();
    }

    public async Task RevokeDoctorAccess(Guid doctorId)
    {
        if (state.State.DoctorGrants.Remove(doctorId)) await state.WriteStateAsync();
    }

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
