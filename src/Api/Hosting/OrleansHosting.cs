using HealthActors.Grains.Abstractions.Marketplace;
using HealthActors.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Orleans.Core;

namespace HealthActors.Api.Hosting;

public enum OrleansMode { Embedded, Client }

public static class OrleansHosting
{
    /// <summary>Orleans:ResponseTimeoutSeconds when not set (client mode).</summary>
    public const double DefaultResponseTimeoutSeconds = 8;

    /// <summary>Orleans:LostGatewayGraceSeconds when not set (client mode): see <see cref="LostSiloCalls"/>.</summary>
    public const double DefaultLostGatewayGraceSeconds = 1;

    /// <summary>
    /// Client of a Redis-clustered cluster when Redis is configured (Orleans:Mode=Client), otherwise one silo
    /// co-hosted in this process (Orleans:Mode=Embedded). Orleans:Mode forces either.
    /// </summary>
    public static OrleansMode AddHealthActorsOrleans(this WebApplicationBuilder builder)
    {
        var settings = ClusterSettings.From(builder.Configuration);
        var mode = builder.Configuration["Orleans:Mode"] is { Length: > 0 } m
            ? Enum.Parse<OrleansMode>(m, ignoreCase: true)
            : settings.UsesRedis ? OrleansMode.Client : OrleansMode.Embedded;

        if (mode == OrleansMode.Embedded)
        {
            builder.UseOrleans(silo => silo.ConfigureHealthActors(builder.Configuration));
        }
        else
        {
            if (!settings.UsesRedis)
                throw new InvalidOperationException("Orleans:Mode=Client needs ConnectionStrings:Redis to find the cluster.");
            builder.UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = settings.ClusterId;
                    o.ServiceId = settings.ServiceId;
                });
                client.UseRedisClustering(settings.Redis!);
                // Orleans re-reads the gateway list once a minute by default. A rolling replacement that retires
                // the old silos sooner than that leaves the Api knowing no live gateway, and every request fails
                // until the next read. One Redis read every few seconds is cheap.
                // Every 2 s, not 5: it is also how soon after the cluster declares a frozen silo dead this node stops
                // sending calls to that silo's gateway (and closes its connection, which ends LostSiloCalls' wait).
                client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(2));
                // A request already handed to a silo that then dies or freezes gets no answer: Orleans 10.4 does not
                // fail the calls a gateway forwarded to a silo declared dead, so only this timeout ends them (503 +
                // Retry-After), 8 s rather than Orleans' 30 so that service is whole again within 10 s of a silo's
                // death. Streamed chat turns are not cut by it: the silo answers each long poll with a heartbeat after
                // half its own response timeout (SiloHosting, 10 s), so a model may take its 20 s for a first token.
                client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(
                    builder.Configuration.GetValue("Orleans:ResponseTimeoutSeconds", DefaultResponseTimeoutSeconds)));
                // Calls in flight when a gateway is lost are given up after a grace rather than waiting out the
                // response timeout (LostSiloCalls says why).
                var lostSiloCalls = new Func<IServiceProvider, LostSiloCalls>(sp => sp.GetRequiredService<LostSiloCalls>());
                client.Services.AddSingleton(sp => new LostSiloCalls(
                    TimeSpan.FromSeconds(builder.Configuration.GetValue("Orleans:LostGatewayGraceSeconds", DefaultLostGatewayGraceSeconds)),
                    sp.GetRequiredService<ILogger<LostSiloCalls>>()));
                client.Services.AddSingleton<IClusterConnectionStatusObserver>(lostSiloCalls);
                client.Services.AddSingleton<IOutgoingGrainCallFilter>(lostSiloCalls);
                client.UseConnectionRetryFilter(new StartupRetry(
                    TimeSpan.FromSeconds(builder.Configuration.GetValue("Orleans:ClientConnectTimeoutSeconds", 60))).ShouldRetry);
            });
        }
        // What the endpoints use themselves, in either mode; the grains' own services live only in a silo.
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<MarketplaceOptions>().Bind(builder.Configuration.GetSection(MarketplaceOptions.Section));
        return mode;
    }

    /// <summary>Keeps trying to reach a gateway for a while at start-up, so the Api may start before the silos.</summary>
    private sealed class StartupRetry(TimeSpan budget)
    {
        private readonly DateTime _deadline = DateTime.UtcNow + budget;

        public async Task<bool> ShouldRetry(Exception exception, CancellationToken ct)
        {
            if (DateTime.UtcNow > _deadline) return false;
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            return true;
        }
    }
}
