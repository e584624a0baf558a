using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Chat;
using HealthActors.Grains.Chat;
using HealthActors.Tests.Marketplace;
using Microsoft.AspNetCore.Mvc.Testing;

namespace HealthActors.Tests.Chat;

/// <summary>Shared steps: a patient with a language and a country, and the three places they write free text.</summary>
internal static class RedFlagSteps
{
    public const string SpanishSuicide = "estoy pensando en quitarme la vida";
    // "poisoned" is what today's rules know; the rest is how a parent writes it.
    public const string UsPoisoning = "my son was poisoned, he swallowed rat poison";

    public static async Task<TestUser> Patient(HttpClient http, string language, string country)
    {
        var user = await http.RegisterAsync();
        var put = await http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Put, "/api/patients/me/profile", user.Tokens.AccessToken,
            new { firstName = "Ana", lastName = "García", preferredLanguage = language, country }));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return user;
    }

    public static async Task<JsonObject> Orient(HttpClient http, TestUser user, string symptoms)
    {
        var r = await http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, "/api/orientation", user.Tokens.AccessToken, new { symptoms }));
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    public static async Task<JsonArray> Messages(HttpClient http, TestUser user, Guid conversationId)
    {
        var r = await http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/conversations/{conversationId}/messages", user.Tokens.AccessToken));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return JsonNode.Parse(await r.Content.ReadAsStringAsync())!.AsArray();
    }

    /// <summary>Sends through the real SignalR client and checks the emergency answer end to end, stored message included.</summary>
    public static async Task<string> ChatEmergency(WebApplicationFactory<Program> factory, HttpClient http, TestUser user, string text, string category)
    {
        await using var hub = await factory.ConnectHubAsync("/hubs/chat", user.Tokens.AccessToken);
        var id = await Microsoft.AspNetCore.SignalR.Client.HubConnectionExtensions.InvokeAsync<Guid>(hub, "StartConversation", "Help");
        var clock = Stopwatch.StartNew();
        var chunks = await hub.SendAsync(id, text);
        clock.Stop();
        var final = chunks[^1];
        Assert.True(final.Final);
        Assert.True(final.Emergency);
        Assert.Equal(category, final.RedFlag);
        Assert.Equal(AnswerSources.Emergency, final.Source);
        // The rules answer without the model: far below any model delay the tests script.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"the emergency answer took {clock.Elapsed}");
        var stored = (await Messages(http, user, id))[^1]!;
        Assert.Equal(category, stored["redFlag"]!.GetValue<string>());
        Assert.Equal(chunks.Text(), stored["content"]!.GetValue<string>());
        return chunks.Text();
    }
}

