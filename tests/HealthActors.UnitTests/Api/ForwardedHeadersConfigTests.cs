using System.Net;
using HealthActors.Api.Health;
using HealthActors.Api.Setup;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace HealthActors.UnitTests.Api;

public sealed class ForwardedHeadersConfigTests
{
    [Fact]
    public void Nothing_configured_trusts_no_proxy()
    {
        var (proxies, networks) = ForwardedHeadersSetup.Read(Config());
        Assert.Empty(proxies);
        Assert.Empty(networks);
    }

    [Fact]
    public void Proxies_and_networks_are_read_from_configuration()
    {
        var (proxies, networks) = ForwardedHeadersSetup.Read(Config(
            ("ForwardedHeaders:KnownProxies:0", "10.0.0.1"), ("ForwardedHeaders:KnownProxies:1", " ::1 "),
            ("ForwardedHeaders:KnownNetworks:0", "172.16.0.0/12")));
        Assert.Equal([IPAddress.Parse("10.0.0.1"), IPAddress.IPv6Loopback], proxies);
        Assert.Equal([IPNetwork.Parse("172.16.0.0/12")], networks);
    }

    [Theory]
    [InlineData("ForwardedHeaders:KnownProxies:0", "nginx")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "10.0.0.0")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "10.0.0.0/40")]
    public void A_value_that_does_not_parse_stops_the_start_naming_the_key(string key, string value)
    {
        var e = Assert.Throws<InvalidOperationException>(() => ForwardedHeadersSetup.Read(Config((key, value))));
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void A_request_whose_address_came_from_a_trusted_proxy_is_not_local()
    {
        // The middleware moved the forwarded address into RemoteIpAddress and the proxy's into X-Original-For.
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Loopback;
        Assert.True(HealthResponse.MayReadDetails(http));
        http.Request.Headers["X-Original-For"] = "10.0.0.1:50000";
        Assert.False(HealthResponse.MayReadDetails(http));
    }

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
