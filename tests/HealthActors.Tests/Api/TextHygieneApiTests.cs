using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Chat;
using Microsoft.AspNetCore.SignalR.Client;

namespace HealthActors.Tests.Api;

/// <summary>Invisible and look-alike characters at the Api: refused in identifiers, normalized in free text.</summary>
public sealed class TextHygieneApiTests(ChatApiFactory factory) : IClassFixture<ChatApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task An_email_with_a_zero_width_space_is_refused_and_no_account_is_made()
    {
        var email = ApiClientExtensions.NewEmail();
        var disguised = email.Insert(3, "\u200b");
        var r = await _http.PostAsJsonAsync("/api/auth/register", new { email = disguised, password = "a-long-enough-passphrase", name = "Zero Width" });
        var problem = await r.ValidationProblemAsync("email");
        Assert.Contains("invisible", problem["errors"]!["email"]![0]!.GetValue<string>());
        // Nothing was written under either spelling.
        await _http.RegisterAsync(email);
    }

    [Fact]
    public async Task A_name_with_a_bidi_override_is_refused()
    {
        var r = await _http.PostAsJsonAsync("/api/auth/register", new { email = ApiClientExtensions.NewEmail(), password = "a-long-enough-passphrase", name = "Ana\u202eaícraG" });
        await r.ValidationProblemAsync("name");
    }

    [Theory]
    [InlineData("password12345")]
    [InlineData("qwertyuiop1")]
    [InlineData("Summer2026!")]
    public async Task A_guessable_password_is_refused_with_advice(string password)
    {
        var r = await _http.PostAsJsonAsync("/api/auth/register", new { email = ApiClientExtensions.NewEmail(), password, name = "Weak Password" });
        var problem = await r.ValidationProblemAsync("password");
        var message = problem["errors"]!["password"]![0]!.GetValue<string>();
        Assert.True(message.Contains("passphrase") || message.Contains("too common"), message);
    }

    [Fact]
    public async Task Profile_names_refuse_invisible_characters_and_free_text_is_stored_normalized()
    {
        var user = await _http.RegisterAsync();
        var bad = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Put, "/api/patients/me/profile", user.Tokens.AccessToken,
            new { firstName = "A\u200bna", lastName = "García" }));
        await bad.ValidationProblemAsync("firstName");

        var put = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Put, "/api/patients/me/profile", user.Tokens.AccessToken,
            new { firstName = "Ana\u00a0María", lastName = "García", allergies = new[] { "pea\u200bnut", "penicillin\u00a0G" } }));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var stored = JsonNode.Parse(await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/api/patients/me/profile", user.Tokens.AccessToken))).Content.ReadAsStringAsync())!;
        Assert.Equal("Ana María", stored["firstName"]!.GetValue<string>());
        Assert.Equal(["peanut", "penicillin G"], stored["allergies"]!.AsArray().Select(a => a!.GetValue<string>()));
    }

    [Theory]
    [InlineData("chest\u00a0pain")]
    [InlineData("c\u200bhest pain")]
    public async Task Disguised_chest_pain_orients_to_emergency_medicine(string symptoms)
    {
        var before = factory.Model.Requests.Count;
        var user = await _http.RegisterAsync();
        var r = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, "/api/orientation", user.Tokens.AccessToken, new { symptoms }));
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, text);
        var result = JsonNode.Parse(text)!;
        Assert.True(result["emergency"]!.GetValue<bool>(), text);
        Assert.Equal("Emergency medicine", result["specialty"]!.GetValue<string>());
        Assert.Contains("chest-pain", result["redFlags"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal("chest pain", result["symptoms"]!.GetValue<string>());
        Assert.Equal(before, factory.Model.Requests.Count);
    }

    [Theory]
    [InlineData("I have chest\u00a0pain")]
    [InlineData("I have c\u200bhest pain")]
    public async Task Disguised_chest_pain_in_chat_gets_emergency_guidance_without_the_model(string message)
    {
        var user = await _http.RegisterAsync();
        await using var hub = await factory.ConnectChatAsync(user.Tokens.AccessToken);
        var id = await hub.InvokeAsync<Guid>("StartConversation", "Pasted text");
        var before = factory.Model.Requests.Count;

        var chunks = await hub.SendAsync(id, message);
        Assert.True(chunks[^1].Emergency);
        Assert.Equal(AnswerSources.Emergency, chunks[^1].Source);
        Assert.Equal(before, factory.Model.Requests.Count);

        var history = JsonNode.Parse(await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/conversations/{id}/messages", user.Tokens.AccessToken))).Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal("I have chest pain", history[0]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_specialty_name_with_a_zero_width_space_is_the_same_specialty()
    {
        var admin = await _http.LoginAdminAsync();
        var name = "Hygiene" + Guid.NewGuid().ToString("N")[..8];
        var first = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, "/api/admin/specialties", admin.Tokens.AccessToken,
            new { name = name.Insert(4, "\u200b"), description = "Invisible\u00a0test" }));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var again = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, "/api/admin/specialties", admin.Tokens.AccessToken,
            new { name, description = "Plain" }));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        var listed = JsonNode.Parse(await _http.GetStringAsync("/api/specialties"))!.AsArray().Single(s => s!["name"]!.GetValue<string>().StartsWith("Hygi", StringComparison.Ordinal) && s["name"]!.GetValue<string>().EndsWith(name[^8..], StringComparison.Ordinal))!;
        Assert.Equal(name, listed["name"]!.GetValue<string>());
        Assert.Equal("Invisible test", listed["description"]!.GetValue<string>());
    }
}