/// <summary>Emergencies with a model configured: up, down and slow, and the model adding one the rules missed.</summary>
public sealed class RedFlagAnswerTests(ChatApiFactory factory) : IClassFixture<ChatApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    public static TheoryData<string> ModelModes => ["up", "down", "slow"];

    private void Script(string mode) => factory.Model.Behavior = mode switch
    {
        "down" => _ => Task.FromResult(new FakeReply("", FailWithStatus: 500)),
        "slow" => _ => Task.FromResult(new FakeReply(FakeOpenAiServer.DefaultAnswer, DelayBeforeFirstChunk: TimeSpan.FromSeconds(8))),
        _ => _ => Task.FromResult(new FakeReply(FakeOpenAiServer.DefaultAnswer)),
    };

    [Theory, MemberData(nameof(ModelModes))]
    public async Task Chat_answers_suicidal_thoughts_in_Spanish_with_the_crisis_line_and_emergency_number_of_Spain(string mode)
    {
        Script(mode);
        var user = await RedFlagSteps.Patient(_http, "es", "ES");
        var text = await RedFlagSteps.ChatEmergency(factory, _http, user, RedFlagSteps.SpanishSuicide, RedFlagCategories.Suicide);
        Assert.Contains("024", text);
        Assert.Contains("112", text);
        Assert.Contains("no tienes que pasar por esto solo", text);
        Assert.DoesNotContain("988", text);
    }

    [Theory, MemberData(nameof(ModelModes))]
    public async Task Chat_answers_a_poisoning_in_the_US_with_911_and_poison_control(string mode)
    {
        Script(mode);
        var user = await RedFlagSteps.Patient(_http, "en", "US");
        var text = await RedFlagSteps.ChatEmergency(factory, _http, user, RedFlagSteps.UsPoisoning, RedFlagCategories.Overdose);
        Assert.Contains("911", text);
        Assert.Contains("1-800-222-1222", text);
        Assert.Contains("Do not make the person vomit", text);
    }

    [Theory, MemberData(nameof(ModelModes))]
    public async Task Orientation_carries_the_guidance_in_the_patients_language(string mode)
    {
        Script(mode);
        var es = await RedFlagSteps.Patient(_http, "es", "ES");
        var clock = Stopwatch.StartNew();
        var result = await RedFlagSteps.Orient(_http, es, RedFlagSteps.SpanishSuicide);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"the orientation took {clock.Elapsed}");
        Assert.True(result["emergency"]!.GetValue<bool>());
        Assert.Contains(RedFlagCategories.Suicide, result["redFlags"]!.AsArray().Select(f => f!.GetValue<string>()));
        var guidance = result["guidance"]!.GetValue<string>();
        Assert.Contains("024", guidance);
        Assert.Contains("112", guidance);

        var us = await RedFlagSteps.Patient(_http, "en", "US");
        guidance = (await RedFlagSteps.Orient(_http, us, RedFlagSteps.UsPoisoning))["guidance"]!.GetValue<string>();
        Assert.Contains("911", guidance);
        Assert.Contains("1-800-222-1222", guidance);
    }

    [Fact]
    public async Task The_model_may_add_an_emergency_the_rules_missed_and_the_reply_says_so()
    {
        const string reply = "Eso puede ser grave, no esperes.";
        factory.Model.Behavior = _ => Task.FromResult(new FakeReply(PromptBuilder.EmergencyMarker + " " + reply));
        var before = factory.Model.Requests.Count;
        var user = await RedFlagSteps.Patient(_http, "es", "ES");
        await using var hub = await factory.ConnectChatAsync(user.Tokens.AccessToken);
        var id = await Microsoft.AspNetCore.SignalR.Client.HubConnectionExtensions.InvokeAsync<Guid>(hub, "StartConversation", "Mareo");
        var chunks = await hub.SendAsync(id, "me siento muy raro y todo me da vueltas desde hace una hora");

        var text = chunks.Text();
        Assert.StartsWith("⚠️ El asistente cree que esto puede ser una emergencia", text);
        Assert.Contains("112", text);
        Assert.EndsWith(reply, text);
        Assert.DoesNotContain(PromptBuilder.EmergencyMarker, text);
        var final = chunks[^1];
        Assert.True(final.Emergency);
        Assert.Equal(RedFlagGuidance.ModelCategory, final.RedFlag);
        Assert.Equal(AnswerSources.Model, final.Source);
        var stored = (await RedFlagSteps.Messages(_http, user, id))[^1]!;
        Assert.Equal(RedFlagGuidance.ModelCategory, stored["redFlag"]!.GetValue<string>());
        Assert.Equal(text, stored["content"]!.GetValue<string>());
        // The model was told how to flag one.
        Assert.True(factory.Model.Requests.Count > before);
        Assert.Contains(factory.Model.AllPromptText(), t => t.Contains(PromptBuilder.EmergencyMarker));
    }

    [Fact]
    public async Task An_ordinary_model_reply_is_not_an_emergency()
    {
        factory.Model.Behavior = _ => Task.FromResult(new FakeReply(FakeOpenAiServer.DefaultAnswer));
        var user = await RedFlagSteps.Patient(_http, "en", "US");
        await using var hub = await factory.ConnectChatAsync(user.Tokens.AccessToken);
        var id = await Microsoft.AspNetCore.SignalR.Client.HubConnectionExtensions.InvokeAsync<Guid>(hub, "StartConversation", "Cold");
        var chunks = await hub.SendAsync(id, "I have a runny nose since Monday");
        Assert.Equal(FakeOpenAiServer.DefaultAnswer, chunks.Text());
        Assert.False(chunks[^1].Emergency);
        Assert.Null(chunks[^1].RedFlag);
        Assert.Null((await RedFlagSteps.Messages(_http, user, id))[^1]!["redFlag"]);
    }

    [Fact]
    public async Task An_auction_request_describing_an_emergency_is_created_and_carries_the_guidance()
    {
        Script("slow");
        var admin = await _http.LoginAdminAsync();
        var specialty = await MarketplaceFlowTests.Specialty(_http, admin.Tokens.AccessToken, "RedFlag-" + Guid.NewGuid().ToString("N")[..6]);
        var patient = await RedFlagSteps.Patient(_http, "en", "US");
        var window = new { from = MarketplaceFlowTests.SlotAhead(8), to = MarketplaceFlowTests.SlotAhead(12) };

        var r = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, "/api/auctions", patient.Tokens.AccessToken,
            new { symptoms = RedFlagSteps.UsPoisoning, specialtyId = specialty, maxPrice = 80, currency = "USD", window, closesAt = DateTimeOffset.UtcNow.AddHours(1) }));
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Created, body);
        var created = JsonNode.Parse(body)!.AsObject();
        Assert.Contains(RedFlagCategories.Overdose, created["redFlags"]!.AsArray().Select(f => f!.GetValue<string>()));
        var guidance = created["guidance"]!.GetValue<string>();
        Assert.Contains("911", guidance);
        Assert.Contains("1-800-222-1222", guidance);

        // The same on a later read, and nothing on an ordinary request.
        var read = JsonNode.Parse(await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/auctions/{created["id"]}", patient.Tokens.AccessToken))).Content.ReadAsStringAsync())!;
        Assert.Equal(guidance, read["guidance"]!.GetValue<string>());
        r = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, "/api/auctions", patient.Tokens.AccessToken,
            new { symptoms = "a rash on my arm for a week", specialtyId = specialty, maxPrice = 80, currency = "USD", window, closesAt = DateTimeOffset.UtcNow.AddHours(1) }));
        var ordinary = JsonNode.Parse(await r.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        Assert.Empty(ordinary["redFlags"]!.AsArray());
        Assert.Null(ordinary["guidance"]);
    }

    [Fact]
    public async Task The_profile_country_is_validated_and_stored_in_upper_case()
    {
        var user = await _http.RegisterAsync();
        var bad = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Put, "/api/patients/me/profile", user.Tokens.AccessToken,
            new { firstName = "Ana", lastName = "García", country = "XX" }));
        await bad.ValidationProblemAsync("country");
        var good = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Put, "/api/patients/me/profile", user.Tokens.AccessToken,
            new { firstName = "Ana", lastName = "García", country = "es" }));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Equal("ES", JsonNode.Parse(await good.Content.ReadAsStringAsync())!["country"]!.GetValue<string>());
    }
}

