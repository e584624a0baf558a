using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace HealthActors.Tests.Api;

/// <summary>
/// /openapi/v1.json is complete enough to generate a client from: checked against the endpoints the Api really
/// maps, so an endpoint added without an operationId, or whose responses the document cannot describe, fails here.
/// The document is also saved to .data/openapi.json, which scripts/openapi-lint.sh lints with Spectral.
/// </summary>
public sealed class OpenApiDocumentTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Every_endpoint_is_described_completely()
    {
        var (doc, _) = await Fetch();
        var endpoints = ApiEndpoints();
        Assert.True(endpoints.Count > 40, $"only {endpoints.Count} endpoints found under /api");
        Assert.Empty(OpenApiRules.Violations(doc, endpoints));
    }

    [Fact]
    public async Task Signed_in_and_anonymous_operations_are_told_apart()
    {
        var (doc, _) = await Fetch();
        var scheme = doc["components"]!["securitySchemes"]!["Bearer"]!;
        Assert.Equal("http", (string?)scheme["type"]);
        Assert.Equal("bearer", (string?)scheme["scheme"]);

        var me = doc["paths"]!["/api/me"]!["get"]!;
        Assert.Equal("Bearer", me["security"]!.AsArray().Single()!.AsObject().Single().Key);
        var login = doc["paths"]!["/api/auth/login"]!["post"]!;
        Assert.Empty(login["security"]?.AsArray() ?? []);
        // Anonymous, but limited per address: the 429 is documented; a 401/403 from authorization is not.
        Assert.NotNull(login["responses"]!["429"]);
        Assert.Null(login["responses"]!["403"]);
        Assert.Empty(doc["paths"]!["/api/specialties"]!["get"]!["security"]?.AsArray() ?? []);
    }

    [Fact]
    public async Task Document_is_saved_for_the_linter()
    {
        var (doc, text) = await Fetch();
        // Spectral's ruleset is chosen by this version; the lint is only meaningful for the 3.1 the Api serves.
        Assert.StartsWith("3.1", (string?)doc["openapi"]);
        var path = Path.Combine(TestEnvironment.RepoRoot, ".data", "openapi.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, text);
    }

    /// <summary>The rules themselves: a document with each kind of gap is reported, so the test above can fail.</summary>
    [Fact]
    public void Rules_report_each_kind_of_gap()
    {
        var doc = JsonNode.Parse("""
            {
              "components": { "securitySchemes": { "Bearer": { "type": "http", "scheme": "bearer" } } },
              "paths": {
                "/api/a": {
                  "get": { "responses": { "200": { "description": "OK" } } },
                  "post": { "operationId": "Same", "responses": { "201": { "description": "Created", "content": { "application/json": { "schema": { "type": "object" } } } },
                            "400": { "description": "Bad", "content": { "application/json": { "schema": { "type": "object" } } } }, "default": { "description": "x" } } }
                },
                "/api/b": {
                  "get": { "operationId": "Same", "security": [ { "Bearer": [] } ], "responses": { "204": { "description": "No content" },
                           "default": { "description": "x", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/ProblemDetails" } } } } } }
                }
              }
            }
            """)!.AsObject();
        var endpoints = new List<ApiEndpoint>
        {
            new("GET", "/api/a", SignedIn: true),
            new("POST", "/api/a", SignedIn: false),
            new("GET", "/api/b", SignedIn: true),
            new("DELETE", "/api/c", SignedIn: true),
        };

        var found = OpenApiRules.Violations(doc, endpoints);

        Assert.Contains("GET /api/a: no operationId", found);
        Assert.Contains("GET /api/b: operationId Same is not unique", found);
        Assert.Contains("GET /api/a: 200 has no schema", found);
        Assert.Contains("GET /api/a: no default (ProblemDetails) response", found);
        Assert.Contains("POST /api/a: 400 is not a ProblemDetails", found);
        Assert.Contains("POST /api/a: default is not a ProblemDetails", found);
        Assert.Contains("GET /api/a: requires a signed-in user but has no Bearer security requirement", found);
        Assert.Contains("GET /api/b: requires a signed-in user but documents no 401", found);
        Assert.Contains("GET /api/b: requires a signed-in user but documents no 403", found);
        Assert.Contains("DELETE /api/c: mapped but not in the document", found);
        Assert.DoesNotContain(found, v => v.StartsWith("POST /api/a: requires", StringComparison.Ordinal));
    }

    private async Task<(JsonObject Doc, string Text)> Fetch()
    {
        var r = await factory.CreateClient().GetAsync("/openapi/v1.json");
        var text = await r.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return (JsonNode.Parse(text)!.AsObject(), text);
    }

    /// <summary>Every REST endpoint the Api maps (hubs and health checks are not part of the REST document).</summary>
    private List<ApiEndpoint> ApiEndpoints()
    {
        var source = factory.Services.GetRequiredService<EndpointDataSource>();
        var result = new List<ApiEndpoint>();
        foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>())
        {
            var path = OpenApiRules.DocumentPath(endpoint.RoutePattern.RawText ?? "");
            if (!path.StartsWith("/api/", StringComparison.Ordinal)) continue;
            var signedIn = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Count > 0
                && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null;
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])
                result.Add(new ApiEndpoint(method, path, signedIn));
        }
        return result;
    }
}

