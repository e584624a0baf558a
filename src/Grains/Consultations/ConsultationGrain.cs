using HealthActors.Grains.Abstractions.Attachments;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Chat;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Consultations;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Abstractions.Notifications;
using HealthActors.Grains.Abstractions.Patients;
using HealthActors.Grains.Abstractions.Verification;
using HealthActors.Grains.Live;
using HealthActors.Grains.Notifications;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using HealthActors.Grains.Storage;

namespace HealthActors.Grains.Consultations;

/// <summary>
/// One consultation. The table is the record; this activation is its only writer, so "is it still open? then
/// claim it" and "next seq" are decided here one call at a time, with the table's conditional update and primary
/// key behind it should a second activation ever exist.
/// </summary>
public sealed class ConsultationGrain(
    IConsultationStore store, IRatingStore ratings, IOptions<ConsultationOptions> options, TimeProvider time, ILogger<ConsultationGrain> log)
    : Grain, IConsultationGrain, IRemindable
{
    private const string ExpiryReminder = "consultation-expiry";

    private ConsultationView? _record;
    private int _lastSeq;
    private Watchers<IConsultationWatcher>? _watchers;
    private Watchers<IConsultationWatcher> LiveWatchers => _watchers ??= new(log, DelayDeactivation);

    private Guid Id => this.GetPrimaryKey();

    // Activation reads pass no call filter: a database outage must still reach the caller as a 503 (StorageFaults).
    public override Task OnActivateAsync(CancellationToken cancellationToken) => StorageFaults.DuringActivation(() => Activate(cancellationToken));

    private async Task Activate(CancellationToken cancellationToken)
    {
        _record = await store.Get(Id);
        if (_record is not null) _lastSeq = await store.LastSeq(Id);
    }

    public async Task<Outcome<ConsultationView>> Create(Caller patient, ConsultationRequest request)
    {
        if (patient.Role != Roles.Patient) return Outcome.Forbidden("Only patients ask for a consultation.");
        // A retried create of the same id answers what exists; anyone else's id is not theirs to see.
        if (_record is not null) return _record.PatientId == patient.UserId ? Outcome.Ok(_record) : Outcome.NotFound();
        var errors = ConsultationRules.Validate(request);
        if (!errors.IsValid) return Outcome.Invalid(errors);
        var question = TextNormalization.Normalize(request.Question!).Trim();
        IReadOnlyList<Guid> attachments = request.AttachmentIds ?? [];
        if (!await OwnedBy(patient.UserId, attachments)) return NotYourUploads();

        var now = time.GetUtcNow();
        var (flags, guidance) = await RedFlagsOf(patient.UserId, question, now);

        Guid specialtyId;
        if (request.SpecialtyId is { } given)
        {
            if (await GrainFactory.GetGrain<ISpecialtyRegistryGrain>(0).Get(given) is null) return Outcome.Invalid("specialtyId", "No such specialty.");
            specialtyId = given;
        }
        else
        {
            var symptoms = question.Length > OrientationRequest.MaxSymptomsLength ? question[..OrientationRequest.MaxSymptomsLength] : question;
            var orientation = await GrainFactory.GetGrain<IOrientationGrain>(patient.UserId).Orient(symptoms, null, null);
            // An emergency often orients to a specialty the catalog lacks: the next best one that exists still gets a
            // doctor to the patient, who has the guidance in this very answer.
            var inCatalog = orientation.SpecialtyId ?? orientation.Alternatives.FirstOrDefault(a => a.SpecialtyId is not null)?.SpecialtyId;
            if (inCatalog is not { } inferred)
                return Outcome.Invalid("specialtyId", (guidance is null ? "" : guidance + " ") +
                    $"Orientation suggests {orientation.Specialty}, which is not in the catalog; choose a specialtyId.");
            specialtyId = inferred;
        }

        var record = new ConsultationView(Id, patient.UserId, specialtyId, question, attachments, ConsultationStatus.Open, null, now, null, null,
            flags, guidance);
        // A reminder, not a timer: the expiry must happen even if this silo is gone by then (Orleans' one-minute
        // minimum period only spaces retries; the first tick comes at the due time). Set before the row exists, so
        // no stored consultation lacks one; a reminder that finds no row just removes itself.
        await this.RegisterOrUpdateReminder(ExpiryReminder, options.Value.UnclaimedExpiry, TimeSpan.FromMinutes(1));
        await store.Insert(record);
        _record = record;
        // Not awaited: the patient's answer does not wait for every colleague's inbox, and a notice that fails
        // costs only that notice (the open list still shows the consultation).
        _ = TellDoctorsOfSpecialty(record);
        return Outcome.Ok(record);
    }

    public Task<Outcome<ConsultationView>> Get(Caller caller) =>
        Task.FromResult(CanSee(caller) ? Outcome.Ok(_record!) : (Outcome<ConsultationView>)Outcome.NotFound());

    public async Task<Outcome<ConsultationView>> Claim(Caller doctor)
    {
        if (_record is null || doctor.Role != Roles.Doctor) return Outcome.NotFound();
        var profile = await GrainFactory.GetGrain<IDoctorGrain>(doctor.UserId).GetProfile();
        // Another specialty's consultations are not listed to this doctor, so claiming one is as if it did not exist.
        if (profile is null || profile.SpecialtyId != _record.SpecialtyId) return Outcome.NotFound();
        if (!await GrainFactory.GetGrain<IDoctorGrain>(doctor.UserId).IsVerified()) return DoctorVerification.NotVerified();
        // Past its deadline but the reminder has not run yet: the deadline decides, not the reminder's punctuality.
        if (_record.Status == ConsultationStatus.Open && ExpiryDue() <= TimeSpan.Zero) await ExpireNow();
        if (_record.Status == ConsultationStatus.Expired) return ExpiredConflict();
        if (_record.Status != ConsultationStatus.Open)
            return _record.DoctorId == doctor.UserId ? Outcome.Ok(_record) : AlreadyClaimed();

        var now = time.GetUtcNow();
        if (!await store.Claim(Id, doctor.UserId, now))
        {
            _record = await store.Get(Id);
            return _record?.Status == ConsultationStatus.Expired ? ExpiredConflict() : AlreadyClaimed();
        }
        _record = _record with { Status = ConsultationStatus.Claimed, DoctorId = doctor.UserId, ClaimedAt = now };
        // The consultation id as dedupe key: one notice per consultation, however often the claim is retried.
        await GrainFactory.GetGrain<IInboxGrain>(_record.PatientId).Add("consultation.claimed", "A doctor took your question",
            $"Dr. {profile.Name} is answering your consultation.", Id, Id);
        return Outcome.Ok(_record);
    }

    public async Task<Outcome<ConsultationMessagePosted>> Post(Caller caller, ConsultationMessageRequest request)
    {
        if (!CanSee(caller)) return Outcome.NotFound();
        var errors = ConsultationRules.Validate(request);
        if (!errors.IsValid) return Outcome.Invalid(errors);
        if (_record!.Status == ConsultationStatus.Closed) return Closed();
        if (_record.Status == ConsultationStatus.Expired) return ExpiredConflict();
        var isDoctor = caller.UserId == _record.DoctorId;
        // A doctor who lost their verification (retired) since claiming no longer answers.
        if (isDoctor && !await GrainFactory.GetGrain<IDoctorGrain>(caller.UserId).IsVerified()) return DoctorVerification.NotVerified();
        IReadOnlyList<Guid> attachments = request.AttachmentIds ?? [];
        if (!await OwnedBy(caller.UserId, attachments)) return NotYourUploads();

        var text = TextNormalization.Normalize(request.Text!).Trim();
        // At PostgreSQL's precision (microseconds): the pushed message and the one read back later are equal.
        var clock = time.GetUtcNow();
        var now = clock.AddTicks(-(clock.Ticks % TimeSpan.TicksPerMicrosecond));
        // As in chat: the patient's words are checked for red flags, the doctor's are the answer.
        var (flags, guidance) = isDoctor ? ([], null) : await RedFlagsOf(caller.UserId, text, now);
        var message = new ConsultationMessage(Id, _lastSeq + 1, caller.UserId, isDoctor ? Roles.Doctor : Roles.Patient, text, attachments, flags, now);
        if (!await store.Append(message))
        {
            // Someone else wrote this seq: pick up where the table is and let the client retry.
            _lastSeq = await store.LastSeq(Id);
            return Outcome.Conflict("SeqTaken", "The thread moved on; send the message again.");
        }
        _lastSeq = message.Seq;
        // Stored before pushed: a node that misses this one-way call sees the gap and reads it back through After.
        await LiveWatchers.Push(w => w.OnConsultationEvent(new ConsultationEvent(Id, message.Seq, message)));
        return Outcome.Ok(new ConsultationMessagePosted(message, guidance));
    }

    public async Task<Outcome<IReadOnlyList<ConsultationMessage>>> Messages(Caller caller, int afterSeq, int limit)
    {
        if (!CanSee(caller)) return Outcome.NotFound();
        var errors = ConsultationRules.ValidateRead(afterSeq, limit);
        if (!errors.IsValid) return Outcome.Invalid(errors);
        return Outcome.Ok(await store.Messages(Id, afterSeq, limit));
    }

    public async Task<Outcome<ConsultationView>> Close(Caller doctor)
    {
        if (_record is null || _record.DoctorId != doctor.UserId) return Outcome.NotFound();
        // Closing twice answers the closed consultation: a retried close is not an error.
        if (_record.Status == ConsultationStatus.Closed) return Outcome.Ok(_record);
        var now = time.GetUtcNow();
        if (!await store.Close(Id, now)) return Closed();
        _record = _record with { Status = ConsultationStatus.Closed, ClosedAt = now };
        // The thread carries only messages, so the close reaches the patient (and their open screen) as a notice; the
        // consultation id as dedupe key, as for the claim, so a retried close tells them once.
        await GrainFactory.GetGrain<IInboxGrain>(_record.PatientId).Add("consultation.closed", "Your consultation was closed",
            "The doctor closed your consultation. You can now rate it.", Id, Id);
        return Outcome.Ok(_record);
    }

    public Task<bool> CanWatch(Caller caller) => Task.FromResult(CanSee(caller));

    public Task<long> Watch(IConsultationWatcher watcher) => Task.FromResult(LiveWatchers.Watch(watcher, _lastSeq));

    public Task Unwatch(IConsultationWatcher watcher)
    {
        LiveWatchers.Unwatch(watcher);
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<ConsultationEvent>> After(long afterSeq, int limit)
    {
        if (_record is null || afterSeq >= _lastSeq) return [];
        var messages = await store.Messages(Id, (int)Math.Max(afterSeq, 0), Math.Clamp(limit, 1, 500));
        return messages.Select(m => new ConsultationEvent(Id, m.Seq, m)).ToList();
    }

    public async Task<Outcome<ConsultationRating>> Rate(Caller patient, RatingRequest request)
    {
        // The claiming doctor sees the consultation but has nothing to rate: for everyone but its patient it is not there.
        if (_record is null || patient.UserId != _record.PatientId) return Outcome.NotFound();
        var errors = RatingRules.Validate(request);
        if (!errors.IsValid) return Outcome.Invalid(errors);
        if (_record.Status != ConsultationStatus.Closed || _record.DoctorId is not { } doctorId)
            return Outcome.Conflict(ConsultationReasons.NotClosed, "Only a consultation its doctor closed can be rated.");

        var rating = new ConsultationRating(Id, doctorId, request.Rating!.Value, RatingRules.CleanComment(request.Comment), time.GetUtcNow());
        var stored = await ratings.Insert(rating, patient.UserId);
        // Also after a refused second rating: the first attempt may have stored its row and lost its silo before the
        // doctor heard of it, and the retry that meets the row is what brings the average up to date.
        await GrainFactory.GetGrain<IDoctorGrain>(doctorId).RefreshRating();
        return stored ? Outcome.Ok(rating) : Outcome.Conflict(ConsultationReasons.AlreadyRated, "This consultation is already rated.");
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ExpiryReminder) return;
        if (_record is { Status: ConsultationStatus.Open } && ExpiryDue() > TimeSpan.Zero)
        {
            // The option was lengthened since this reminder was set: wait for the deadline as it is now.
            await this.RegisterOrUpdateReminder(ExpiryReminder, ExpiryDue(), TimeSpan.FromMinutes(1));
            return;
        }
        if (_record is { Status: ConsultationStatus.Open }) await ExpireNow();
        // Expired by an earlier tick that died before the notice: tell now (the inbox drops a repeat).
        else if (_record is { Status: ConsultationStatus.Expired }) await TellPatientExpired();
        // Claimed, closed, expired and told: nothing left for the reminder to do.
        if (await this.GetReminder(ExpiryReminder) is { } reminder) await this.UnregisterReminder(reminder);
    }

    private TimeSpan ExpiryDue()
    {
        var due = _record!.CreatedAt + options.Value.UnclaimedExpiry - time.GetUtcNow();
        return due > TimeSpan.Zero ? due : TimeSpan.Zero;
    }

    private async Task ExpireNow()
    {
        var now = time.GetUtcNow();
        // Refused when the row is no longer open (a claim through another activation): the table says what it is.
        _record = await store.Expire(Id, now) ? _record! with { Status = ConsultationStatus.Expired, ClosedAt = now } : await store.Get(Id) ?? _record;
        if (_record is { Status: ConsultationStatus.Expired }) await TellPatientExpired();
    }

    private Task TellPatientExpired() =>
        // The consultation id as dedupe key, as for the claim: one notice however often this runs.
        GrainFactory.GetGrain<IInboxGrain>(_record!.PatientId).Add("consultation.expired", "No doctor took your question",
            "Your consultation expired before a doctor took it. Ask again, or book an appointment from the catalog.", Id, Id);

    /// <summary>Its patient, or the doctor who claimed it; nobody else (admins included) learns it exists.</summary>
    private bool CanSee(Caller caller) =>
        _record is not null && (caller.UserId == _record.PatientId || (_record.DoctorId is { } d && caller.UserId == d));

    private async Task<bool> OwnedBy(Guid ownerId, IReadOnlyList<Guid> ids) =>
        ids.Count == 0 || await GrainFactory.GetGrain<IAttachmentGrain>(0).AllOwnedBy(ownerId, ids);

    private async Task<(IReadOnlyList<string> Flags, string? Guidance)> RedFlagsOf(Guid patientId, string text, DateTimeOffset now)
    {
        // The profile's age counts, as in chat: a fever is an emergency in a baby's own account.
        var profile = await GrainFactory.GetGrain<IPatientGrain>(patientId).GetProfile(new Caller(patientId, Roles.Patient));
        var age = PatientAge.InDays(profile, now);
        var flags = RedFlags.DetectAll(text, age);
        var guidance = flags.Count > 0 && RedFlags.Detect(text, age) is { } first
            ? RedFlagGuidance.For(first, profile?.PreferredLanguage, profile?.Country)
            : null;
        return (flags, guidance);
    }

    /// <summary>An inbox notice (pushed by /hubs/notifications) to each verified doctor of the specialty.</summary>
    private async Task TellDoctorsOfSpecialty(ConsultationView c)
    {
        try
        {
            await SpecialtyNotices.Tell(GrainFactory, c.SpecialtyId, doctorId => GrainFactory.GetGrain<IDoctorGrain>(doctorId).IsVerified(),
                "consultation.opened", "A patient is asking a quick question",
                c.RedFlags.Count > 0 ? "It may be urgent: see the open consultations." : "See the open consultations of your specialty.", c.Id);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.LogWarning("Telling the doctors of {Specialty} about consultation {Id} failed: {Error}", c.SpecialtyId, c.Id, e.GetType().Name);
        }
    }

    private static Failure NotYourUploads() => Outcome.Invalid("attachmentIds", "must name files you uploaded (POST /api/attachments)");

    private static Failure AlreadyClaimed() =>
        Outcome.Conflict(ConsultationReasons.AlreadyClaimed, "Another doctor already took this consultation.");

    private static Failure ExpiredConflict() =>
        Outcome.Conflict(ConsultationReasons.Expired, "This consultation expired: no doctor took it in time.");

    private static Failure Closed() => Outcome.Conflict(ConsultationReasons.Closed, "This consultation is closed.");
}

