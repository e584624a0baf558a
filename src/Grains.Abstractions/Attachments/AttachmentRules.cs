using System.Buffers.Binary;
using System.Text;

namespace HealthActors.Grains.Abstractions.Attachments;

/// <summary>The kinds of file an attachment may be, with the one content type and extension each is stored under.</summary>
public enum AttachmentFormat
{
    Png,
    Jpeg,
    Pdf,
}

public static class AttachmentRules
{
    /// <summary>The largest file accepted: 10 MiB (10 × 1024 × 1024 bytes), before metadata is stripped.</summary>
    public const int MaxBytes = 10 * 1024 * 1024;
    public const int MaxFileNameLength = 100;
    public const string Field = "file";

    public static string ContentType(AttachmentFormat format) => format switch
    {
        AttachmentFormat.Png => "image/png",
        AttachmentFormat.Jpeg => "image/jpeg",
        _ => "application/pdf",
    };

    public static string Extension(AttachmentFormat format) => format switch
    {
        AttachmentFormat.Png => ".png",
        AttachmentFormat.Jpeg => ".jpg",
        _ => ".pdf",
    };

    /// <summary>
    /// The format the bytes are, from their signature alone (the name and the declared type are never asked):
    /// PNG signature followed by an IHDR chunk, JPEG SOI followed by a marker, or a "%PDF-" header. Null otherwise.
    /// </summary>
    public static AttachmentFormat? Sniff(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= 8 + 8 + 13 + 4 && bytes[..8].SequenceEqual(PngSignature)
            && BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]) == 13 && bytes.Slice(12, 4).SequenceEqual("IHDR"u8))
            return AttachmentFormat.Png;
        // SOI, then the 0xFF of the first segment's marker and a marker byte a JPEG may open with (APPn, DQT, DHT,
        // SOFn, DRI, COM): a file that merely starts with FF D8 is not enough.
        if (bytes.Length >= 4 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF && IsOpeningJpegMarker(bytes[3]))
            return AttachmentFormat.Jpeg;
        if (bytes.StartsWith("%PDF-"u8)) return AttachmentFormat.Pdf;
        return null;
    }

    private static bool IsOpeningJpegMarker(byte m) =>
        m is >= 0xE0 and <= 0xEF or 0xDB or 0xC4 or 0xDD or 0xFE
        || (m is >= 0xC0 and <= 0xCF && m is not 0xC4 and not 0xC8 and not 0xCC);

    internal static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// The name a download offers: the last path segment of what the client sent, reduced to letters, digits and
    /// " .-_()", at most <see cref="MaxFileNameLength"/> characters, with the extension of the format the bytes really
    /// are (a PNG sent as "scan.pdf" is offered as "scan.png", so no download's name disagrees with its bytes).
    /// </summary>
    public static string SanitizeFileName(string? fileName, AttachmentFormat format)
    {
        var name = fileName ?? "";
        var slash = name.LastIndexOfAny(['/', '\\']);
        if (slash >= 0) name = name[(slash + 1)..];
        var dot = name.LastIndexOf('.');
        if (dot > 0) name = name[..dot];
        var clean = new StringBuilder(name.Length);
        foreach (var c in name.Normalize(NormalizationForm.FormC))
            clean.Append(char.IsLetterOrDigit(c) || c is ' ' or '-' or '_' or '(' or ')' or '.' ? c : '_');
        // Leading dots would make a hidden file on the reader's disk.
        var stem = clean.ToString().Trim().TrimStart('.');
        var ext = Extension(format);
        if (stem.Length == 0) stem = "attachment";
        if (stem.Length > MaxFileNameLength - ext.Length) stem = stem[..(MaxFileNameLength - ext.Length)].TrimEnd();
        return stem + ext;
    }
}
