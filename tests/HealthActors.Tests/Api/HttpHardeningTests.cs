using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HealthActors.Api.Health;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HealthActors.Tests.Api;

/// <summary>Headers and answers that keep personal data out of caches and tell a prober as little as possible.</summary>
public sealed class HttpHardeningTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/api/specialties")]
    [InlineData("/api/me")] // 401 without a token
    [InlineData("/no/such/path")] // 404
    public async Task Every_response_carries_nosniff(string path)
    {
        var r = await _http.GetAsync(path);
        Assert.Equal("nosniff", Assert.Single(r.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task Validation_errors_and_token_answers_carry_nosniff_and_no_store()
    {
        var bad = await _http.PostAsJsonAsync("/api/auth/register", new { email = "not-an-email", password = "x", name = "" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("nosniff", Assert.Single(bad.Headers.GetValues("X-Content-Type-Options")));

        var created = await _http.PostAsJsonAsync("/api/auth/register", new { email = ApiClientExtensions.NewEmail(), password = "a-long-enough-passphrase", name = "Cache Test" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.True(created.Headers.CacheControl?.NoStore, "an answer carrying tokens must not be stored");
    }

    [Fact]
    public async Task Signed_in_answers_are_no_store_while_anonymous_catalog_reads_stay_cacheable()
    {
        var user = await _http.RegisterAsync();
        foreach (var path in new[] { "/api/me", "/api/patients/me/profile" })
        {
            var r = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, path, user.Tokens.AccessToken));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.True(r.Headers.CacheControl?.NoStore, $"{path}: {r.Headers.CacheControl}");
        }
        var denied = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/patients/{Guid.NewGuid()}/profile", user.Tokens.AccessToken));
        Assert.True(denied.Headers.CacheControl?.NoStore, $"denied: {denied.Headers.CacheControl}");

        var catalog = await _http.GetAsync("/api/specialties");
        Assert.Equal(HttpStatusCode.OK, catalog.StatusCode);
        Assert.False(catalog.Headers.CacheControl?.NoStore ?? false);
    }

    [Fact]
    public async Task A_rejected_token_is_told_invalid_token_without_the_reason()
    {
        var user = await _http.RegisterAsync();
        var badSignature = user.Tokens.AccessToken[..^4] + (user.Tokens.AccessToken.EndsWith("AAAA") ? "BBBB" : "AAAA");
        var r = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/api/me", badSignature));
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        var challenge = Assert.Single(r.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Equal("error=\"invalid_token\"", challenge.Parameter);
    }

    [Fact]
    public void Kestrel_sends_no_server_header()
    {
        // The in-process test server never adds one, so the setting itself is what can be checked here.
        Assert.False(factory.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.AddServerHeader);
    }

    [Fact]
    public async Task Anonymous_readiness_says_only_the_status()
    {
        var r = await _http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var body = JsonNode.Parse(await r.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(["status"], body.Select(p => p.Key));
        Assert.Equal("Healthy", body["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_patient_token_does_not_unlock_readiness_details()
    {
        var user = await _http.RegisterAsync();
        var r = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/health/ready", user.Tokens.AccessToken));
        var body = JsonNode.Parse(await r.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(["status"], body.Select(p => p.Key));
    }

    [Theory]
    [InlineData("127.0.0.1", null, true)]
    [InlineData("::1", null, true)]
    [InlineData("127.0.0.1", "203.0.113.9", false)] // a proxy on this host forwarding a remote caller
    [InlineData("203.0.113.9", null, false)]
    [InlineData("10.1.2.3", null, false)]
    [InlineData(null, null, false)] // no address: a socket or the in-process test server
    public void Readiness_details_go_to_local_callers_not_through_a_proxy(string? remote, string? forwardedFor, bool expected)
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = remote is null ? null : IPAddress.Parse(remote);
        if (forwardedFor is not null) http.Request.Headers["X-Forwarded-For"] = forwardedFor;
        Assert.Equal(expected, HealthResponse.MayReadDetails(http));
    }
}
