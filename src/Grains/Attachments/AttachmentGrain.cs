using System.Security.Cryptography;
using HealthActors.Grains.Abstractions.Attachments;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Audit;
using HealthActors.Grains.Cases;
using HealthActors.Grains.Consultations;
using Microsoft.Extensions.Options;

namespace HealthActors.Grains.Attachments;

public sealed class AttachmentOptions
{
    public const string Section = "Attachments";

    /// <summary>
    /// Uploads one user may make in any 24 hours. The per-user request limiter bounds requests per minute; this
    /// bounds what one account can make us store (100 × 10 MB a day at most).
    /// </summary>
    public int UploadsPerDay { get; set; } = 100;
}

/// <summary>
/// Every attachment decision: what may be stored (the bytes' own format, the size, the daily cap), what is removed
/// before storing (image metadata), and who may read it (<see cref="AttachmentAccess"/>, audited when not the owner).
/// A stateless worker: ten megabytes go through it as one message, well below Orleans' 100 MB default body limit.
/// </summary>
[Orleans.Concurrency.StatelessWorker]
public sealed class AttachmentGrain(
    IAttachmentStore store, IAuditLog audit, TimeProvider time, IOptions<AttachmentOptions> options, IConsultationAttachmentLinks consultations,
    ICaseAttachmentLinks cases)
    : Grain, IAttachmentGrain
{
    public const string ReadAction = "attachment.read";
    public const int MaxIdsPerCheck = 50;

    public async Task<Outcome<AttachmentMeta>> Upload(Caller caller, string? fileName, byte[] bytes)
    {
        if (bytes is null || bytes.Length == 0) return Outcome.Invalid(AttachmentRules.Field, "is required and may not be empty");
        if (bytes.Length > AttachmentRules.MaxBytes)
            return Outcome.Invalid(AttachmentRules.Field, $"is larger than {AttachmentRules.MaxBytes} bytes");
        if (AttachmentRules.Sniff(bytes) is not { } format)
            return Outcome.Invalid(AttachmentRules.Field, "is not a PNG, JPEG or PDF file (decided by its content, not its name or declared type)");
        if (MetadataStripper.Strip(bytes, format) is not { } stored)
            return Outcome.Invalid(AttachmentRules.Field, $"looks like {AttachmentRules.ContentType(format)} but its structure is damaged");

        var now = time.GetUtcNow();
        // A soft cap: two uploads racing at the limit may both pass, which costs one file, not the bound.
        if (await store.CountSince(caller.UserId, now.AddDays(-1)) >= options.Value.UploadsPerDay)
            return Outcome.TooMany($"At most {options.Value.UploadsPerDay} uploads in 24 hours.");

        var meta = new AttachmentMeta(Guid.NewGuid(), caller.UserId, Convert.ToHexStringLower(SHA256.HashData(stored)),
            AttachmentRules.ContentType(format), stored.Length, AttachmentRules.SanitizeFileName(fileName, format), now);
        await store.Add(meta, stored);
        return Outcome.Ok(meta);
    }

    public async Task<AttachmentMeta?> Meta(Guid id, Caller caller) => await Authorize(id, caller, "meta");

    public async Task<AttachmentContent?> Download(Guid id, Caller caller)
    {
        if (await Authorize(id, caller, "bytes") is not { } meta) return null;
        return await store.Bytes(meta.Sha256) is { } bytes ? new AttachmentContent(meta, bytes) : null;
    }

    public async Task<bool> AllOwnedBy(Guid ownerId, IReadOnlyList<Guid> ids)
    {
        var distinct = ids.Distinct().ToList();
        if (distinct.Count == 0) return true;
        if (distinct.Count > MaxIdsPerCheck) return false;
        return await store.CountOwned(ownerId, distinct) == distinct.Count;
    }

    /// <summary>The attachment when the caller may read it; a read that is not the owner's is durably audited first.</summary>
    private async Task<AttachmentMeta?> Authorize(Guid id, Caller caller, string what)
    {
        if (await store.Find(id) is not { } meta) return null;
        var basis = AttachmentAccess.ReadBasis(caller, meta);
        // Only asked when nothing simpler allows the read: most reads are the owner's.
        if (basis is null && await consultations.LinkedInConsultationOf(id, meta.OwnerId, caller.UserId))
            basis = AttachmentAccess.ReadBasis(caller, meta, linkedInCallersConsultation: true);
        // Cases are open to every verified doctor, so the link is asked first and the doctor's standing only then.
        if (basis is null && caller.Role == Roles.Doctor && await cases.LinkedInCaseOf(id, meta.OwnerId) && await CaseAccess.Allowed(GrainFactory, caller))
            basis = AttachmentAccess.ReadBasis(caller, meta, linkedInReadableCase: true);
        if (basis is null) return null;
        if (basis != "owner")
            await audit.Record(new AuditEvent(time.GetUtcNow(), caller.UserId, caller.Role, ReadAction, meta.OwnerId, $"{basis} {what} {meta.Id}"));
        return meta;
    }
}
