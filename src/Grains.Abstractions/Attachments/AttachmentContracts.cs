using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;

namespace HealthActors.Grains.Abstractions.Attachments;

/// <summary>What is known about one upload; the bytes are shared with every other upload of the same content.</summary>
[GenerateSerializer, Immutable, Alias("ha.attachments.AttachmentMeta")]
public sealed record AttachmentMeta(
    [property: Id(0)] Guid Id,
    [property: Id(1)] Guid OwnerId,
    [property: Id(2)] string Sha256,
    [property: Id(3)] string ContentType,
    [property: Id(4)] long Size,
    [property: Id(5)] string FileName,
    [property: Id(6)] DateTimeOffset CreatedAt);

/// <summary>The stored (metadata-stripped) bytes with what describes them.</summary>
[GenerateSerializer, Immutable, Alias("ha.attachments.AttachmentContent")]
public sealed record AttachmentContent(
    [property: Id(0)] AttachmentMeta Meta,
    [property: Id(1)] byte[] Bytes);

/// <summary>
/// Upload, read and ownership checks for attachments. Stateless: the content-addressed table is the truth, so any
/// activation on any silo serves any attachment and large uploads do not queue behind one grain.
/// </summary>
[Alias("ha.attachments.IAttachmentGrain")]
public interface IAttachmentGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Checks the bytes are a PNG, JPEG or PDF (by content), strips image metadata and stores them for the caller.
    /// The name is only kept (sanitised) for the download's file name.
    /// </summary>
    [Alias("Upload")] Task<Outcome<AttachmentMeta>> Upload(Caller caller, string? fileName, [Immutable] byte[] bytes);

    /// <summary>The metadata, or null when it does not exist or the caller may not read it (answer 404 either way).</summary>
    [Alias("Meta")] Task<AttachmentMeta?> Meta(Guid id, Caller caller);

    /// <summary>The bytes, or null as for <see cref="Meta"/>. A read by someone other than the owner is audited first.</summary>
    [Alias("Download")] Task<AttachmentContent?> Download(Guid id, Caller caller);

    /// <summary>
    /// True when every id names an attachment uploaded by <paramref name="ownerId"/> (an empty list is true). For the
    /// grains that link attachments to a credential, consultation or case, so nobody links someone else's file.
    /// </summary>
    [Alias("AllOwnedBy")] Task<bool> AllOwnedBy(Guid ownerId, IReadOnlyList<Guid> ids);
}

/// <summary>
/// Who may read an attachment: the one place to widen when consultations, cases and credentials link them.
/// </summary>
public static class AttachmentAccess
{
    /// <summary>How a read was allowed; null when it was not. Anything but "owner" is audited.</summary>
    /// <param name="linkedInCallersConsultation">
    /// Its owner linked it to a consultation (question or thread message) whose patient or claiming doctor the caller
    /// is: the other side of that consultation reads it.
    /// </param>
    /// <param name="linkedInReadableCase">
    /// Its owner linked it to a clinical case they wrote and the caller may read that case (a verified doctor): every
    /// reader of the case reads its files.
    /// </param>
    public static string? ReadBasis(Caller caller, AttachmentMeta attachment, bool linkedInCallersConsultation = false, bool linkedInReadableCase = false) =>
        caller.UserId == attachment.OwnerId ? "owner"
        : caller.IsAdmin ? "admin"
        : linkedInCallersConsultation ? "consultation"
        : linkedInReadableCase ? "case"
        : null;

    public static bool CanRead(Caller caller, AttachmentMeta attachment, bool linkedInCallersConsultation = false, bool linkedInReadableCase = false) =>
        ReadBasis(caller, attachment, linkedInCallersConsultation, linkedInReadableCase) is not null;
}
