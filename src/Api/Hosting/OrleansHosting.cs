using HealthActors.Grains.Abstractions.Marketplace;
using HealthActors.Grains.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;

namespace HealthActors.Api.Hosting;

public enum OrleansMode { Embedded, Client }

public static class OrleansHosting
{
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
                client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
                // A request already sent to a silo that is then killed gets no answer; only this timeout ends it (503).
                // Orleans' 30 s is kept by default because a chat turn may wait 20 s for its first model token.
                if (builder.Configuration.GetValue<double?>("Orleans:ResponseTimeoutSeconds") is { } responseTimeout)
                    client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(responseTimeout));
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
