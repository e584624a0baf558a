using System.Net;
using System.Net.Http.Json;

namespace HealthActors.Tests.Api;

public sealed class RateLimitedApiFactory : ApiFactory
{
    protected override int AuthPermitsPerWindow => 3;

    // A window far longer than the test keeps the fixed window from rolling over between requests on a slow machine.
    protected override IDictionary<string, string?> ExtraSettings =>
        new Dictionary<string, string?> { ["RateLimiting:AuthWindowSeconds"] = "600" };
}

/// <summary>One test only: the limiter's window is shared state, and a second test in this fixture would see it spent.</summary>
public sealed class RateLimitTests(RateLimitedApiFactory factory) : IClassFixture<RateLimitedApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task The_fourth_auth_request_in_a_window_is_429_with_retry_after_and_other_endpoints_stay_open()
    {
        // Three different auth endpoints: the budget covers the group, not each route.
        var user = await _http.RegisterAsync();
        var tokens = await _http.LoginAsync(user.Email, user.Password);
        var refreshed = await _http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = tokens.RefreshToken });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);

        var fourth = await _http.PostAsJsonAsync("/api/auth/login", new { email = user.Email, password = user.Password });
        var problem = await fourth.ProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.False(string.IsNullOrWhiteSpace(problem["title"]?.GetValue<string>()));
        var retryAfter = int.Parse(fourth.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 600);

        // Even a request the endpoint would reject is turned away first: the limiter runs before any work.
        await (await _http.PostAsJsonAsync("/api/auth/logout", new { refreshToken = "" })).ProblemAsync(HttpStatusCode.TooManyRequests);

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/api/me", user.Tokens.AccessToken))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/api/patients/me/profile", user.Tokens.AccessToken))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/health/live")).StatusCode);
        }
    }
}
