using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace HealthActors.Tests.Api;

/// <summary>
/// The Api behind proxies: 10.0.0.1 is a known proxy and 10.1.0.0/16 a known network; anything else is a caller
/// whose forwarding headers mean nothing. The in-process test server has no TCP peer, so the peer's address is set
/// from the test-only header X-Test-Peer by a middleware that runs before the application's own pipeline, where
/// Kestrel would have set it from the socket.
/// </summary>
public sealed class ProxiedApiFactory : ApiFactory
{
    public const string PeerHeader = "X-Test-Peer";

    protected override int AuthPermitsPerWindow => 2;

    protected override IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        // Far longer than the test: the fixed window must not roll over between requests on a slow machine.
        ["RateLimiting:AuthWindowSeconds"] = "600",
        ["ForwardedHeaders:KnownProxies:0"] = "10.0.0.1",
        ["ForwardedHeaders:KnownNetworks:0"] = "10.1.0.0/16",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(s => s.AddSingleton<IStartupFilter, PeerFromHeader>());
    }

    private sealed class PeerFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((http, nextMiddleware) =>
            {
                if (http.Request.Headers.TryGetValue(PeerHeader, out var peer))
                    http.Connection.RemoteIpAddress = IPAddress.Parse(peer.ToString());
                return nextMiddleware(http);
            });
            next(app);
        };
    }
}

/// <summary>
/// The sign-in limiter (2 attempts per address per window here) partitions by the client's address: behind a known
/// proxy that is the address the proxy forwards, from anyone else the caller's own, whatever header it sends.
/// Each test uses addresses of its own, so the two share the fixture's limiter without meeting.
/// </summary>
public sealed class ForwardedHeadersTests(ProxiedApiFactory factory) : IClassFixture<ProxiedApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task Behind_a_known_proxy_each_forwarded_client_has_its_own_rate_limit_partition()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await SignIn(peer: "10.0.0.1", forwardedFor: "203.0.113.10"));
        Assert.Equal(HttpStatusCode.Unauthorized, await SignIn(peer: "10.0.0.1", forwardedFor: "203.0.113.10"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await SignIn(peer: "10.0.0.1", forwardedFor: "203.0.113.10"));

        // Another client through the same proxy is not held back by the first one's budget ...
        Assert.Equal(HttpStatusCode.Unauthorized, await SignIn(peer: "10.0.0.1", forwardedFor: "203.0.113.11"));
        // ... nor through a proxy of the known network; the first client stays limited whichever proxy it comes through.
        Assert.Equal(HttpStatusCode.Unauthorized, await SignIn(peer: "10.1.7.9", forwardedFor: "203.0.113.12"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await SignIn(peer: "10.1.7.9", forwardedFor: "203.0.113.10"));
        // Only the last hop counts: a client cannot pick a fresh partition by putting addresses of its own in front.
        Assert.Equal(HttpStatusCode.TooManyRequests, await SignIn(peer: "10.0.0.1", forwardedFor: "198.18.0.1, 203.0.113.10"));
    }

    [Fact]
    public async Task From_an_unknown_caller_the_forwarded_header_is_ignored()
    {
        // Three different claimed clients from one unknown address: one partition, the caller's own.
        Assert.Equal(HttpStatusCode.Unauthorized, await SignIn(peer: "198.51.100.20", forwardedFor: "203.0.113.20"));
        Assert.Equal(HttpStatusCode.Unauthorized, await SignIn(peer: "198.51.100.20", forwardedFor: "203.0.113.21"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await SignIn(peer: "198.51.100.20", forwardedFor: "203.0.113.22"));
        // Claiming to be a client that still has budget elsewhere does not help either.
        Assert.Equal(HttpStatusCode.Unauthorized, await SignIn(peer: "198.51.100.21", forwardedFor: null));
        Assert.Equal(HttpStatusCode.TooManyRequests, await SignIn(peer: "198.51.100.20", forwardedFor: "198.51.100.21"));

        // Nor does an unknown caller on this very host learn the readiness details by forging the header.
        var ready = new HttpRequestMessage(HttpMethod.Get, "/health/ready");
        ready.Headers.Add(ProxiedApiFactory.PeerHeader, "127.0.0.2");
        ready.Headers.Add("X-Forwarded-For", "127.0.0.1");
        var body = await (await _http.SendAsync(ready)).Content.ReadAsStringAsync();
        Assert.DoesNotContain("checks", body);
    }

    private async Task<HttpStatusCode> SignIn(string peer, string? forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login")
        {
            Content = JsonContent.Create(new { email = ApiClientExtensions.NewEmail("nobody"), password = "not-the-password" }),
        };
        request.Headers.Add(ProxiedApiFactory.PeerHeader, peer);
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        return (await _http.SendAsync(request)).StatusCode;
    }
}
