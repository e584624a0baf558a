using System.Buffers.Binary;

namespace HealthActors.Grains.Abstractions.Attachments;

/// <summary>
/// Removes what could identify a person from an image's bytes while keeping what decoding needs, by walking the
/// file's own structure (JPEG segments, PNG chunks); pixels are never decoded or re-encoded, so the image is the
/// same one. A structure that does not hold together is refused (null) rather than stored half-understood.
/// PDF is stored as sent: its metadata lives in objects that need a real PDF parser to rewrite.
/// </summary>
public static class MetadataStripper
{
    public static byte[]? Strip(byte[] bytes, AttachmentFormat format) => format switch
    {
        AttachmentFormat.Jpeg => StripJpeg(bytes),
        AttachmentFormat.Png => StripPng(bytes),
        _ => bytes,
    };

    /// <summary>
    /// Keeps every segment except APPn (Exif, XMP, IPTC, maker notes, thumbnails...) and COM (free text), with
    /// three APPn exceptions that decoding needs: APP0 "JFIF", APP2 "ICC_PROFILE" (the colours) and APP14 "Adobe"
    /// (the colour transform). Entropy-coded data after each SOS is copied untouched; anything after EOI is dropped.
    /// </summary>
    public static byte[]? StripJpeg(byte[] bytes)
    {
        if (bytes.Length < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8) return null;
        using var output = new MemoryStream(bytes.Length);
        output.Write(bytes, 0, 2);
        var pos = 2;
        var sawScan = false;
        while (pos < bytes.Length)
        {
            if (bytes[pos] != 0xFF) return null;
            // Any number of 0xFF fill bytes may precede a marker.
            while (pos < bytes.Length && bytes[pos] == 0xFF) pos++;
            if (pos >= bytes.Length) return null;
            var marker = bytes[pos++];
            if (marker == 0xD9)
            {
                output.Write([0xFF, 0xD9]);
                return sawScan ? output.ToArray() : null;
            }
            // Standalone markers carry no length.
            if (marker is >= 0xD0 and <= 0xD7 or 0x01)
            {
                output.Write([0xFF, marker]);
                continue;
            }
            if (marker is 0x00 or 0xD8) return null;
            if (pos + 2 > bytes.Length) return null;
            var length = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(pos));
            if (length < 2 || pos + length > bytes.Length) return null;
            var payload = bytes.AsSpan(pos + 2, length - 2);
            if (!IsMetadata(marker, payload))
            {
                output.Write([0xFF, marker]);
                output.Write(bytes, pos, length);
            }
            pos += length;
            if (marker != 0xDA) continue;

            // Entropy-coded data runs to the next marker that is neither a stuffed 0xFF00 nor a restart marker.
            sawScan = true;
            var start = pos;
            while (pos + 1 < bytes.Length && !(bytes[pos] == 0xFF && bytes[pos + 1] is not 0x00 and not (>= 0xD0 and <= 0xD7) and not 0xFF))
                pos++;
            if (pos + 1 >= bytes.Length)
            {
                // A file cut short after its scan (no EOI) still decodes in every viewer; keep its data and close it.
                output.Write(bytes, start, bytes.Length - start);
                output.Write([0xFF, 0xD9]);
                return output.ToArray();
            }
            output.Write(bytes, start, pos - start);
        }
        return null;
    }

    private static bool IsMetadata(byte marker, ReadOnlySpan<byte> payload) => marker switch
    {
        0xFE => true,
        0xE0 => !payload.StartsWith("JFIF\0"u8),
        0xE2 => !payload.StartsWith("ICC_PROFILE\0"u8),
        0xEE => !payload.StartsWith("Adobe"u8),
        >= 0xE1 and <= 0xEF => true,
        _ => false,
    };

    /// <summary>The text and time chunks (tEXt, zTXt, iTXt, tIME) and eXIf are dropped; every other chunk is kept as is.</summary>
    public static byte[]? StripPng(byte[] bytes)
    {
        var signature = AttachmentRules.PngSignature;
        if (bytes.Length < signature.Length || !bytes.AsSpan(0, signature.Length).SequenceEqual(signature)) return null;
        using var output = new MemoryStream(bytes.Length);
        output.Write(signature);
        var pos = signature.Length;
        var first = true;
        while (pos + 12 <= bytes.Length)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(pos));
            if (length > int.MaxValue || pos + 12L + length > bytes.Length) return null;
            var type = bytes.AsSpan(pos + 4, 4);
            if (first && !type.SequenceEqual("IHDR"u8)) return null;
            first = false;
            var total = 12 + (int)length;
            if (!IsPngMetadata(type)) output.Write(bytes, pos, total);
            pos += total;
            if (type.SequenceEqual("IEND"u8)) return output.ToArray();
        }
        // No IEND: a truncated or padded file, refused rather than guessed at.
        return null;
    }

    private static bool IsPngMetadata(ReadOnlySpan<byte> type) =>
        type.SequenceEqual("tEXt"u8) || type.SequenceEqual("zTXt"u8) || type.SequenceEqual("iTXt"u8)
        || type.SequenceEqual("tIME"u8) || type.SequenceEqual("eXIf"u8);
}
