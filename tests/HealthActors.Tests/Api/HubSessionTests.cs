using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace HealthActors.Tests.Api;

/// <summary>A small per-user cap and a fast session sweep, so the tests see both within seconds.</summary>
public sealed class HubLimitsApiFactory : ChatApiFactory
{
    public const int Cap = 3;

    protected override IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>(base.ExtraSettings)
    {
        ["Hubs:MaxConnectionsPerUser"] = Cap.ToString(),
        ["Hubs:SessionCheckSeconds"] = "0.5",
    };
}

public sealed record WatchedConnection(HubConnection Hub, Task<Exception?> Closed) : IAsyncDisposable
{
    public async Task<bool> ClosesWithin(TimeSpan timeout) => await Task.WhenAny(Closed, Task.Delay(timeout)) == Closed;

    public ValueTask DisposeAsync() => Hub.DisposeAsync();
}

public sealed class HubSessionTests(HubLimitsApiFactory factory) : IClassFixture<HubLimitsApiFactory>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly HttpClient _http = factory.CreateClient();

    private static async Task AssertOpen(WatchedConnection c)
    {
        Assert.False(c.Closed.IsCompleted, $"the connection was closed: {(c.Closed.IsCompleted ? c.Closed.Result?.Message : "")}");
        // A call round-trips only on a connection the server still holds.
        await c.Hub.InvokeAsync<Guid>("StartConversation", "still here");
    }

    [Fact]
    public async Task A_user_holds_at_most_the_cap_across_all_hubs_and_a_closed_one_frees_a_place()
    {
        var user = await _http.RegisterAsync();
        var held = new List<WatchedConnection>
        {
            await factory.OpenWatchedAsync("/hubs/chat", user.Tokens.AccessToken),
            await factory.OpenWatchedAsync("/hubs/notifications", user.Tokens.AccessToken),
            await factory.OpenWatchedAsync("/hubs/chat", user.Tokens.AccessToken),
        };
        Assert.Equal(HubLimitsApiFactory.Cap, held.Count);
        foreach (var c in held) Assert.False(await c.ClosesWithin(TimeSpan.FromMilliseconds(200)));

        await using (var extra = await factory.OpenWatchedAsync("/hubs/marketplace", user.Tokens.AccessToken))
        {
            Assert.True(await extra.ClosesWithin(Bound), "the connection over the cap must be refused");
            Assert.Contains("Too many open connections", (await extra.Closed)?.Message);
        }

        // Another user is not affected by this user's connections.
        var other = await _http.RegisterAsync();
        await using (var theirs = await factory.OpenWatchedAsync("/hubs/chat", other.Tokens.AccessToken))
            await AssertOpen(theirs);

        await held[0].Hub.StopAsync();
        await held[0].DisposeAsync();
        var replacement = await OpenOnceFreedAsync(user.Tokens.AccessToken);
        await AssertOpen(replacement);
        foreach (var c in held.Skip(1).Append(replacement)) await c.DisposeAsync();
    }

    /// <summary>
    /// The server frees a place when it handles the disconnect, a moment after the client's StopAsync returns (under
    /// load a connection opened at once was still refused), so the place must come back within the bound, not at once.
    /// </summary>
    private async Task<WatchedConnection> OpenOnceFreedAsync(string token)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            var c = await factory.OpenWatchedAsync("/hubs/chat", token);
            if (!await c.ClosesWithin(TimeSpan.FromMilliseconds(300))) return c;
            var reason = (await c.Closed)?.Message;
            await c.DisposeAsync();
            Assert.Contains("Too many open connections", reason);
            Assert.True(DateTime.UtcNow < deadline, $"the closed connection's place was not given back within {Bound}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Logout_closes_the_sessions_open_connections_but_not_another_sessions()
    {
        var user = await _http.RegisterAsync();
        var otherSession = await _http.LoginAsync(user.Email, user.Password);
        await using var ending = await factory.OpenWatchedAsync("/hubs/chat", user.Tokens.AccessToken);
        await using var staying = await factory.OpenWatchedAsync("/hubs/notifications", otherSession.AccessToken);
        await AssertOpen(ending);

        var logout = await _http.PostAsJsonAsync("/api/auth/logout", new { refreshToken = user.Tokens.RefreshToken });
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

        Assert.True(await ending.ClosesWithin(Bound), "the logged-out session's connection must be closed");
        Assert.False(staying.Closed.IsCompleted, "a connection of another session must stay open");
    }

    [Fact]
    public async Task Refresh_token_replay_closes_the_familys_connections()
    {
        var user = await _http.RegisterAsync();
        await using var hub = await factory.OpenWatchedAsync("/hubs/chat", user.Tokens.AccessToken);
        await AssertOpen(hub);

        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.Tokens.RefreshToken })).StatusCode);
        // Replaying the used token revokes the whole family, as a stolen token would.
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.Tokens.RefreshToken })).StatusCode);

        Assert.True(await hub.ClosesWithin(Bound), "the replayed family's connection must be closed");
    }

    [Fact]
    public async Task A_role_change_closes_connections_opened_with_the_old_role()
    {
        var user = await _http.RegisterAsync();
        await using var hub = await factory.OpenWatchedAsync("/hubs/marketplace", user.Tokens.AccessToken);
        Assert.False(await hub.ClosesWithin(TimeSpan.FromMilliseconds(200)));

        var admin = await _http.LoginAdminAsync();
        var promote = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, $"/api/admin/users/{user.Id}/role", admin.Tokens.AccessToken, new { role = "doctor" }));
        Assert.Equal(HttpStatusCode.OK, promote.StatusCode);

        Assert.True(await hub.ClosesWithin(Bound), "a connection carrying the old role must be closed");
    }
}

/// <summary>One-minute access tokens and no clock skew, so a token's expiry can be watched closing its connection.</summary>
public sealed class ShortTokenApiFactory : ChatApiFactory
{
    protected override IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>(base.ExtraSettings)
    {
        ["Jwt:AccessTokenMinutes"] = "1",
        ["Jwt:ClockSkewSeconds"] = "0",
    };
}

public sealed class HubTokenExpiryTests(ShortTokenApiFactory factory) : IClassFixture<ShortTokenApiFactory>
{
    [Fact]
    public async Task A_connection_is_closed_when_the_token_it_was_opened_with_expires()
    {
        var http = factory.CreateClient();
        var user = await http.RegisterAsync();
        await using var watched = await factory.OpenWatchedAsync("/hubs/chat", user.Tokens.AccessToken);
        var connection = watched.Hub;
        var closed = watched.Closed;
        var opened = DateTime.UtcNow;

        // Usable while the token is valid...
        await connection.InvokeAsync<Guid>("StartConversation", "before expiry");
        Assert.False(await Task.WhenAny(closed, Task.Delay(TimeSpan.FromSeconds(30))) == closed, "closed long before the token expired");
        // ...and closed by the server once it is not (the token lives 60 s; the server checks on its heartbeat).
        Assert.True(await Task.WhenAny(closed, Task.Delay(TimeSpan.FromSeconds(75))) == closed, "the connection outlived its token");
        Assert.InRange(DateTime.UtcNow - opened, TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(110));
    }
}
