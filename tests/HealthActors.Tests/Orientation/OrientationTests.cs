using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HealthActors.Grains.Catalog;

namespace HealthActors.Tests.Orientation;

public sealed class SymptomRulesTests
{
    [Theory]
    [InlineData("I have an itchy rash on my arms", "Dermatology")]
    [InlineData("Tengo acidez y dolor de estómago después de comer", "Gastroenterology")]
    [InlineData("my knee hurts after running and the ankle is swollen", "Traumatology")]
    [InlineData("me duele el oído y la garganta", "Otolaryngology")]
    [InlineData("migraine with dizziness", "Neurology")]
    [InlineData("I feel anxious and have panic attacks", "Psychiatry")]
    [InlineData("something feels off", "General practice")]
    public void Terms_map_to_a_specialty(string symptoms, string specialty) =>
        Assert.Equal(specialty, SymptomRules.Score(symptoms)[0].Specialty);

    [Fact]
    public void Confidence_is_a_share_between_zero_and_one_and_thin_evidence_is_less_certain()
    {
        var strong = SymptomRules.Score("itchy rash, eczema and acne on my skin");
        var thin = SymptomRules.Score("my skin");
        Assert.All(strong.Concat(thin), s => Assert.InRange(s.Confidence, 0, 1));
        Assert.True(strong[0].Confidence > thin[0].Confidence);
    }

    [Fact]
    public void Young_children_lean_to_pediatrics() =>
        Assert.Equal("Pediatrics", SymptomRules.Score("fever and cough", age: 4)[0].Specialty);
}

public sealed class OrientationApiTests(ChatApiFactory factory) : IClassFixture<ChatApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private async Task<JsonObject> Orient(TestUser user, object body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var r = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, "/api/orientation", user.Tokens.AccessToken, body));
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(expected == r.StatusCode, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    [Fact]
    public async Task Rules_answer_with_the_catalog_specialty_and_history_keeps_it()
    {
        var admin = await _http.LoginAdminAsync();
        var created = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, "/api/admin/specialties", admin.Tokens.AccessToken,
            new { name = "Dermatology", description = "Skin" }));
        Assert.True(created.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict);
        var specialties = JsonNode.Parse(await _http.GetStringAsync("/api/specialties"))!.AsArray();
        var dermatologyId = specialties.First(s => s!["name"]!.GetValue<string>() == "Dermatology")!["id"]!.GetValue<Guid>();

        factory.Model.Behavior = _ => Task.FromResult(new FakeReply("I cannot tell"));
        var user = await _http.RegisterAsync();
        var result = await Orient(user, new { symptoms = "Tengo una erupción en la piel que pica mucho", age = 30, sex = "female" });
        Assert.Equal("Dermatology", result["specialty"]!.GetValue<string>());
        Assert.Equal(dermatologyId, result["specialtyId"]!.GetValue<Guid>());
        Assert.InRange(result["confidence"]!.GetValue<double>(), 0, 1);
        Assert.False(result["emergency"]!.GetValue<bool>());
        Assert.Equal("rules", result["source"]!.GetValue<string>());

        await Orient(user, new { symptoms = "headache every morning" });
        var history = JsonNode.Parse(await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/api/orientation/history", user.Tokens.AccessToken))).Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal(2, history.Count);
        Assert.Equal("Neurology", history[0]!["specialty"]!.GetValue<string>());

        // History is per user.
        var other = await _http.RegisterAsync();
        var theirs = JsonNode.Parse(await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/api/orientation/history", other.Tokens.AccessToken))).Content.ReadAsStringAsync())!.AsArray();
        Assert.Empty(theirs);
    }

    [Fact]
    public async Task Red_flags_make_it_an_emergency_without_asking_the_model()
    {
        var before = factory.Model.Requests.Count;
        var user = await _http.RegisterAsync();
        var result = await Orient(user, new { symptoms = "dolor de pecho fuerte y me falta el aire" });
        Assert.True(result["emergency"]!.GetValue<bool>());
        Assert.Equal("Emergency medicine", result["specialty"]!.GetValue<string>());
        var flags = result["redFlags"]!.AsArray().Select(f => f!.GetValue<string>()).ToList();
        Assert.Contains("chest-pain", flags);
        Assert.Contains("breathing", flags);
        Assert.Equal(before, factory.Model.Requests.Count);
    }

    [Fact]
    public async Task The_model_refines_when_it_answers_in_time_and_is_ignored_when_it_does_not()
    {
        var user = await _http.RegisterAsync();
        factory.Model.Behavior = _ => Task.FromResult(new FakeReply("Endocrinology"));
        var refined = await Orient(user, new { symptoms = "I am always tired and thirsty" });
        Assert.Equal("Endocrinology", refined["specialty"]!.GetValue<string>());
        Assert.Equal("rules+model", refined["source"]!.GetValue<string>());

        factory.Model.Behavior = _ => Task.FromResult(new FakeReply("Endocrinology", DelayBeforeFirstChunk: TimeSpan.FromSeconds(8)));
        var slow = await Orient(user, new { symptoms = "itchy rash" });
        Assert.Equal("Dermatology", slow["specialty"]!.GetValue<string>());
        Assert.Equal("rules", slow["source"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{}", "symptoms")]
    [InlineData("{\"symptoms\":\"   \"}", "symptoms")]
    [InlineData("{\"symptoms\":\"rash\",\"age\":-1}", "age")]
    [InlineData("{\"symptoms\":\"rash\",\"age\":\"ten\"}", "age")]
    [InlineData("{\"symptoms\":\"rash\",\"sex\":\"robot\"}", "sex")]
    public async Task Bad_input_is_400_naming_the_field(string body, string field)
    {
        var user = await _http.RegisterAsync();
        var r = await _http.SendAsync(ApiClientExtensions.RawJson(HttpMethod.Post, "/api/orientation", user.Tokens.AccessToken, body));
        await r.ValidationProblemAsync(field);
    }

    [Fact]
    public async Task Oversized_symptoms_and_anonymous_callers_are_refused()
    {
        var user = await _http.RegisterAsync();
        var r = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, "/api/orientation", user.Tokens.AccessToken, new { symptoms = new string('a', 2001) }));
        await r.ValidationProblemAsync("symptoms");
        await (await _http.PostAsJsonAsync("/api/orientation", new { symptoms = "rash" })).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await _http.GetAsync("/api/orientation/history")).ProblemAsync(HttpStatusCode.Unauthorized);
    }
}
