using System.Net;
using System.Text.Json.Nodes;
using HealthActors.Api.Hosting;
using HealthActors.Tests.Marketplace;
using Microsoft.Extensions.DependencyInjection;

namespace HealthActors.Tests.Api;

/// <summary>
/// Each node answers the two hot reads (my profile, a doctor) from its own cache; a write acknowledged through one
/// node must show on the other's very next read, with no waiting: the grain pushes before it answers.
/// </summary>
public sealed class ReadCacheAcrossNodesTests(TwoApiNodes nodes) : IClassFixture<TwoApiNodes>
{
    private const string DoctorPassword = "doctor-passphrase-1";

    private static ReadCache Cache(ApiFactory node) => node.Services.GetRequiredService<ReadCache>();

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> Get(HttpClient http, string url, string? token)
    {
        var response = await http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, url, token));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    private static async Task<JsonNode> Ok(HttpClient http, string url, string? token)
    {
        var (status, body) = await Get(http, url, token);
        Assert.True(status == HttpStatusCode.OK, $"GET {url}: {(int)status} {body?.ToJsonString()}");
        return body!;
    }

    /// <summary>Reads twice on the node and shows the second read did not go past its cache.</summary>
    private static async Task<JsonNode> ReadTwiceFromCache(ApiFactory node, HttpClient http, string url, string? token)
    {
        var first = await Ok(http, url, token);
        var reads = Cache(node).Reads;
        var second = await Ok(http, url, token);
        Assert.Equal(reads, Cache(node).Reads);
        Assert.True(JsonNode.DeepEquals(first, second), $"{first.ToJsonString()} vs {second.ToJsonString()}");
        return second;
    }

    private async Task<(string Admin, TestUser Doctor, Guid DoctorId)> UnverifiedDoctor()
    {
        var admin = (await nodes.HttpA.LoginAdminAsync()).Tokens.AccessToken;
        var specialty = await MarketplaceFlowTests.Specialty(nodes.HttpA, admin, "Cache-" + Guid.NewGuid().ToString("N")[..6]);
        var profile = ApiDriver.EveryDayDoctor(specialty, DoctorPassword, ApiClientExtensions.NewEmail("doc")) with { Verified = false };
        var created = await nodes.HttpA.Driver().CreateDoctorAsync(admin, profile);
        return (admin, await nodes.HttpA.Driver().SignInUserAsync(profile.Email!, DoctorPassword), created.DoctorId);
    }

    [Fact]
    public async Task A_profile_update_through_one_node_is_on_the_others_next_read()
    {
        var patient = await nodes.HttpA.RegisterAsync();
        const string url = "/api/patients/me/profile";
        var empty = await ReadTwiceFromCache(nodes.B, nodes.HttpB, url, patient.Tokens.AccessToken);
        Assert.Null((string?)empty["firstName"]);
        await ReadTwiceFromCache(nodes.A, nodes.HttpA, url, patient.Tokens.AccessToken);
        Assert.True(Cache(nodes.B).Holds(CachedRead.MyProfile, patient.Tokens.UserId));

        await nodes.HttpA.Driver().PutProfileAsync(patient.Tokens.AccessToken, new { firstName = "Ana", lastName = "García", allergies = new[] { "penicillin" } });

        // No waiting: the patient grain pushed to node B before the update answered.
        Assert.False(Cache(nodes.B).Holds(CachedRead.MyProfile, patient.Tokens.UserId));
        var onB = await Ok(nodes.HttpB, url, patient.Tokens.AccessToken);
        Assert.Equal("Ana", (string?)onB["firstName"]);
        Assert.Equal("penicillin", (string?)onB["allergies"]![0]);
        Assert.Equal("Ana", (string?)(await Ok(nodes.HttpA, url, patient.Tokens.AccessToken))["firstName"]);

        // Another patient's read on the same node is another entry: nobody is served somebody else's profile.
        var other = await nodes.HttpB.RegisterAsync();
        Assert.Null((string?)(await ReadTwiceFromCache(nodes.B, nodes.HttpB, url, other.Tokens.AccessToken))["firstName"]);
        Assert.Equal("Ana", (string?)(await Ok(nodes.HttpB, url, patient.Tokens.AccessToken))["firstName"]);
    }

    [Fact]
    public async Task A_doctors_verification_and_retirement_through_one_node_are_on_the_others_next_read()
    {
        var (admin, doctor, doctorId) = await UnverifiedDoctor();
        var url = $"/api/doctors/{doctorId}";
        var patient = await nodes.HttpB.RegisterAsync();
        Assert.False((bool)(await ReadTwiceFromCache(nodes.B, nodes.HttpB, url, patient.Tokens.AccessToken))["verified"]!);
        // Anonymous readers share the same entry: the answer does not depend on who asks.
        var reads = Cache(nodes.B).Reads;
        Assert.False((bool)(await Ok(nodes.HttpB, url, null))["verified"]!);
        Assert.Equal(reads, Cache(nodes.B).Reads);

        var submitted = await nodes.HttpA.Driver().ExpectAsync<JsonObject>(HttpStatusCode.Created, HttpMethod.Post, "/api/doctors/me/credentials",
            doctor.Tokens.AccessToken, new
            {
                licenseNumber = "MN-12345", issuingAuthority = "Colegio de Médicos", institution = "Universidad de Buenos Aires",
                degree = "MD", graduationYear = 2010, attachmentIds = Array.Empty<Guid>(),
            });
        await nodes.HttpA.Driver().ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Post, $"/api/admin/credentials/{(Guid)submitted["id"]!}/approve", admin);

        Assert.True((bool)(await Ok(nodes.HttpB, url, patient.Tokens.AccessToken))["verified"]!);
        Assert.True((bool)(await ReadTwiceFromCache(nodes.B, nodes.HttpB, url, null))["verified"]!);

        // The admin takes the doctor role away through node A: node B's next read is a 404, and a 404 is not kept.
        await nodes.HttpA.Driver().ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Post, $"/api/admin/users/{doctorId}/role", admin, new { role = "patient" });
        Assert.Equal(HttpStatusCode.NotFound, (await Get(nodes.HttpB, url, null)).Status);
        Assert.False(Cache(nodes.B).Holds(CachedRead.Doctor, doctorId));
        Assert.Equal(HttpStatusCode.NotFound, (await Get(nodes.HttpA, url, null)).Status);
    }

    [Fact]
    public async Task An_unknown_doctor_is_a_404_every_time_and_is_not_kept()
    {
        var id = Guid.NewGuid();
        for (var i = 0; i < 2; i++)
            await (await nodes.HttpB.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/doctors/{id}", null))).ProblemAsync(HttpStatusCode.NotFound);
        Assert.False(Cache(nodes.B).Holds(CachedRead.Doctor, id));
    }
}
