using System.Security.Claims;
using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Attachments;
using HealthActors.Grains.Abstractions.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;

namespace HealthActors.Api.Endpoints;

/// <summary>Files that consultations, cases and credentials link to: upload, metadata and download.</summary>
public static class AttachmentEndpoints
{
    /// <summary>Room for the multipart boundaries and part headers around a file of the largest size.</summary>
    public const long EnvelopeBytes = 64 * 1024;

    public sealed record AttachmentView(Guid Id, string Sha256, string ContentType, long Size, string FileName, DateTimeOffset CreatedAt);

    public static void MapAttachmentEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/attachments").WithTags("Attachments").RequireAuthorization();
        group.MapPost("/", Upload).WithName("UploadAttachment")
            .WithSummary("Upload a PNG, JPEG or PDF of at most 10 MiB as multipart/form-data field 'file' (anything else: 400 naming 'file'). The format is read from the bytes; image metadata (EXIF, GPS, XMP, text chunks) is removed before storing.")
            // No Accepts("multipart/form-data"): routing would answer another media type with a bare 415, and a
            // client must be told which field is wrong; the body is read and checked by hand below.
            .WithMetadata(new RequestSizeLimitAttribute(AttachmentRules.MaxBytes + EnvelopeBytes))
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                // The body is read by hand (above), so the generator cannot see it: describe the form here.
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["multipart/form-data"] = new()
                        {
                            Schema = new OpenApiSchema
                            {
                                Type = JsonSchemaType.Object,
                                Required = new HashSet<string> { "file" },
                                Properties = new Dictionary<string, IOpenApiSchema>
                                {
                                    ["file"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "A PNG, JPEG or PDF of at most 10 MiB." },
                                },
                            },
                        },
                    },
                };
                return Task.CompletedTask;
            });
        group.MapGet("/{id:guid}", Download).WithName("DownloadAttachment")
            .WithSummary("The stored bytes, as a download (Content-Disposition: attachment). The owner, or an admin (audited); anyone else 404.")
            .Produces<Stream>(StatusCodes.Status200OK, "image/png", "image/jpeg", "application/pdf");
        group.MapGet("/{id:guid}/meta", Meta).WithName("GetAttachmentMeta")
            .WithSummary("What is stored for an attachment: sha256, content type, size, file name, created at. Same access as the download.");
    }

    public static AttachmentView View(AttachmentMeta m) => new(m.Id, m.Sha256, m.ContentType, m.Size, m.FileName, m.CreatedAt);

    private static async Task<Results<Created<AttachmentView>, ProblemHttpResult>> Upload(HttpRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        var file = await ReadFile(request);
        if (file.Problem is not null) return file.Problem;
        var outcome = await grains.GetGrain<IAttachmentGrain>(0).Upload(user.ToCaller(), file.Name, file.Bytes!);
        if (!outcome.IsOk) return outcome.Failure!.ToProblem();
        return TypedResults.Created($"/api/attachments/{outcome.Value!.Id}", View(outcome.Value));
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Download(Guid id, HttpContext http, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (await grains.GetGrain<IAttachmentGrain>(0).Download(id, user.ToCaller()) is not { } content) return Problems.NotFound();
        // Set here too, not only by the hardening middleware: a browser must never render a stored file as something else.
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.File(content.Bytes, content.Meta.ContentType, content.Meta.FileName);
    }

    private static async Task<Results<Ok<AttachmentView>, ProblemHttpResult>> Meta(Guid id, ClaimsPrincipal user, IGrainFactory grains) =>
        await grains.GetGrain<IAttachmentGrain>(0).Meta(id, user.ToCaller()) is { } meta ? TypedResults.Ok(View(meta)) : Problems.NotFound();

    private sealed record UploadedFile(string? Name, byte[]? Bytes, ProblemHttpResult? Problem);

    /// <summary>
    /// Reads the part named "file" straight into memory, stopping one byte past the limit. The framework's form reader
    /// would buffer a large part to a temporary file on this node's disk, which attachments must never touch.
    /// </summary>
    private static async Task<UploadedFile> ReadFile(HttpRequest request)
    {
        static UploadedFile Missing(string detail) =>
            new(null, null, Problems.Invalid(new Dictionary<string, string[]> { [AttachmentRules.Field] = [detail] }));

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
            return Missing("is required: send it as the part 'file' of a multipart/form-data body");

        var reader = new MultipartReader(boundary, request.Body);
        var ct = request.HttpContext.RequestAborted;
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.IsFileDisposition()
                    || !string.Equals(HeaderUtilities.RemoveQuotes(disposition.Name).Value, AttachmentRules.Field, StringComparison.Ordinal))
                    continue;
                var name = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                using var buffer = new MemoryStream();
                var chunk = new byte[81920];
                int read;
                while ((read = await section.Body.ReadAsync(chunk, ct)) > 0)
                {
                    buffer.Write(chunk, 0, read);
                    if (buffer.Length > AttachmentRules.MaxBytes)
                        return new(null, null, Problems.TooLarge(AttachmentRules.Field, $"is larger than {AttachmentRules.MaxBytes} bytes"));
                }
                if (buffer.Length == 0) return Missing("is empty");
                return new(name, buffer.ToArray(), null);
            }
        }
        catch (InvalidDataException)
        {
            // A body that claims to be multipart but is not (bad boundary, headers too long).
            return Missing("could not be read from the multipart/form-data body");
        }
        return Missing("is required: send it as the part 'file' of a multipart/form-data body");
    }
}
