using System.Net;
using System.Net.Http.Json;
using HealthActors.Grains.Abstractions.Chat;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace HealthActors.Tests.Api;

/// <summary>A model behind the chat, and per-user budgets small enough to spend in a test.</summary>
public sealed class UserLimitedApiFactory : ChatApiFactory
{
    public const int ModelCalls = 3;
    public const int Requests = 25;

    protected override IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>(base.ExtraSettings)
    {
        ["RateLimiting:ModelCallsPerMinute"] = ModelCalls.ToString(),
        ["RateLimiting:UserRequestsPerMinute"] = Requests.ToString(),
    };
}

/// <summary>
/// Budgets are per user and per minute (fixed windows), so each test uses accounts of its own and stays
/// far inside one minute; a window that rolls over mid-test could only make a 429 come later, and the
/// assertions below allow for that by checking the 429 within the next few calls, not at an exact one.
/// </summary>
public sealed class UserRateLimitTests(UserLimitedApiFactory factory) : IClassFixture<UserLimitedApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private Task<HttpResponseMessage> Orient(TestUser user, string symptoms) =>
        _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, "/api/orientation", user.Tokens.AccessToken, new { symptoms }));

    [Fact]
    public async Task Chat_messages_and_orientations_share_one_model_budget_that_red_flags_never_spend()
    {
        var user = await _http.RegisterAsync();
        var other = await _http.RegisterAsync();
        await using var hub = await factory.ConnectChatAsync(user.Tokens.AccessToken);
        var conversation = await hub.InvokeAsync<Guid>("StartConversation", "limits");
        var marker = "limit-marker-" + Guid.NewGuid().ToString("N")[..8];

        // Two chat messages and one orientation spend the budget of three.
        Assert.NotEmpty(await hub.SendAsync(conversation, $"{marker} itchy rash on my arm"));
        Assert.NotEmpty(await hub.SendAsync(conversation, $"{marker} it started two days ago"));
        Assert.Equal(HttpStatusCode.OK, (await Orient(user, "itchy rash on my arm")).StatusCode);
        var modelRequestsBefore = factory.Model.Requests.Count;

        var refused = await Assert.ThrowsAsync<HubException>(() => hub.SendAsync(conversation, $"{marker} and now it spreads"));
        Assert.Contains("Too many messages", refused.Message);
        var orient = await Orient(user, "itchy rash on my arm");
        var problem = await orient.ProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Contains("slow down", problem["title"]!.GetValue<string>());
        Assert.InRange(int.Parse(orient.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        // Refused means refused before the model: nothing more reached it.
        Assert.Equal(modelRequestsBefore, factory.Model.Requests.Count);
        // Bad input is still named as such, not hidden behind the limit.
        await (await Orient(user, "")).ValidationProblemAsync("symptoms");

        // An emergency always gets through, in chat and in orientation.
        var emergency = await hub.SendAsync(conversation, "I have crushing chest pain and my left arm is numb");
        Assert.True(emergency.Single(c => c.Final).Emergency);
        var orientedEmergency = await Orient(user, "chest pain spreading to my left arm");
        Assert.Equal(HttpStatusCode.OK, orientedEmergency.StatusCode);
        Assert.True((await orientedEmergency.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["emergency"]!.GetValue<bool>());

        // Another user's budget is untouched.
        Assert.Equal(HttpStatusCode.OK, (await Orient(other, "itchy rash on my arm")).StatusCode);
    }

    [Fact]
    public async Task Each_user_has_a_request_budget_across_all_endpoints_and_anonymous_reads_are_not_counted()
    {
        var user = await _http.RegisterAsync();
        var other = await _http.RegisterAsync();
        HttpResponseMessage? limited = null;
        // The budget is 25 a minute; registering was anonymous and did not count.
        for (var i = 0; i < UserLimitedApiFactory.Requests + 5 && limited is null; i++)
        {
            var path = i % 2 == 0 ? "/api/me" : "/api/notifications";
            var r = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, path, user.Tokens.AccessToken));
            if (r.StatusCode == HttpStatusCode.TooManyRequests) limited = r;
            else Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
        Assert.NotNull(limited);
        await limited!.ProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.Contains("Retry-After"));

        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/api/me", other.Tokens.AccessToken))).StatusCode);
        for (var i = 0; i < UserLimitedApiFactory.Requests + 5; i++)
            Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/api/specialties")).StatusCode);
    }
}
