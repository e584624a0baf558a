using System.Net;
using System.Net.Http.Json;
using HealthActors.Api.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace HealthActors.Tests.Api;

/// <summary>One Api node of a two-node cluster: same cluster and service ids, its own ports.</summary>
public sealed class ClusterNodeApiFactory(string clusterId, string serviceId) : ApiFactory
{
    protected override IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Orleans:ClusterId"] = clusterId,
        ["Orleans:ServiceId"] = serviceId,
        // Renewed every second, so that registrations made before the two silos agreed on where the changes grain
        // lives are made again with the one activation that remains (TwoApiNodes.InitializeAsync).
        ["Live:RenewSeconds"] = "1",
    };
}

/// <summary>Two Api nodes, each with an embedded silo, forming one cluster: the account grain lives on one of them.</summary>
public sealed class TwoApiNodes : IAsyncLifetime
{
    public ClusterNodeApiFactory A { get; }
    public ClusterNodeApiFactory B { get; }
    public HttpClient HttpA { get; private set; } = null!;
    public HttpClient HttpB { get; private set; } = null!;

    public TwoApiNodes()
    {
        var cluster = TestEnvironment.UniqueId("sess");
        var service = TestEnvironment.UniqueId("svc");
        A = new ClusterNodeApiFactory(cluster, service);
        B = new ClusterNodeApiFactory(cluster, service);
    }

    public async Task InitializeAsync()
    {
        HttpA = A.CreateClient();
        HttpB = B.CreateClient();
        // Until both silos see each other they may each activate the changes grain, and a node registered with the
        // copy that is dropped gets no pushes until its next renewal: the tests then saw a logout through A leave B's
        // answers in place (a run at 00:45 UTC on 2026-12-05, under one-second thread-pool stalls). Wait for one
        // cluster, then for registrations renewed in it.
        foreach (var node in new[] { A, B })
        {
            var management = node.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
            await Poll.Until(async () => (await management.GetHosts(onlyActive: true)).Count == 2, TimeSpan.FromSeconds(60),
                () => "both silos active in one cluster");
        }
        // Until a node's registration for session changes is in place it asks the grain every time (correct, but
        // then these tests would prove nothing about the cache).
        await Poll.Until(() => Task.FromResult(Cache(A).Registered && Cache(B).Registered), TimeSpan.FromSeconds(20),
            () => "both nodes registered for session changes");
        // Two renewals (one a second) after the cluster is one: a registration held by a dropped copy is made again.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
    }

    public static SessionValidity Cache(ApiFactory node) => node.Services.GetRequiredService<SessionValidity>();

    public async Task DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
    }
}

/// <summary>
/// Each node answers the per-request session check from its own cache; a logout, a refresh-token replay or a role
/// change made through one node must be in force on the other by the time that call returns.
/// </summary>
public sealed class SessionCacheAcrossNodesTests(TwoApiNodes nodes) : IClassFixture<TwoApiNodes>
{
    private static async Task<HttpStatusCode> Me(HttpClient http, string accessToken) =>
        (await http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/api/me", accessToken))).StatusCode;

    [Fact]
    public async Task Logout_on_one_node_refuses_the_sessions_token_on_the_other_as_soon_as_it_returns()
    {
        var user = await nodes.HttpA.RegisterAsync();
        var phone = await nodes.HttpA.LoginAsync(user.Email, user.Password);
        Assert.Equal(HttpStatusCode.OK, await Me(nodes.HttpB, user.Tokens.AccessToken));
        Assert.Equal(HttpStatusCode.OK, await Me(nodes.HttpB, phone.AccessToken));
        Assert.True(TwoApiNodes.Cache(nodes.B).HasAnswersFor(user.Tokens.UserId), "node B answered from its cache");
        var tokensB = nodes.B.Services.GetRequiredService<ValidatedTokenCache>();
        Assert.True(tokensB.Holds(user.Tokens.AccessToken), "node B remembers the token's signature check");

        var logout = await nodes.HttpA.PostAsJsonAsync("/api/auth/logout", new { refreshToken = user.Tokens.RefreshToken });
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

        // No waiting: the grain pushed to node B before the logout answered.
        Assert.False(TwoApiNodes.Cache(nodes.B).HasAnswersFor(user.Tokens.UserId), "node B dropped the user's answers");
        Assert.Equal(HttpStatusCode.Unauthorized, await Me(nodes.HttpB, user.Tokens.AccessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await Me(nodes.HttpA, user.Tokens.AccessToken));
        // The other sign-in is another session and keeps working on both nodes.
        Assert.Equal(HttpStatusCode.OK, await Me(nodes.HttpB, phone.AccessToken));
        Assert.Equal(HttpStatusCode.OK, await Me(nodes.HttpA, phone.AccessToken));
    }

    [Fact]
    public async Task A_replayed_refresh_token_on_one_node_ends_the_family_on_both()
    {
        var user = await nodes.HttpA.RegisterAsync();
        var rotated = await nodes.HttpA.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.Tokens.RefreshToken });
        var current = (await rotated.Content.ReadFromJsonAsync<Tokens>(ApiClientExtensions.Json))!;
        Assert.Equal(HttpStatusCode.OK, await Me(nodes.HttpA, current.AccessToken));
        Assert.Equal(HttpStatusCode.OK, await Me(nodes.HttpB, current.AccessToken));
        Assert.True(TwoApiNodes.Cache(nodes.A).HasAnswersFor(user.Tokens.UserId));
        Assert.True(TwoApiNodes.Cache(nodes.B).HasAnswersFor(user.Tokens.UserId));

        // The first refresh token comes back (a stolen copy) through node B.
        await (await nodes.HttpB.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.Tokens.RefreshToken }))
            .ProblemAsync(HttpStatusCode.Unauthorized);

        Assert.Equal(HttpStatusCode.Unauthorized, await Me(nodes.HttpA, current.AccessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await Me(nodes.HttpB, current.AccessToken));
    }

    [Fact]
    public async Task A_role_change_on_one_node_refuses_tokens_with_the_old_role_on_the_other()
    {
        var user = await nodes.HttpA.RegisterAsync();
        Assert.Equal(HttpStatusCode.OK, await Me(nodes.HttpB, user.Tokens.AccessToken));
        Assert.True(TwoApiNodes.Cache(nodes.B).HasAnswersFor(user.Tokens.UserId));

        var admin = await nodes.HttpA.LoginAdminAsync();
        await nodes.HttpA.Driver().MakeDoctorAsync(admin.Tokens.AccessToken, user);

        Assert.Equal(HttpStatusCode.Unauthorized, await Me(nodes.HttpB, user.Tokens.AccessToken));
    }
}
