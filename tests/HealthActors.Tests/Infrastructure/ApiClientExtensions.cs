using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HealthActors.Tests.Infrastructure;

public static class ApiClientExtensions
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string NewEmail(string who = "user") => ApiDriver.NewEmail(who);

    /// <summary>The shared domain driver over this client.</summary>
    public static ApiDriver Driver(this HttpClient http) => new(http);

    public static Task<TestUser> RegisterAsync(this HttpClient http, string? email = null, string password = ApiDriver.DefaultPassword, string name = "Test User") =>
        http.Driver().RegisterAsync(email, password, name);

    public static Task<Tokens> LoginAsync(this HttpClient http, string email, string password) => http.Driver().SignInAsync(email, password);

    public static async Task<TestUser> LoginAdminAsync(this HttpClient http)
    {
        var tokens = await http.LoginAsync(ApiFactory.AdminEmail, ApiFactory.AdminPassword);
        return new TestUser(ApiFactory.AdminEmail, ApiFactory.AdminPassword, tokens);
    }

    /// <summary>Registers a patient and has the admin make them a doctor; returns tokens carrying the doctor role.</summary>
    public static async Task<TestUser> RegisterDoctorAsync(this HttpClient http)
    {
        var user = await http.RegisterAsync(name: "Dr Test");
        var admin = await http.LoginAdminAsync();
        return await http.Driver().MakeDoctorAsync(admin.Tokens.AccessToken, user);
    }

    public static HttpRequestMessage Authed(HttpMethod method, string url, string? accessToken, object? body = null)
    {
        var request = new HttpRequestMessage(method, url);
        if (accessToken is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        if (body is not null) request.Content = JsonContent.Create(body, options: Json);
        return request;
    }

    public static HttpRequestMessage RawJson(HttpMethod method, string url, string? accessToken, string rawBody)
    {
        var request = Authed(method, url, accessToken);
        request.Content = new StringContent(rawBody, System.Text.Encoding.UTF8, "application/json");
        return request;
    }

    public static async Task<JsonObject> ProblemAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!.AsObject();
        Assert.Equal((int)expected, problem["status"]!.GetValue<int>());
        return problem;
    }

    /// <summary>Asserts a 400 ProblemDetails whose errors name <paramref name="field"/>.</summary>
    public static async Task<JsonObject> ValidationProblemAsync(this HttpResponseMessage response, string field)
    {
        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem["errors"]?.AsObject();
        Assert.True(errors is not null && errors.ContainsKey(field), $"expected an error for '{field}', got: {problem.ToJsonString()}");
        return problem;
    }
}
