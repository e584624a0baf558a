using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Abstractions.Notifications;
using HealthActors.Grains.Abstractions.Verification;
using HealthActors.Grains.Audit;
using Orleans.Concurrency;

namespace HealthActors.Grains.Verification;

/// <summary>
/// One doctor's credential submissions. Holds no state of its own (the table is the record); being the single
/// activation per doctor is what makes "check nothing is pending, then insert" safe, with the table's unique index behind it.
/// </summary>
public sealed class CredentialsGrain(ICredentialStore store, ICredentialAttachments attachments, IAuditLog audit, TimeProvider time)
    : Grain, ICredentialsGrain
{
    private Guid DoctorId => this.GetPrimaryKey();

    public async Task<Outcome<CredentialRecord>> Submit(Caller caller, CredentialSubmission submission)
    {
        if (caller.UserId != DoctorId || caller.Role != Roles.Doctor) return Outcome.Forbidden("Only the doctor submits their own credentials.");
        var now = time.GetUtcNow();
        var errors = DoctorCredentialRules.Validate(submission, now.Year);
        if (!errors.IsValid) return Outcome.Invalid(errors);
        IReadOnlyList<Guid> ids = submission.AttachmentIds ?? [];
        if (await attachments.AllOwnedBy(DoctorId, ids) is { } refused) return refused;
        if ((await store.ForDoctor(DoctorId)).Any(r => r.Status == CredentialStatus.Pending)) return Pending();

        var record = new CredentialRecord(Guid.NewGuid(), DoctorId, submission.LicenseNumber!, Clean(submission.IssuingAuthority),
            Clean(submission.Institution), Clean(submission.Degree), submission.GraduationYear!.Value, ids, CredentialStatus.Pending, now);
        return await store.Insert(record) ? Outcome.Ok(record) : Pending();
    }

    public async Task<IReadOnlyList<CredentialRecord>?> List(Caller caller) =>
        caller.UserId == DoctorId ? await store.ForDoctor(DoctorId) : null;

    public async Task<Outcome<CredentialRecord>> Decide(Caller admin, Guid submissionId, bool approve, string? reason)
    {
        if (!admin.IsAdmin) return Outcome.Forbidden("Only an admin reviews credentials.");
        var errors = DoctorCredentialRules.ValidateDecision(approve, reason);
        if (!errors.IsValid) return Outcome.Invalid(errors);
        var record = await store.Get(submissionId);
        if (record is null || record.DoctorId != DoctorId) return Outcome.NotFound();
        var doctor = GrainFactory.GetGrain<IDoctorGrain>(DoctorId);
        if (record.Status != CredentialStatus.Pending)
        {
            // An approval whose doctor was not marked (the call failed after the decision was stored) is finished by the retry.
            if (record.Status == CredentialStatus.Approved) await doctor.MarkVerified();
            return Outcome.Conflict(DoctorVerification.AlreadyDecidedReason, $"This submission was already {record.Status}.");
        }

        var now = time.GetUtcNow();
        var status = approve ? CredentialStatus.Approved : CredentialStatus.Rejected;
        var note = reason is null ? null : TextNormalization.Normalize(reason).Trim() is { Length: > 0 } t ? t : null;
        // Audited before it is stored, as other admin decisions are: no decision exists without its audit event.
        await audit.Record(new AuditEvent(now, admin.UserId, admin.Role, $"credentials.{status}", DoctorId, $"submission {submissionId}"));
        if (!await store.Decide(submissionId, status, note, admin.UserId, now))
            return Outcome.Conflict(DoctorVerification.AlreadyDecidedReason, "This submission was already decided.");
        if (approve) await doctor.MarkVerified();

        // The submission id as dedupe key: a retried decision never notifies twice.
        await GrainFactory.GetGrain<IInboxGrain>(DoctorId).Add($"credentials.{status}",
            approve ? "Credentials approved" : "Credentials rejected",
            approve ? "Your credentials were approved: you are now a verified doctor." : $"Your credentials were rejected: {note}",
            submissionId, submissionId);
        return Outcome.Ok(record with { Status = status, Reason = note, DecidedBy = admin.UserId, DecidedAt = now });
    }

    private static string Clean(string? text) => TextNormalization.Normalize(text!).Trim();

    private static Failure Pending() =>
        Outcome.Conflict(DoctorVerification.PendingReason, "A submission is already waiting for review; wait for its decision.");
}

/// <summary>The admins' view across doctors. Stateless: it reads the table and hands each decision to the doctor's grain.</summary>
[StatelessWorker]
public sealed class CredentialReviewGrain(ICredentialStore store) : Grain, ICredentialReviewGrain
{
    public async Task<CredentialPage> List(Caller admin, string status, int page, int pageSize)
    {
        if (!admin.IsAdmin) throw new AccessDeniedException("Only an admin reviews credentials.");
        if (!CredentialStatus.All.Contains(status))
            throw new DomainValidationException(new Dictionary<string, string[]> { ["status"] = ["must be one of: " + string.Join(", ", CredentialStatus.All)] });
        return await store.List(status, page, pageSize);
    }

    public async Task<Outcome<CredentialRecord>> Decide(Caller admin, Guid submissionId, bool approve, string? reason)
    {
        if (!admin.IsAdmin) return Outcome.Forbidden("Only an admin reviews credentials.");
        var record = await store.Get(submissionId);
        if (record is null) return Outcome.NotFound();
        return await GrainFactory.GetGrain<ICredentialsGrain>(record.DoctorId).Decide(admin, submissionId, approve, reason);
    }
}
