using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace HealthActors.Api.OpenApi;

/// <summary>
/// What the document says about the whole Api: its info, its servers and the Bearer scheme the operations
/// refer to (<see cref="OperationFacts"/>).
/// </summary>
internal sealed class DocumentFacts(IAuthenticationSchemeProvider schemes) : IOpenApiDocumentTransformer
{
    public const string BearerScheme = "Bearer";

    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "HealthActors API";
        document.Info.Description =
            "REST API of HealthActors: accounts, medical profile and records, chat and symptom orientation, catalog, " +
            "booking and payment, the appointment marketplace, consultations and clinical cases. Sign in at /api/auth/login " +
            "and send the access token as 'Authorization: Bearer <token>'. Every error is an RFC 9457 problem document " +
            "(application/problem+json); an invalid input names its fields under 'errors'. Times are ISO 8601 with an offset.";
        document.Info.Contact = new OpenApiContact { Name = "HealthActors maintainers" };

        // The generator writes the request's base address with a trailing slash; every path already starts with one.
        foreach (var server in document.Servers ?? [])
            if (server.Url is { Length: > 1 } url && url.EndsWith('/')) server.Url = url.TrimEnd('/');

        // Declared only when the Api really accepts bearer tokens, so the document cannot promise a scheme it lacks.
        if (await schemes.GetSchemeAsync(JwtBearerDefaults.AuthenticationScheme) is null) return;
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "The short-lived access token of /api/auth/register, /login or /refresh. SignalR hubs also take it as ?access_token=.",
        };
    }
}
