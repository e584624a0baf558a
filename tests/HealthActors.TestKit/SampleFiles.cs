using System.Buffers.Binary;
using System.Text;

namespace HealthActors.TestKit;

/// <summary>
/// Small, structurally valid PNG, JPEG and PDF files built byte by byte, with the metadata a phone or a scanner
/// would add (EXIF with GPS, XMP, PNG text chunks), so upload tests can check what survives storage.
/// </summary>
public static class SampleFiles
{
    public static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The GPS latitude reference and an EXIF camera string, easy to look for in the stored bytes.</summary>
    public const string ExifMarkerText = "HealthActorsCam GPS 40.4168N";
    public const string PngTextSecret = "Patient: Ana Garcia, DOB 1980-01-02";

    /// <summary>A 1×1 PNG; with tEXt, iTXt and tIME chunks when <paramref name="withText"/>.</summary>
    public static byte[] Png(bool withText = false, byte pixel = 0x7F)
    {
        using var s = new MemoryStream();
        s.Write(PngSignature);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, 1);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), 1);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 0; // greyscale
        Chunk(s, "IHDR", ihdr);
        if (withText)
        {
            Chunk(s, "tEXt", Encoding.Latin1.GetBytes("Comment\0" + PngTextSecret));
            Chunk(s, "iTXt", Encoding.UTF8.GetBytes("Author\0\0\0\0\0" + PngTextSecret));
            Chunk(s, "tIME", [0x07, 0xE8, 1, 2, 3, 4, 5]);
        }
        // Not a real deflate stream of the pixel: the server never decodes, it only walks chunks.
        Chunk(s, "IDAT", [0x78, 0x9C, 0x63, pixel, 0x00, 0x00, 0x00, 0x82, 0x00, 0x81]);
        Chunk(s, "IEND", []);
        return s.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(len, (uint)data.Length);
        s.Write(len);
        s.Write(Encoding.ASCII.GetBytes(type));
        s.Write(data);
        s.Write(new byte[4]); // CRC: not checked by the server
    }

    /// <summary>The entropy-coded bytes of <see cref="Jpeg"/>'s scan (with a stuffed 0xFF00 and a restart marker), to find after stripping.</summary>
    public static readonly byte[] JpegScanData = [0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD0, 0x78, 0x9A];

    /// <summary>
    /// A baseline JPEG's segments: APP0 JFIF, then (when <paramref name="withExif"/>) APP1 Exif with a GPS IFD, APP1
    /// XMP and a COM, then DQT, SOF0, DHT, SOS, the scan data and EOI.
    /// </summary>
    public static byte[] Jpeg(bool withExif = true)
    {
        using var s = new MemoryStream();
        s.Write([0xFF, 0xD8]);
        Segment(s, 0xE0, [.. "JFIF\0"u8, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
        if (withExif)
        {
            Segment(s, 0xE1, ExifWithGps());
            Segment(s, 0xE1, [.. Encoding.ASCII.GetBytes("http://ns.adobe.com/xap/1.0/\0"), .. Encoding.UTF8.GetBytes("<x:xmpmeta>" + ExifMarkerText + "</x:xmpmeta>")]);
            Segment(s, 0xFE, Encoding.ASCII.GetBytes(ExifMarkerText));
        }
        Segment(s, 0xDB, [0x00, .. Enumerable.Repeat((byte)1, 64)]);
        Segment(s, 0xC0, [8, 0, 1, 0, 1, 1, 1, 0x11, 0]);
        Segment(s, 0xC4, [0x00, 1, .. new byte[15], 0]);
        Segment(s, 0xDA, [1, 1, 0x00, 0, 63, 0]);
        s.Write(JpegScanData);
        s.Write([0xFF, 0xD9]);
        return s.ToArray();
    }

    private static void Segment(Stream s, byte marker, byte[] payload)
    {
        s.Write([0xFF, marker]);
        Span<byte> len = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(len, (ushort)(payload.Length + 2));
        s.Write(len);
        s.Write(payload);
    }

    /// <summary>"Exif\0\0" + a big-endian TIFF with IFD0 pointing at a GPS IFD holding GPSLatitudeRef 'N', plus a Make string.</summary>
    private static byte[] ExifWithGps()
    {
        using var t = new MemoryStream();
        var w = new BinaryWriterBe(t);
        w.Bytes("MM"u8); w.U16(42); w.U32(8);
        // IFD0 at 8: two entries (Make -> string at 56, GPSInfo -> IFD at 38), next IFD 0.
        w.U16(2);
        w.U16(0x010F); w.U16(2); w.U32((uint)ExifMarkerText.Length + 1); w.U32(56);
        w.U16(0x8825); w.U16(4); w.U32(1); w.U32(38);
        w.U32(0);
        // GPS IFD at 38: GPSLatitudeRef = "N".
        w.U16(1);
        w.U16(0x0001); w.U16(2); w.U32(2); w.Bytes("N\0\0\0"u8);
        w.U32(0);
        w.Bytes(Encoding.ASCII.GetBytes(ExifMarkerText + "\0"));
        return [.. "Exif\0\0"u8, .. t.ToArray()];
    }

    private sealed class BinaryWriterBe(Stream s)
    {
        public void U16(ushort v) { Span<byte> b = stackalloc byte[2]; BinaryPrimitives.WriteUInt16BigEndian(b, v); s.Write(b); }
        public void U32(uint v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32BigEndian(b, v); s.Write(b); }
        public void Bytes(ReadOnlySpan<byte> b) => s.Write(b);
    }

    /// <summary>A PDF header padded with a comment to exactly <paramref name="size"/> bytes.</summary>
    public static byte[] Pdf(int size = 64)
    {
        var bytes = new byte[size];
        Array.Fill(bytes, (byte)' ');
        "%PDF-1.7\n%"u8.CopyTo(bytes);
        bytes[^1] = (byte)'\n';
        return bytes;
    }

    public static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);
}
