using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Abstractions.Patients;
using HealthActors.Grains.Audit;
using HealthActors.Grains.Booking;

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
    /// <summary>
    /// What each appointment granted, as stored before the grants were read from the appointments table (2026-12-04):
    /// appointment id -> (doctor, until). Still honoured until they lapse, and still written by a direct
    /// <see cref="IPatientGrain.GrantDoctorAccess"/>; a booking no longer writes here.
    /// </summary>
    [Id(2)] public Dictionary<Guid, AppointmentGrant> AppointmentGrants { get; set; } = [];
    /// <summary>What the patient consented to without an appointment: doctor -> (until, given at). One per doctor.</summary>
    [Id(3)] public Dictionary<Guid, ConsentGrant> Consents { get; set; } = [];
}

[GenerateSerializer, Immutable, Alias("ha.patients.ConsentGrant")]
public sealed record ConsentGrant([property: Id(0)] DateTimeOffset Until, [property: Id(1)] DateTimeOffset CreatedAt);

[GenerateSerializer, Immutable, Alias("ha.patients.AppointmentGrant")]
public sealed record AppointmentGrant([property: Id(0)] Guid DoctorId, [property: Id(1)] DateTimeOffset Until);

public sealed class PatientGrain(
    [PersistentState("patient-profile", StorageNames.Store)] IPersistentState<PatientState> state,
    IAuditLog audit,
    IBookingStore bookings,
    TimeProvider time) : Grain, IPatientGrain
{
    private Guid PatientId => this.GetPrimaryKey();

    /// <summary>
    /// The grants of the patient's live appointments (appointment id -> doctor, until), read from the appointments
    /// table when a doctor first asks, and again whenever the doctor asking finds none (a booking made since). The
    /// row is written before a booking is answered, so the grant needs no write of its own; null until read.
    /// </summary>
    private Dictionary<Guid, AppointmentGrant>? _booked;

    public async Task<PatientProfile?> GetProfile(Caller caller)
    {
        // The same decision, and the same audit row, as every other read of this patient's data.
        var grant = await AuthorizeRead(caller, "profile");
        return grant is null ? null : state.State.Profile;
    }

    public async Task<ReadGrant?> AuthorizeRead(Caller caller, string what)
    {
        if (caller.UserId == PatientId) return new ReadGrant("owner");
        var now = time.GetUtcNow();
        var grant = caller.IsAdmin ? new ReadGrant("admin") : caller.Role == Roles.Doctor ? await GrantOf(caller.UserId, now) : null;
        var detail = grant is null ? null : grant.AppointmentId is { } appointment ? $"{grant.Basis} {appointment}" : grant.Basis;
        // Allowed or not, the attempt is on the record before the caller learns the answer.
        await audit.Record(new AuditEvent(now, caller.UserId, caller.Role, grant is null ? $"patient.{what}.read.denied" : $"patient.{what}.read", PatientId, detail));
        return grant;
    }

    private async Task<ReadGrant?> GrantOf(Guid doctorId, DateTimeOffset now)
    {
        foreach (var (appointment, g) in state.State.AppointmentGrants)
            if (g.DoctorId == doctorId && g.Until > now) return new ReadGrant("appointment", appointment, g.Until);
        if (state.State.DoctorGrants.TryGetValue(doctorId, out var legacyUntil) && legacyUntil > now) return new ReadGrant("appointment", null, legacyUntil);
        var booked = BookedGrantOf(doctorId, now);
        if (booked is null)
        {
            await LoadBooked(now);
            booked = BookedGrantOf(doctorId, now);
        }
        // A retired doctor's past appointments stay in the table (only future ones are cancelled): a grant read from
        // there is honoured only while the doctor still practises, as a consent is.
        if (booked is { } b && await Practises(doctorId)) return new ReadGrant("appointment", b.Key, b.Value.Until);
        if (!state.State.Consents.TryGetValue(doctorId, out var consent) || consent.Until <= now) return null;
        // A retirement reaches only the patients it booked with; a consent is therefore honoured only while its doctor still practises.
        return await Practises(doctorId) ? new ReadGrant("consent", null, consent.Until) : null;
    }

    private KeyValuePair<Guid, AppointmentGrant>? BookedGrantOf(Guid doctorId, DateTimeOffset now)
    {
        if (_booked is null) return null;
        foreach (var g in _booked)
            if (g.Value.DoctorId == doctorId && g.Value.Until > now) return g;
        return null;
    }

    private async Task<Dictionary<Guid, AppointmentGrant>> LoadBooked(DateTimeOffset now)
    {
        _booked = (await bookings.LiveOfPatient(PatientId, now - DoctorAccess.AfterAppointment))
            .ToDictionary(a => a.Id, a => new AppointmentGrant(a.DoctorId, a.End + DoctorAccess.AfterAppointment));
        return _booked;
    }

    private async Task<bool> Practises(Guid doctorId) => await GrainFactory.GetGrain<IDoctorGrain>(doctorId).GetProfile() is not null;

    public async Task<Outcome<Consent>> GiveConsent(Caller caller, Guid doctorId, DateTimeOffset? until)
    {
        if (caller.UserId != PatientId) return Outcome.NotFound();
        var now = time.GetUtcNow();
        var e = new ValidationErrors();
        ConsentRules.DoctorId(e, doctorId, PatientId);
        var end = ConsentRules.Until(e, until, now);
        if (!e.IsValid) return Outcome.Invalid(e);
        if (await GrainFactory.GetGrain<IDoctorGrain>(doctorId).GetProfile() is not { } doctor) return Outcome.Invalid("doctorId", ConsentRules.NotADoctor);

        var consents = state.State.Consents;
        foreach (var lapsed in consents.Where(c => c.Value.Until <= now).Select(c => c.Key).ToList()) consents.Remove(lapsed);
        // PostgreSQL and the JSON answer keep microseconds at most; what is returned is what a later read shows.
        var given = new ConsentGrant(Truncate(end!.Value), Truncate(now));
        consents[doctorId] = given;
        await state.WriteStateAsync();
        return Outcome.Ok(new Consent(doctorId, given.Until, given.CreatedAt, doctor.Name));
    }

    public async Task<Outcome<Consent>> WithdrawConsent(Caller caller, Guid doctorId)
    {
        if (caller.UserId != PatientId || !state.State.Consents.Remove(doctorId, out var withdrawn)) return Outcome.NotFound();
        await state.WriteStateAsync();
        return Outcome.Ok(new Consent(doctorId, withdrawn.Until, withdrawn.CreatedAt));
    }

    public async Task<Outcome<IReadOnlyList<Consent>>> Consents(Caller caller)
    {
        if (caller.UserId != PatientId) return Outcome.NotFound();
        var now = time.GetUtcNow();
        var list = new List<Consent>();
        foreach (var (doctorId, c) in state.State.Consents.Where(c => c.Value.Until > now).OrderByDescending(c => c.Value.CreatedAt))
            await AddIfPractising(list, doctorId, c.Until, c.CreatedAt, "consent", null);
        // Stored grants of a retired doctor were removed with the retirement (RevokeEveryGrantOf); the table's are
        // honoured only while the doctor practises (GrantOf). Either way what grants nothing is not shown as if it did.
        foreach (var (appointmentId, g) in state.State.AppointmentGrants.Where(g => g.Value.Until > now).OrderBy(g => g.Value.Until))
            await AddIfPractising(list, g.DoctorId, g.Until, null, "appointment", appointmentId);
        var booked = await LoadBooked(now);
        foreach (var (appointmentId, g) in booked.Where(g => g.Value.Until > now && !state.State.AppointmentGrants.ContainsKey(g.Key)).OrderBy(g => g.Value.Until))
            await AddIfPractising(list, g.DoctorId, g.Until, null, "appointment", appointmentId);
        return Outcome.Ok<IReadOnlyList<Consent>>(list);
    }

    private async Task AddIfPractising(List<Consent> list, Guid doctorId, DateTimeOffset until, DateTimeOffset? createdAt, string basis, Guid? appointmentId)
    {
        if (await GrainFactory.GetGrain<IDoctorGrain>(doctorId).GetProfile() is not { } doctor) return;
        list.Add(new Consent(doctorId, until, createdAt, doctor.Name, basis, appointmentId));
    }

    private static DateTimeOffset Truncate(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % 10, TimeSpan.Zero);

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
        // The table's grants of this doctor end with the retirement itself (GrantOf asks whether the doctor practises).
        _booked = null;
        if (state.State.DoctorGrants.Remove(doctorId) | state.State.Consents.Remove(doctorId) | appointments.Count > 0) await state.WriteStateAsync();
    }

    public async Task RevokeDoctorAccess(Guid appointmentId, Guid doctorId)
    {
        // The doctor is named too so that an appointment booked before grants were per appointment (it has only
        // the legacy doctor-wide entry) also stops granting when cancelled.
        // The appointment's row reads cancelled before this is called, so a reload would not bring the grant back.
        _booked?.Remove(appointmentId);
        var removed = state.State.AppointmentGrants.Remove(appointmentId) | state.State.DoctorGrants.Remove(doctorId);
        if (removed) await state.WriteStateAsync();
    }

    public async Task<PatientProfile> UpdateProfile(PatientProfile profile, Caller caller)
    {
        if (caller.UserId != PatientId) throw new AccessDeniedException("Only the patient edits their profile.");
        var now = time.GetUtcNow();
        PatientProfileRules.Validate(profile, DateOnly.FromDateTime(now.UtcDateTime)).ThrowIfInvalid();
        state.State.Profile = PatientProfileRules.Normalize(profile) with { UpdatedAt = now };
        await state.WriteStateAsync();
        // Api nodes keep the owner's read of this profile (ReadCache); the update is answered only once every node
        // has dropped it, so the next read anywhere sees it.
        await GrainFactory.TellApiNodes(PatientId);
        return state.State.Profile;
    }
}
