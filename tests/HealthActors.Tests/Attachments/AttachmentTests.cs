using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Attachments;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace HealthActors.Tests.Attachments;

/// <summary>The attachments' upload rules, storage and download access through the Api (embedded silo, real PostgreSQL).</summary>
public sealed class AttachmentTests(AttachmentTests.Factory factory) : IClassFixture<AttachmentTests.Factory>
{
    /// <summary>A low daily cap so one test can reach it; every other test uploads as a fresh user.</summary>
    public sealed class Factory : ApiFactory
    {
        public const int UploadsPerDay = 4;
        protected override IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
        {
            ["Attachments:UploadsPerDay"] = UploadsPerDay.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    private readonly HttpClient _http = factory.CreateClient();

    private static HttpContent Multipart(byte[] bytes, string fileName, string declaredType, string field = "file")
    {
        var part = new ByteArrayContent(bytes);
        part.Headers.ContentType = new MediaTypeHeaderValue(declaredType);
        return new MultipartFormDataContent { { part, field, fileName } };
    }

    private async Task<HttpResponseMessage> Upload(string? token, HttpContent content)
    {
        var request = ApiClientExtensions.Authed(HttpMethod.Post, "/api/attachments", token);
        request.Content = content;
        return await _http.SendAsync(request);
    }

    private async Task<JsonObject> UploadOk(TestUser user, byte[] bytes, string fileName, string declaredType)
    {
        var response = await Upload(user.Tokens.AccessToken, Multipart(bytes, fileName, declaredType));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"expected 201, got {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    private async Task<HttpResponseMessage> Get(string url, string? token) =>
        await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, url, token));

