using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using IPNetwork = System.Net.IPNetwork;

namespace HealthActors.Api.Setup;

/// <summary>
/// X-Forwarded-For / X-Forwarded-Proto from a reverse proxy (deploy/nginx), honoured only when the connection comes
/// from an address listed in ForwardedHeaders:KnownProxies (IP addresses) or ForwardedHeaders:KnownNetworks (CIDR,
/// "172.16.0.0/12"). Nothing is listed by default, and then the middleware is not added at all: any caller can write
/// these headers, and believing them would let a client pick its own rate-limit partition or pass for a local caller.
/// Only the last hop is taken (ForwardLimit 1): the address the trusted proxy saw, not what the client claimed
/// before it. X-Forwarded-Host is ignored, so links are never built from a host a client chose.
/// </summary>
public static class ForwardedHeadersSetup
{
    public const string Section = "ForwardedHeaders";

    public static IServiceCollection AddHealthActorsForwardedHeaders(this IServiceCollection services, IConfiguration config)
    {
        var (proxies, networks) = Read(config);
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.ForwardLimit = 1;
            // The framework trusts loopback out of the box; here only what the operator listed is trusted.
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in proxies) o.KnownProxies.Add(proxy);
            foreach (var network in networks) o.KnownIPNetworks.Add(network);
        });
        return services;
    }

    /// <summary>First in the pipeline, so that the rate limiter, the logs and the health details see the client's address.</summary>
    public static IApplicationBuilder UseHealthActorsForwardedHeaders(this IApplicationBuilder app, IConfiguration config)
    {
        var (proxies, networks) = Read(config);
        return proxies.Count + networks.Count == 0 ? app : app.UseForwardedHeaders();
    }

    /// <summary>The configured proxies and networks; an entry that does not parse stops the start, naming it.</summary>
    internal static (IReadOnlyList<IPAddress> Proxies, IReadOnlyList<IPNetwork> Networks) Read(IConfiguration config)
    {
        var section = config.GetSection(Section);
        var proxies = new List<IPAddress>();
        foreach (var entry in section.GetSection("KnownProxies").GetChildren())
        {
            if (string.IsNullOrWhiteSpace(entry.Value)) continue;
            if (!IPAddress.TryParse(entry.Value.Trim(), out var address))
                throw new InvalidOperationException($"{entry.Path} is not an IP address: '{entry.Value}'.");
            proxies.Add(address);
        }
        var networks = new List<IPNetwork>();
        foreach (var entry in section.GetSection("KnownNetworks").GetChildren())
        {
            if (string.IsNullOrWhiteSpace(entry.Value)) continue;
            if (!IPNetwork.TryParse(entry.Value.Trim(), out var network))
                throw new InvalidOperationException($"{entry.Path} is not a network in CIDR notation (10.0.0.0/8): '{entry.Value}'.");
            networks.Add(network);
        }
        return (proxies, networks);
    }
}
