using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;

namespace HealthActors.Api.OpenApi;

/// <summary>
/// The responses and security every operation has by virtue of the pipeline it runs in, read from its endpoint
/// metadata so that a new endpoint is described without extra calls. An endpoint's typed results name its
/// successes and its validation 400; its other failures are a <c>ProblemHttpResult</c> whose status the
/// type does not carry, hence the statuses the pipeline itself produces plus a <c>default</c> ProblemDetails.
/// </summary>
internal sealed class OperationFacts : IOpenApiOperationTransformer
{
    private const string ProblemJson = "application/problem+json";

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var api = context.Description;
        var metadata = api.ActionDescriptor.EndpointMetadata;
        // Mirrors the authorization middleware: any AllowAnonymous wins over RequireAuthorization.
        var authorize = metadata.OfType<IAuthorizeData>().ToList();
        var signedIn = authorize.Count > 0 && !metadata.OfType<IAllowAnonymous>().Any();
        var limitedByAddress = metadata.OfType<EnableRateLimitingAttribute>().Any() && !metadata.OfType<DisableRateLimitingAttribute>().Any();

        var problem = await SchemaOf(typeof(ProblemDetails), context, cancellationToken);
        var invalid = await SchemaOf(typeof(HttpValidationProblemDetails), context, cancellationToken);
        operation.Responses ??= new OpenApiResponses();
        var responses = operation.Responses;

        // A route value that fails its constraint (a malformed guid) is a 404; any other input can be a 400.
        var takesInput = operation.RequestBody is not null
            || api.ParameterDescriptions.Any(p => p.Source != BindingSource.Path || p.RouteInfo?.Constraints?.Any() != true);
        if (takesInput)
            AddError(responses, "400", "An input is invalid: 'errors' names each field and what is wrong with it.", invalid);
        if (signedIn)
        {
            AddError(responses, "401", "No bearer token, or one that is expired, revoked or of an ended session.", problem);
            AddError(responses, "403", "The caller's role or relation to the resource does not allow this.", problem);
        }
        if (api.ParameterDescriptions.Any(p => p.Source == BindingSource.Path))
            AddError(responses, "404", "Not found, or not visible to this caller (the answer does not tell which).", problem);
        // Every signed-in user has a request budget (RateLimitSetup); anonymous endpoints only where a policy is set.
        if (signedIn || limitedByAddress)
            AddError(responses, "429", "Too many requests; Retry-After says when to try again.", problem);
        AddHeader(responses, "429", "Retry-After", "Seconds to wait before trying again.", new OpenApiSchema { Type = JsonSchemaType.Integer });
        AddError(responses, "default", "Any other failure (for example 409 conflict, 402 payment declined, 500): a problem document.", problem);

        // Every 201 of this Api is TypedResults.Created with the new resource's address.
        AddHeader(responses, "201", "Location", "The address of what was created.", new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri-reference" });

        // A failure a typed result declared without a body is still a problem document on the wire.
        foreach (var (status, response) in responses)
            if (status[0] is '4' or '5' && response is OpenApiResponse { Content: null or { Count: 0 } } bare)
                bare.Content = new Dictionary<string, OpenApiMediaType> { [ProblemJson] = new() { Schema = problem } };

        if (signedIn)
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(DocumentFacts.BearerScheme, context.Document)] = [] }];
            operation.Description ??= Who(authorize);
        }
        else
        {
            // An explicit empty list: this operation needs no token even if a default is ever declared for the document.
            operation.Security = [];
            operation.Description ??= limitedByAddress ? "Anonymous; limited per client address." : "Anonymous.";
        }
    }

    private static string Who(IEnumerable<IAuthorizeData> authorize)
    {
        var roles = authorize.Select(a => a.Policy ?? a.Roles).OfType<string>().Distinct().ToList();
        return roles.Count == 0
            ? "Any signed-in user (Bearer token); the endpoint decides what the caller may see."
            : $"Signed-in users with the role {string.Join(" and ", roles)} (Bearer token).";
    }

    private static void AddError(OpenApiResponses responses, string status, string description, IOpenApiSchema schema)
    {
        if (responses.ContainsKey(status)) return;
        responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { [ProblemJson] = new() { Schema = schema } },
        };
    }

    private static void AddHeader(OpenApiResponses responses, string status, string name, string description, OpenApiSchema schema)
    {
        if (!responses.TryGetValue(status, out var found) || found is not OpenApiResponse response) return;
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers.TryAdd(name, new OpenApiHeader { Description = description, Schema = schema });
    }

    /// <summary>A reference to the type's component schema, registering the component on first use.</summary>
    private static async Task<IOpenApiSchema> SchemaOf(Type type, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var document = context.Document ?? throw new InvalidOperationException("The operation transformer ran without its document.");
        var id = type.Name;
        if (document.Components?.Schemas?.ContainsKey(id) != true)
        {
            document.AddComponent(id, await context.GetOrCreateSchemaAsync(type, null, ct));
        }
        return new OpenApiSchemaReference(id, document);
    }
}