    private static async Task<long> Count(string sql, params object[] args)
    {
        await using var db = NpgsqlDataSource.Create(TestEnvironment.Postgres);
        await using var cmd = db.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.AddWithValue(a);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    private static void AssertNamesFile(JsonObject problem) =>
        Assert.True(problem["errors"]?["file"] is not null || problem["field"]?.GetValue<string>() == "file", problem.ToJsonString());

    [Fact]
    public async Task A_png_named_pdf_is_stored_as_png_with_the_real_extension()
    {
        var user = await _http.RegisterAsync();
        var png = SampleFiles.Png();

        var created = await UploadOk(user, png, "report.pdf", "application/pdf");

        Assert.Equal("image/png", created["contentType"]!.GetValue<string>());
        Assert.Equal("report.png", created["fileName"]!.GetValue<string>());
        Assert.Equal(png.Length, created["size"]!.GetValue<long>());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(png)), created["sha256"]!.GetValue<string>());
        // ISO 8601 with an offset on the wire.
        Assert.EndsWith("+00:00", created["createdAt"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("html declared as png", "<!doctype html><html><script>alert(document.cookie)</script></html>", "image/png", "photo.png")]
    [InlineData("text named jpg", "just some text, not an image", "image/jpeg", "x.jpg")]
    [InlineData("a png signature with nothing after", "\u0089PNG\r\n\u001a\n", "image/png", "x.png")]
    public async Task Content_that_is_not_png_jpeg_or_pdf_is_refused_naming_file(string _, string text, string declared, string name)
    {
        var user = await _http.RegisterAsync();
        var response = await Upload(user.Tokens.AccessToken, Multipart(Encoding.Latin1.GetBytes(text), name, declared));
        AssertNamesFile(await response.ProblemAsync(HttpStatusCode.BadRequest));
        Assert.Equal(0, await Count("SELECT count(*) FROM attachments WHERE owner_id = $1", user.Id));
    }

    [Fact]
    public async Task Missing_empty_or_non_multipart_uploads_are_400_naming_file()
    {
        var user = await _http.RegisterAsync();
        var token = user.Tokens.AccessToken;
        AssertNamesFile(await (await Upload(token, Multipart([], "empty.png", "image/png"))).ProblemAsync(HttpStatusCode.BadRequest));
        AssertNamesFile(await (await Upload(token, Multipart(SampleFiles.Png(), "a.png", "image/png", field: "document"))).ProblemAsync(HttpStatusCode.BadRequest));
        AssertNamesFile(await (await Upload(token, new StringContent("{}", Encoding.UTF8, "application/json"))).ProblemAsync(HttpStatusCode.BadRequest));
        Assert.Equal(0, await Count("SELECT count(*) FROM attachments WHERE owner_id = $1", user.Id));
    }

    [Fact]
    public async Task Exactly_10_mib_is_stored_and_one_byte_more_is_413_naming_file()
    {
        var user = await _http.RegisterAsync();
        var clock = Stopwatch.StartNew();

        var tooLarge = await Upload(user.Tokens.AccessToken, Multipart(SampleFiles.Pdf(AttachmentRules.MaxBytes + 1), "big.pdf", "application/pdf"));
        AssertNamesFile(await tooLarge.ProblemAsync(HttpStatusCode.RequestEntityTooLarge));
        Assert.Equal(0, await Count("SELECT count(*) FROM attachments WHERE owner_id = $1", user.Id));

        var created = await UploadOk(user, SampleFiles.Pdf(AttachmentRules.MaxBytes), "max.pdf", "application/pdf");
        Assert.Equal(AttachmentRules.MaxBytes, created["size"]!.GetValue<long>());
        var download = await Get($"/api/attachments/{created["id"]}", user.Tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(AttachmentRules.MaxBytes, (await download.Content.ReadAsByteArrayAsync()).Length);
        // The full-size round trip must stay cheap enough to keep in the suite.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"10 MiB round trip took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_jpeg_with_gps_exif_is_stored_without_it_and_keeps_its_image_data()
    {
        var user = await _http.RegisterAsync();
        var created = await UploadOk(user, SampleFiles.Jpeg(withExif: true), "IMG_0001.JPG", "image/jpeg");

        var stored = await (await Get($"/api/attachments/{created["id"]}", user.Tokens.AccessToken)).Content.ReadAsByteArrayAsync();

        Assert.Equal("image/jpeg", created["contentType"]!.GetValue<string>());
        Assert.Equal([0xFF, 0xD8], stored[..2]);
        Assert.Equal([0xFF, 0xD9], stored[^2..]);
        Assert.Equal(-1, SampleFiles.IndexOf(stored, "Exif\0\0"u8));
        Assert.Equal(-1, SampleFiles.IndexOf(stored, Encoding.ASCII.GetBytes(SampleFiles.ExifMarkerText)));
        Assert.True(SampleFiles.IndexOf(stored, SampleFiles.JpegScanData) > 0, "the scan data is gone");
        Assert.Equal(stored.Length, created["size"]!.GetValue<long>());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stored)), created["sha256"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_png_loses_its_text_chunks()
    {
        var user = await _http.RegisterAsync();
        var created = await UploadOk(user, SampleFiles.Png(withText: true), "scan.png", "image/png");

        var stored = await (await Get($"/api/attachments/{created["id"]}", user.Tokens.AccessToken)).Content.ReadAsByteArrayAsync();

        Assert.Equal(SampleFiles.Png(withText: false), stored);
    }

    [Fact]
    public async Task The_same_file_twice_gives_two_ids_over_one_stored_copy()
    {
        var a = await _http.RegisterAsync();
        var b = await _http.RegisterAsync();
        // Content no other run uploads, so the blob count is this test's alone.
        var unique = SampleFiles.Pdf(100);
        Encoding.ASCII.GetBytes(Guid.NewGuid().ToString("N")).CopyTo(unique, 20);

        var first = await UploadOk(a, unique, "one.pdf", "application/pdf");
        var second = await UploadOk(b, unique, "two.pdf", "application/pdf");

        Assert.NotEqual(first["id"]!.GetValue<Guid>(), second["id"]!.GetValue<Guid>());
        Assert.Equal(first["sha256"]!.GetValue<string>(), second["sha256"]!.GetValue<string>());
        Assert.Equal(1, await Count("SELECT count(*) FROM attachment_blobs WHERE sha256 = $1", first["sha256"]!.GetValue<string>()));
        Assert.Equal(2, await Count("SELECT count(*) FROM attachments WHERE sha256 = $1", first["sha256"]!.GetValue<string>()));
        // Sharing bytes shares nothing else: each owner reads only their own upload.
        Assert.Equal(HttpStatusCode.NotFound, (await Get($"/api/attachments/{first["id"]}", b.Tokens.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task Only_the_owner_and_an_audited_admin_read_an_attachment()
    {
        var owner = await _http.RegisterAsync();
        var other = await _http.RegisterAsync();
        var doctor = await _http.RegisterDoctorAsync();
        var admin = await _http.LoginAdminAsync();
        var png = SampleFiles.Png();
        var id = (await UploadOk(owner, png, "x-ray.png", "image/png"))["id"]!.GetValue<Guid>();
        var audited = "SELECT count(*) FROM audit_events WHERE actor_id = $1 AND action = 'attachment.read' AND subject_id = $2";

        foreach (var (who, token) in new[] { ("other patient", other.Tokens.AccessToken), ("doctor", doctor.Tokens.AccessToken) })
        {
            Assert.True(HttpStatusCode.NotFound == (await Get($"/api/attachments/{id}", token)).StatusCode, who);
            Assert.True(HttpStatusCode.NotFound == (await Get($"/api/attachments/{id}/meta", token)).StatusCode, who);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await Get($"/api/attachments/{id}", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Get($"/api/attachments/{id}/meta", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Upload(null, Multipart(png, "a.png", "image/png"))).StatusCode);
        // An unknown id answers exactly like someone else's.
        Assert.Equal(HttpStatusCode.NotFound, (await Get($"/api/attachments/{Guid.NewGuid()}", owner.Tokens.AccessToken)).StatusCode);

        var mine = await Get($"/api/attachments/{id}", owner.Tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        Assert.Equal(png, await mine.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, (await Get($"/api/attachments/{id}/meta", owner.Tokens.AccessToken)).StatusCode);
        Assert.Equal(0, await Count("SELECT count(*) FROM audit_events WHERE action = 'attachment.read' AND subject_id = $1", owner.Id));

        var asAdmin = await Get($"/api/attachments/{id}", admin.Tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, asAdmin.StatusCode);
        Assert.Equal(png, await asAdmin.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, await Count(audited, admin.Id, owner.Id));
        var meta = JsonNode.Parse(await (await Get($"/api/attachments/{id}/meta", admin.Tokens.AccessToken)).Content.ReadAsStringAsync())!;
        Assert.Equal("x-ray.png", meta["fileName"]!.GetValue<string>());
        Assert.Equal(2, await Count(audited, admin.Id, owner.Id));
    }

    [Fact]
    public async Task A_download_is_an_attachment_with_its_stored_type_and_nosniff()
    {
        var user = await _http.RegisterAsync();
        var id = (await UploadOk(user, SampleFiles.Pdf(), "Lab results (final); v2.pdf", "application/pdf"))["id"];

        var response = await Get($"/api/attachments/{id}", user.Tokens.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("Lab results (final)_ v2.pdf", response.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task AllOwnedBy_is_true_only_when_every_id_is_the_owners()
    {
        var owner = await _http.RegisterAsync();
        var other = await _http.RegisterAsync();
        var a = (await UploadOk(owner, SampleFiles.Pdf(), "a.pdf", "application/pdf"))["id"]!.GetValue<Guid>();
        var b = (await UploadOk(owner, SampleFiles.Png(), "b.png", "image/png"))["id"]!.GetValue<Guid>();
        var theirs = (await UploadOk(other, SampleFiles.Pdf(), "c.pdf", "application/pdf"))["id"]!.GetValue<Guid>();
        var grain = factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IAttachmentGrain>(0);

        Assert.True(await grain.AllOwnedBy(owner.Id, [a, b, a]));
        Assert.True(await grain.AllOwnedBy(owner.Id, []));
        Assert.False(await grain.AllOwnedBy(owner.Id, [a, theirs]));
        Assert.False(await grain.AllOwnedBy(owner.Id, [a, Guid.NewGuid()]));
        Assert.False(await grain.AllOwnedBy(other.Id, [a]));
    }

    [Fact]
    public async Task Uploads_past_the_daily_cap_are_429_and_store_nothing()
    {
        var user = await _http.RegisterAsync();
        for (var i = 0; i < Factory.UploadsPerDay; i++) await UploadOk(user, SampleFiles.Pdf(), $"{i}.pdf", "application/pdf");

        var refused = await Upload(user.Tokens.AccessToken, Multipart(SampleFiles.Pdf(), "one-more.pdf", "application/pdf"));

        await refused.ProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal(Factory.UploadsPerDay, await Count("SELECT count(*) FROM attachments WHERE owner_id = $1", user.Id));
    }
}
