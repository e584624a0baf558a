using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HealthActors.Api.Auth;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace HealthActors.Tests.Api;

public sealed class AuthFlowTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task Register_returns_tokens_for_a_patient_and_me_answers()
    {
        var user = await _http.RegisterAsync(name: "Ana García");
        Assert.NotEqual(Guid.Empty, user.Id);
        Assert.Equal(900, user.Tokens.ExpiresIn);

        var jwt = new JsonWebToken(user.Tokens.AccessToken);
        Assert.Equal("HS256", jwt.Alg);
        Assert.Equal(user.Id.ToString(), jwt.Subject);
        Assert.Equal("patient", jwt.GetClaim("role").Value);

        var me = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/api/me", user.Tokens.AccessToken));
        var body = JsonNode.Parse(await me.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(user.Email.ToLowerInvariant(), body["email"]!.GetValue<string>());
        Assert.Equal("patient", body["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task Duplicate_email_differing_only_in_case_is_a_409()
    {
        var user = await _http.RegisterAsync();
        var again = await _http.PostAsJsonAsync("/api/auth/register",
            new { email = "  " + user.Email.ToUpperInvariant() + " ", password = "another-long-passphrase", name = "Other" });
        await again.ProblemAsync(HttpStatusCode.Conflict);
        // The original password still works: the duplicate wrote nothing.
        await _http.LoginAsync(user.Email, user.Password);
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_email_create_exactly_one_account()
    {
        var email = ApiClientExtensions.NewEmail("race");
        var attempts = Enumerable.Range(0, 12).Select(i => _http.PostAsJsonAsync("/api/auth/register",
            new { email = i % 2 == 0 ? email : email.ToUpperInvariant(), password = $"racing-passphrase-{i:00}", name = $"Racer {i}" }));
        var responses = await Task.WhenAll(attempts);
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(11, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task Wrong_password_and_unknown_email_get_the_same_401()
    {
        var user = await _http.RegisterAsync();
        var wrong = await _http.PostAsJsonAsync("/api/auth/login", new { email = user.Email, password = "not-the-password" });
        var unknown = await _http.PostAsJsonAsync("/api/auth/login", new { email = ApiClientExtensions.NewEmail(), password = "not-the-password" });
        var p1 = await wrong.ProblemAsync(HttpStatusCode.Unauthorized);
        var p2 = await unknown.ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(p1["title"]!.ToString(), p2["title"]!.ToString());
        Assert.Equal(p1["detail"]!.ToString(), p2["detail"]!.ToString());
    }

    [Fact]
    public async Task Five_failures_lock_the_account_with_423_even_for_the_right_password()
    {
        var user = await _http.RegisterAsync();
        for (var i = 1; i <= 4; i++)
            await (await _http.PostAsJsonAsync("/api/auth/login", new { email = user.Email, password = $"wrong-{i}-password" }))
                .ProblemAsync(HttpStatusCode.Unauthorized);
        var fifth = await _http.PostAsJsonAsync("/api/auth/login", new { email = user.Email, password = "wrong-5-password" });
        var locked = await fifth.ProblemAsync(HttpStatusCode.Locked);
        Assert.NotNull(locked["lockedUntil"]);
        Assert.True(int.Parse(fifth.Headers.GetValues("Retry-After").Single()) > 0);

        var right = await _http.PostAsJsonAsync("/api/auth/login", new { email = user.Email, password = user.Password });
        await right.ProblemAsync(HttpStatusCode.Locked);
    }

    [Fact]
    public async Task Unknown_emails_lock_out_the_same_way_so_lockout_reveals_nothing()
    {
        var email = ApiClientExtensions.NewEmail("ghost");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
            statuses.Add((await _http.PostAsJsonAsync("/api/auth/login", new { email, password = "whatever-password" })).StatusCode);
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized,
            HttpStatusCode.Locked, HttpStatusCode.Locked], statuses);
    }

    [Fact]
    public async Task Refresh_rotates_and_a_replayed_token_revokes_the_whole_family()
    {
        var user = await _http.RegisterAsync();
        var first = user.Tokens.RefreshToken;

        var r1 = await _http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = first });
        Assert.Equal(HttpStatusCode.OK, r1.StatusCode);
        var second = (await r1.Content.ReadFromJsonAsync<Tokens>(ApiClientExtensions.Json))!;
        Assert.NotEqual(first, second.RefreshToken);
        Assert.NotEqual(user.Tokens.AccessToken, second.AccessToken);

        var r2 = await _http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = second.RefreshToken });
        Assert.Equal(HttpStatusCode.OK, r2.StatusCode);
        var third = (await r2.Content.ReadFromJsonAsync<Tokens>(ApiClientExtensions.Json))!;

        // The first token comes back (stolen copy): refused, and every descendant dies with it.
        await (await _http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = first })).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await _http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = third.RefreshToken })).ProblemAsync(HttpStatusCode.Unauthorized);

        // Another sign-in is another family and is unaffected.
        var fresh = await _http.LoginAsync(user.Email, user.Password);
        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = fresh.RefreshToken })).StatusCode);
    }

    [Fact]
    public async Task Concurrent_redemptions_of_one_refresh_token_yield_at_most_one_pair()
    {
        var user = await _http.RegisterAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 8)
            .Select(_ => _http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.Tokens.RefreshToken })));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task Logout_revokes_the_family()
    {
        var user = await _http.RegisterAsync();
        var rotated = await _http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.Tokens.RefreshToken });
        var current = (await rotated.Content.ReadFromJsonAsync<Tokens>(ApiClientExtensions.Json))!;

        Assert.Equal(HttpStatusCode.NoContent, (await _http.PostAsJsonAsync("/api/auth/logout", new { refreshToken = current.RefreshToken })).StatusCode);
        await (await _http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = current.RefreshToken })).ProblemAsync(HttpStatusCode.Unauthorized);
    }

    private async Task<HttpStatusCode> Me(string accessToken) =>
        (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/api/me", accessToken))).StatusCode;

    [Fact]
    public async Task Logging_out_ends_the_sessions_access_tokens_too_and_only_that_sessions()
    {
        var user = await _http.RegisterAsync();
        var phone = await _http.LoginAsync(user.Email, user.Password);
        var rotated = (await (await _http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.Tokens.RefreshToken }))
            .Content.ReadFromJsonAsync<Tokens>(ApiClientExtensions.Json))!;
        Assert.Equal(HttpStatusCode.OK, await Me(user.Tokens.AccessToken));

        Assert.Equal(HttpStatusCode.NoContent, (await _http.PostAsJsonAsync("/api/auth/logout", new { refreshToken = rotated.RefreshToken })).StatusCode);

        // Both access tokens of the ended session (before and after its rotation) stop at once, on REST and hubs.
        await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/api/me", user.Tokens.AccessToken))).ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.Unauthorized, await Me(rotated.AccessToken));
        var hub = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, "/hubs/notifications/negotiate?negotiateVersion=1", rotated.AccessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, hub.StatusCode);
        // The user's other sign-in is another session and carries on.
        Assert.Equal(HttpStatusCode.OK, await Me(phone.AccessToken));
    }

    [Fact]
    public async Task A_token_whose_check_this_node_remembers_is_still_refused_at_once_after_logout_or_refresh_reuse()
    {
        var tokens = factory.Services.GetRequiredService<ValidatedTokenCache>();
        var user = await _http.RegisterAsync();
        var phone = await _http.LoginAsync(user.Email, user.Password);
        foreach (var access in new[] { user.Tokens.AccessToken, phone.AccessToken })
        {
            Assert.Equal(HttpStatusCode.OK, await Me(access));
            Assert.Equal(HttpStatusCode.OK, await Me(access));
            Assert.True(tokens.Holds(access), "the token's check is remembered");
        }

        Assert.Equal(HttpStatusCode.NoContent, (await _http.PostAsJsonAsync("/api/auth/logout", new { refreshToken = user.Tokens.RefreshToken })).StatusCode);
        // The remembered signature check does not outlive the session: the session check still runs on every request.
        Assert.True(tokens.Holds(user.Tokens.AccessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await Me(user.Tokens.AccessToken));

        // Refresh-token reuse ends the other session the same way.
        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = phone.RefreshToken })).StatusCode);
        await (await _http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = phone.RefreshToken })).ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.True(tokens.Holds(phone.AccessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await Me(phone.AccessToken));
    }

    [Fact]
    public async Task A_replayed_refresh_token_ends_the_sessions_access_tokens()
    {
        var user = await _http.RegisterAsync();
        var second = (await (await _http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.Tokens.RefreshToken }))
            .Content.ReadFromJsonAsync<Tokens>(ApiClientExtensions.Json))!;
        Assert.Equal(HttpStatusCode.OK, await Me(second.AccessToken));

        await (await _http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.Tokens.RefreshToken })).ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.Unauthorized, await Me(second.AccessToken));
    }

    [Fact]
    public async Task A_role_change_stops_tokens_that_carry_the_old_role_at_once()
    {
        var user = await _http.RegisterAsync();
        var admin = await _http.LoginAdminAsync();
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, $"/api/admin/users/{user.Id}/role", admin.Tokens.AccessToken, new { role = "admin" }))).StatusCode);
        var asAdmin = await _http.LoginAsync(user.Email, user.Password);
        var lookup = $"/api/admin/users?email={Uri.EscapeDataString(user.Email)}";
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, lookup, asAdmin.AccessToken))).StatusCode);

        // Demoted: the admin token it still holds is refused before any admin endpoint sees it.
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, $"/api/admin/users/{user.Id}/role", admin.Tokens.AccessToken, new { role = "patient" }))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, lookup, asAdmin.AccessToken))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await Me(asAdmin.AccessToken));
        Assert.Equal(HttpStatusCode.OK, await Me(admin.Tokens.AccessToken));

        // A refresh issues a token with the current role, which works.
        var refreshed = (await (await _http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = asAdmin.RefreshToken }))
            .Content.ReadFromJsonAsync<Tokens>(ApiClientExtensions.Json))!;
        Assert.Equal("patient", new JsonWebToken(refreshed.AccessToken).GetClaim("role").Value);
        Assert.Equal(HttpStatusCode.OK, await Me(refreshed.AccessToken));
    }

    [Fact]
    public async Task Garbage_refresh_tokens_are_401_not_500()
    {
        foreach (var token in new[] { "x", "not-base64-at-all!!", Convert.ToBase64String(new byte[48]), new string('A', 64) })
            await (await _http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = token })).ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_role_change_reaches_the_token_at_the_next_refresh()
    {
        var user = await _http.RegisterAsync();
        var admin = await _http.LoginAdminAsync();
        var change = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, $"/api/admin/users/{user.Id}/role", admin.Tokens.AccessToken, new { role = "doctor" }));
        Assert.Equal(HttpStatusCode.OK, change.StatusCode);

        var refreshed = await _http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.Tokens.RefreshToken });
        var tokens = (await refreshed.Content.ReadFromJsonAsync<Tokens>(ApiClientExtensions.Json))!;
        Assert.Equal("doctor", new JsonWebToken(tokens.AccessToken).GetClaim("role").Value);
    }

    [Fact]
    public async Task Tampered_expired_or_foreign_tokens_are_rejected()
    {
        var user = await _http.RegisterAsync();
        var parts = user.Tokens.AccessToken.Split('.');
        var payload = JsonNode.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(parts[1]))!;
        payload["role"] = "admin";
        var tampered = $"{parts[0]}.{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(payload.ToJsonString())}.{parts[2]}";
        var unsigned = $"{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{parts[1]}.";

        var handler = new JsonWebTokenHandler();
        var otherKey = new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes("another-key-of-sufficient-length-0123456789"));
        string Mint(DateTime expires, Microsoft.IdentityModel.Tokens.SecurityKey key, string issuer = "healthactors") => handler.CreateToken(
            new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
            {
                Issuer = issuer, Audience = "healthactors-api", IssuedAt = expires.AddMinutes(-20), NotBefore = expires.AddMinutes(-20), Expires = expires,
                Claims = new Dictionary<string, object> { ["sub"] = user.Id.ToString(), ["role"] = "admin" },
                SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(key, "HS256"),
            });
        var ourKey = new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(TestEnvironment.JwtKey));
        var expired = Mint(DateTime.UtcNow.AddMinutes(-5), ourKey);
        var foreign = Mint(DateTime.UtcNow.AddMinutes(5), otherKey);
        var wrongIssuer = Mint(DateTime.UtcNow.AddMinutes(5), ourKey, issuer: "someone-else");

        foreach (var token in new[] { tampered, unsigned, expired, foreign, wrongIssuer })
        {
            var r = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/api/me", token));
            await r.ProblemAsync(HttpStatusCode.Unauthorized);
        }
    }
}
