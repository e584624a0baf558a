using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Records;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace HealthActors.Api.Endpoints;

/// <summary>A patient's record as a FHIR R4 Bundle: export (the patient, or anyone AuthorizeRead lets in) and import of vitals.</summary>
public static class FhirEndpoints
{
    public const string FhirJson = "application/fhir+json";
    /// <summary>500 Observations (the most one import takes) as our export writes them are about 450 KB.</summary>
    public const long MaxImportBytes = 1024 * 1024;
    /// <summary>Set on an export that the caps cut short (the newest records are kept); the bundle carries a "truncated" tag too.</summary>
    public const string TruncatedHeader = "X-Fhir-Truncated";

    public static void MapFhirEndpoints(this IEndpointRouteBuilder app)
    {
        var fhir = app.MapGroup("/api/patients").WithTags("FHIR").RequireAuthorization();
        fhir.MapGet("/me/fhir", ExportMine).RequireAuthorization(Setup.Policies.Patient).WithName("ExportMyFhir")
            .WithSummary("My record as a FHIR R4 Bundle (collection): Patient, AllergyIntolerance, Condition, MedicationStatement, vital-sign Observations (LOINC, UCUM), Appointment.")
            .Produces<JsonObject>(StatusCodes.Status200OK, FhirJson);
        fhir.MapGet("/{patientId:guid}/fhir", ExportPatient).WithName("ExportPatientFhir")
            .WithSummary("A patient's record as a FHIR R4 Bundle: the patient, a doctor with access or an admin (audited). Anyone else gets 404.")
            .Produces<JsonObject>(StatusCodes.Status200OK, FhirJson);
        fhir.MapPost("/me/fhir", Import).RequireAuthorization(Setup.Policies.Patient).WithName("ImportFhir")
            .WithSummary("Import the vital-sign Observations of a FHIR R4 Bundle as vitals records, all or nothing; other resources are skipped and listed. A reading repeated within five minutes is a 409 unless allowDuplicate=true.")
            .Accepts<JsonObject>(FhirJson, "application/json")
            .WithMetadata(new RequestSizeLimitAttribute(MaxImportBytes));
    }

    private static Task<Results<ContentHttpResult, ProblemHttpResult>> ExportMine(HttpContext http, ClaimsPrincipal user, IGrainFactory grains) =>
        Export(http, user.ToCaller().UserId, user, grains);

    private static Task<Results<ContentHttpResult, ProblemHttpResult>> ExportPatient(Guid patientId, HttpContext http, ClaimsPrincipal user, IGrainFactory grains) =>
        Export(http, patientId, user, grains);

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> Export(HttpContext http, Guid patientId, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (await grains.GetGrain<IFhirGrain>(0).Export(patientId, user.ToCaller()) is not { } export) return Problems.NotFound();
        if (export.Truncated) http.Response.Headers[TruncatedHeader] = "true";
        return TypedResults.Text(export.Json, FhirJson, Encoding.UTF8);
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> Import(
        HttpRequest request, bool? allowDuplicate, ClaimsPrincipal user, IGrainFactory grains)
    {
        var media = MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed.MediaType.Value : null;
        if (!string.Equals(media, FhirJson, StringComparison.OrdinalIgnoreCase) && !string.Equals(media, "application/json", StringComparison.OrdinalIgnoreCase))
            return Problems.UnsupportedMediaType($"Send the Bundle as {FhirJson} or application/json.");

        // Read as text: Firely parses it in the grain, and its messages name what it refused.
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var json = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        if (string.IsNullOrWhiteSpace(json))
        {
            var e = new ValidationErrors();
            e.Add("body", "is required: a FHIR Bundle");
            return Problems.Invalid(e);
        }

        var outcome = await grains.GetGrain<IFhirGrain>(0).Import(user.ToCaller().UserId, json, allowDuplicate ?? false);
        if (!outcome.IsOk) return outcome.Failure!.ToProblem();
        var result = outcome.Value!;
        return TypedResults.Ok(new JsonObject
        {
            ["imported"] = result.Imported.Count,
            ["records"] = new JsonArray(result.Imported.Select(RecordEndpoints.View).ToArray<JsonNode?>()),
            ["skipped"] = new JsonArray(result.Skipped.Select(s => (JsonNode?)new JsonObject
            {
                ["index"] = s.Index,
                ["resourceType"] = s.ResourceType,
                ["reason"] = s.Reason,
            }).ToArray()),
        });
    }
}
