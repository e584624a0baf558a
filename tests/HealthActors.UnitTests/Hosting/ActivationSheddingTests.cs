using HealthActors.Grains.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace HealthActors.UnitTests.Hosting;

/// <summary>
/// The silo's grain-collection options as a silo process (and the embedded Api) resolves them: the host is built but
/// never started, so nothing listens and no cluster is joined.
/// </summary>
public sealed class ActivationSheddingTests
{
    private static GrainCollectionOptions Resolve(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleans(silo => silo.ConfigureHealthActors(builder.Configuration));
        using var host = builder.Build();
        return host.Services.GetRequiredService<IOptions<GrainCollectionOptions>>().Value;
    }

    [Fact]
    public void A_silo_sheds_idle_grains_under_memory_pressure_by_default()
    {
        var o = Resolve(new());

        Assert.True(o.EnableActivationSheddingOnMemoryPressure);
        Assert.Equal(80, o.MemoryUsageLimitPercentage);
        Assert.Equal(70, o.MemoryUsageTargetPercentage);
        Assert.Equal(TimeSpan.FromSeconds(1), o.MemoryUsagePollingPeriod);
        // Idle collection by age is Orleans' own and stays as it is.
        Assert.Equal(TimeSpan.FromMinutes(15), o.CollectionAge);
    }

    [Fact]
    public void Configuration_under_Orleans_GrainCollection_overrides_the_defaults()
    {
        var o = Resolve(new()
        {
            ["Orleans:GrainCollection:MemoryUsageLimitPercentage"] = "90",
            ["Orleans:GrainCollection:MemoryUsageTargetPercentage"] = "60",
            ["Orleans:GrainCollection:CollectionAge"] = "00:05:00",
            ["Orleans:GrainCollection:EnableActivationSheddingOnMemoryPressure"] = "false",
        });

        Assert.False(o.EnableActivationSheddingOnMemoryPressure);
        Assert.Equal(90, o.MemoryUsageLimitPercentage);
        Assert.Equal(60, o.MemoryUsageTargetPercentage);
        Assert.Equal(TimeSpan.FromMinutes(5), o.CollectionAge);
    }
}
