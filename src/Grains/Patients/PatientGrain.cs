using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Abstractions.Patients;
using HealthActors.Grains.Audit;

namespace HealthActors.Grains.Patients;

[GenerateSerializer, Alias("ha.patients.PatientState")]
public sealed class PatientState
{
    [Id(0)] public PatientProfile? Profile { get; set; }
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
        if (caller.IsAdmin)
        {
            // The audit row is written before the data leaves the grain: no audit, no read.
            await audit.Record(new AuditEvent(time.GetUtcNow(), caller.UserId, caller.Role, "patient.profile.read", PatientId,
                state.State.Profile is null ? "no profile" : null));
            return state.State.Profile;
        }
        await audit.Record(new AuditEvent(time.GetUtcNow(), caller.UserId, caller.Role, "patient.profile.read.denied", PatientId, null));
        return null;
    }

    public async Task<PatientProfile> UpdateProfile(PatientProfile profile, Caller caller)
    {
        if (caller.UserId != PatientId) throw new UnauthorizedAccessException("Only the patient edits their profile.");
        var now = time.GetUtcNow();
        PatientProfileRules.Validate(profile, DateOnly.FromDateTime(now.UtcDateTime)).ThrowIfInvalid();
        state.State.Profile = PatientProfileRules.Normalize(profile) with { UpdatedAt = now };
        await state.WriteStateAsync();
        return state.State.Profile;
    }
}