/// <summary>No model configured at all: the same answers, from the rules alone.</summary>
public sealed class RedFlagAnswerWithoutModelTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task Chat_and_orientation_answer_emergencies_with_the_countrys_numbers()
    {
        var es = await RedFlagSteps.Patient(_http, "es", "ES");
        var text = await RedFlagSteps.ChatEmergency(factory, _http, es, RedFlagSteps.SpanishSuicide, RedFlagCategories.Suicide);
        Assert.Contains("024", text);
        Assert.Contains("112", text);
        var guidance = (await RedFlagSteps.Orient(_http, es, RedFlagSteps.SpanishSuicide))["guidance"]!.GetValue<string>();
        Assert.Contains("024", guidance);

        var us = await RedFlagSteps.Patient(_http, "en", "US");
        text = await RedFlagSteps.ChatEmergency(factory, _http, us, RedFlagSteps.UsPoisoning, RedFlagCategories.Overdose);
        Assert.Contains("911", text);
        Assert.Contains("1-800-222-1222", text);
    }

    [Fact]
    public async Task A_fever_in_a_baby_whose_own_account_says_six_weeks_old_is_an_emergency_and_the_same_words_from_an_adult_are_not()
    {
        var baby = await _http.RegisterAsync();
        var born = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-42)).ToString("yyyy-MM-dd");
        var put = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Put, "/api/patients/me/profile", baby.Tokens.AccessToken,
            new { firstName = "Lucía", lastName = "García", birthDate = born, preferredLanguage = "en", country = "US" }));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var text = await RedFlagSteps.ChatEmergency(factory, _http, baby, "she has a fever of 38.4 since this morning", RedFlagCategories.InfantFever);
        Assert.Contains("911", text);

        var adult = await RedFlagSteps.Patient(_http, "en", "US");
        await using var hub = await factory.ConnectHubAsync("/hubs/chat", adult.Tokens.AccessToken);
        var id = await Microsoft.AspNetCore.SignalR.Client.HubConnectionExtensions.InvokeAsync<Guid>(hub, "StartConversation", "Fever");
        var chunks = await hub.SendAsync(id, "she has a fever of 38.4 since this morning");
        Assert.False(chunks[^1].Emergency);
    }
}