public sealed record ApiEndpoint(string Method, string Path, bool SignedIn);

/// <summary>What a complete operation looks like; each gap is one line naming the operation.</summary>
internal static partial class OpenApiRules
{
    private static readonly string[] HttpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    private static readonly string[] Problems = ["#/components/schemas/ProblemDetails", "#/components/schemas/HttpValidationProblemDetails"];

    public static List<string> Violations(JsonObject doc, IReadOnlyCollection<ApiEndpoint> endpoints)
    {
        var found = new List<string>();
        var ids = new HashSet<string>();
        var paths = doc["paths"]?.AsObject() ?? [];
        foreach (var endpoint in endpoints)
        {
            var name = $"{endpoint.Method} {endpoint.Path}";
            if (paths[endpoint.Path]?[endpoint.Method.ToLowerInvariant()] is not JsonObject op)
            {
                found.Add($"{name}: mapped but not in the document");
                continue;
            }

            var id = (string?)op["operationId"];
            if (id is null) found.Add($"{name}: no operationId");
            else if (!OperationId().IsMatch(id)) found.Add($"{name}: operationId {id} is not PascalCase");
            else if (!ids.Add(id)) found.Add($"{name}: operationId {id} is not unique");

            var responses = op["responses"]?.AsObject() ?? [];
            if (!responses.Any(r => r.Key.StartsWith('2'))) found.Add($"{name}: no success response");
            foreach (var (status, response) in responses)
            {
                var content = response?["content"]?.AsObject();
                if (status == "204")
                {
                    if (content is { Count: > 0 }) found.Add($"{name}: 204 has content");
                }
                else if (status.StartsWith('2'))
                {
                    if (content is not { Count: > 0 } || content.Any(m => m.Value?["schema"] is null)) found.Add($"{name}: {status} has no schema");
                }
                else if (status[0] is '4' or '5' || status == "default")
                {
                    var isProblem = content is { Count: > 0 } && content.All(m =>
                        m.Key == "application/problem+json" && Problems.Contains((string?)m.Value?["schema"]?["$ref"]));
                    if (!isProblem) found.Add($"{name}: {status} is not a ProblemDetails");
                }
            }
            if (!responses.ContainsKey("default")) found.Add($"{name}: no default (ProblemDetails) response");

            var bearer = op["security"]?.AsArray().Any(s => s?.AsObject().ContainsKey("Bearer") == true) == true;
            if (endpoint.SignedIn)
            {
                if (!bearer) found.Add($"{name}: requires a signed-in user but has no Bearer security requirement");
                foreach (var status in new[] { "401", "403" })
                    if (!responses.ContainsKey(status)) found.Add($"{name}: requires a signed-in user but documents no {status}");
            }
            else if (bearer) found.Add($"{name}: anonymous but documented as requiring a Bearer token");
        }

        var mapped = endpoints.Select(e => $"{e.Method} {e.Path}").ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (path, item) in paths)
            foreach (var (method, _) in item?.AsObject() ?? [])
                if (path.StartsWith("/api/", StringComparison.Ordinal) && HttpMethods.Contains(method) && !mapped.Contains($"{method} {path}"))
                    found.Add($"{method.ToUpperInvariant()} {path}: in the document but not mapped");
        return found;
    }

    /// <summary>A route template as the document writes it: no constraints, no trailing slash.</summary>
    public static string DocumentPath(string route)
    {
        var path = RouteConstraint().Replace(route, "{$1}");
        if (!path.StartsWith('/')) path = "/" + path;
        return path.Length > 1 ? path.TrimEnd('/') : path;
    }

    [GeneratedRegex("^[A-Z][A-Za-z0-9]*$")]
    private static partial Regex OperationId();

    [GeneratedRegex(@"\{\*{0,2}([A-Za-z0-9_]+)[^}]*\}")]
    private static partial Regex RouteConstraint();
}
