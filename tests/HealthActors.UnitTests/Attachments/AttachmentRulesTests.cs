using System.Text;
using HealthActors.Grains.Abstractions.Attachments;
using HealthActors.TestKit;

namespace HealthActors.UnitTests.Attachments;

public sealed class AttachmentRulesTests
{
    [Fact]
    public void The_format_comes_from_the_bytes()
    {
        Assert.Equal(AttachmentFormat.Png, AttachmentRules.Sniff(SampleFiles.Png()));
        Assert.Equal(AttachmentFormat.Jpeg, AttachmentRules.Sniff(SampleFiles.Jpeg()));
        Assert.Equal(AttachmentFormat.Pdf, AttachmentRules.Sniff(SampleFiles.Pdf()));
        Assert.Null(AttachmentRules.Sniff("<html><script>alert(1)</script></html>"u8));
        Assert.Null(AttachmentRules.Sniff([]));
        // A PNG signature without its IHDR, and a bare JPEG SOI, are not enough.
        Assert.Null(AttachmentRules.Sniff(SampleFiles.PngSignature.Concat(new byte[30]).ToArray()));
        Assert.Null(AttachmentRules.Sniff([0xFF, 0xD8, 0x00, 0x00, 0x00]));
        Assert.Null(AttachmentRules.Sniff(" %PDF-1.7"u8));
    }

    [Fact]
    public void Jpeg_loses_exif_xmp_and_comments_but_keeps_jfif_and_the_scan()
    {
        var original = SampleFiles.Jpeg(withExif: true);
        var stripped = MetadataStripper.StripJpeg(original)!;

        Assert.NotNull(stripped);
        Assert.Equal(SampleFiles.Jpeg(withExif: false), stripped);
        Assert.Equal(-1, SampleFiles.IndexOf(stripped, "Exif\0\0"u8));
        Assert.Equal(-1, SampleFiles.IndexOf(stripped, Encoding.ASCII.GetBytes(SampleFiles.ExifMarkerText)));
        Assert.True(SampleFiles.IndexOf(stripped, "JFIF\0"u8) > 0);
        Assert.True(SampleFiles.IndexOf(stripped, SampleFiles.JpegScanData) > 0);
    }

    [Fact]
    public void Jpeg_keeps_the_segments_decoding_needs_and_drops_data_after_eoi()
    {
        byte[] icc = [0xFF, 0xE2, 0x00, 0x10, .. "ICC_PROFILE\0"u8, 1, 1];
        byte[] adobe = [0xFF, 0xEE, 0x00, 0x0E, .. "Adobe"u8, 0, 100, 0, 0, 0, 0, 1];
        var plain = SampleFiles.Jpeg(withExif: false);
        byte[] withExtras = [.. plain[..2], .. icc, .. adobe, .. plain[2..], .. "trailing secret"u8];

        var stripped = MetadataStripper.StripJpeg(withExtras)!;

        Assert.Equal([.. plain[..2], .. icc, .. adobe, .. plain[2..]], stripped);
    }

    [Theory]
    [InlineData(10)]   // inside a segment's length
    [InlineData(3)]    // inside the first marker
    public void A_truncated_jpeg_header_is_refused(int keep) =>
        Assert.Null(MetadataStripper.StripJpeg(SampleFiles.Jpeg()[..keep]));

    [Fact]
    public void Png_loses_text_and_time_chunks_only()
    {
        var stripped = MetadataStripper.StripPng(SampleFiles.Png(withText: true))!;

        Assert.Equal(SampleFiles.Png(withText: false), stripped);
        Assert.Equal(-1, SampleFiles.IndexOf(stripped, "tEXt"u8));
        Assert.Equal(-1, SampleFiles.IndexOf(stripped, Encoding.UTF8.GetBytes(SampleFiles.PngTextSecret)));
    }

    [Fact]
    public void A_png_without_iend_or_with_a_chunk_past_the_end_is_refused()
    {
        var png = SampleFiles.Png();
        Assert.Null(MetadataStripper.StripPng(png[..^12]));
        var broken = (byte[])png.Clone();
        broken[8] = 0x7F; // IHDR claims about 2 GB
        Assert.Null(MetadataStripper.StripPng(broken));
    }

    [Theory]
    [InlineData("scan.pdf", AttachmentFormat.Png, "scan.png")]
    [InlineData("../../etc/passwd", AttachmentFormat.Pdf, "passwd.pdf")]
    [InlineData("C:\\Users\\ana\\radiografía.JPG", AttachmentFormat.Jpeg, "radiografía.jpg")]
    [InlineData("a\"b;c\r\nd.png", AttachmentFormat.Png, "a_b_c__d.png")]
    [InlineData(".hidden", AttachmentFormat.Png, "hidden.png")]
    [InlineData(null, AttachmentFormat.Pdf, "attachment.pdf")]
    [InlineData("", AttachmentFormat.Jpeg, "attachment.jpg")]
    public void File_names_are_reduced_to_safe_characters_and_the_real_extension(string? sent, AttachmentFormat format, string stored) =>
        Assert.Equal(stored, AttachmentRules.SanitizeFileName(sent, format));

    [Fact]
    public void Long_names_are_cut_to_the_limit_keeping_the_extension()
    {
        var name = AttachmentRules.SanitizeFileName(new string('x', 500) + ".png", AttachmentFormat.Png);
        Assert.Equal(AttachmentRules.MaxFileNameLength, name.Length);
        Assert.EndsWith(".png", name);
    }
}