/// <summary>The lists. Stateless: it checks who asks and reads the table.</summary>
[StatelessWorker]
public sealed class ConsultationBoardGrain(IConsultationStore store) : Grain, IConsultationBoardGrain
{
    public async Task<Outcome<ConsultationPage>> Mine(Caller caller, int page, int pageSize) => caller.Role switch
    {
        Roles.Patient => Outcome.Ok(await store.ForPatient(caller.UserId, page, pageSize)),
        // No verification check: these are the consultations the doctor can already open one by one (the claiming
        // doctor keeps reading a thread after losing verification), so the list shows no more than that.
        Roles.Doctor => Outcome.Ok(await store.ForDoctor(caller.UserId, page, pageSize)),
        _ => Outcome.Forbidden("Only patients and doctors have consultations of their own."),
    };

    public async Task<Outcome<ConsultationPage>> Open(Caller doctor, int page, int pageSize)
    {
        if (doctor.Role != Roles.Doctor) return Outcome.Forbidden("Only doctors see open consultations.");
        var grain = GrainFactory.GetGrain<IDoctorGrain>(doctor.UserId);
        if (await grain.GetProfile() is not { } profile || !await grain.IsVerified()) return DoctorVerification.NotVerified();
        return Outcome.Ok(await store.Open(profile.SpecialtyId, page, pageSize));
    }
}
