using HealthActors.Grains.Hosting;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace HealthActors.Tests.Grains;

/// <summary>
/// Orleans TestingHost with the project's real storage configuration: grain state in the real
/// PostgreSQL under a service id of its own, so a second cluster built with the same id sees the same data.
/// </summary>
public static class GrainCluster
{
    public static async Task<TestCluster> StartAsync(string serviceId, short silos = 2)
    {
        var builder = new TestClusterBuilder(silos);
        builder.Options.ServiceId = serviceId;
        builder.Options.ClusterId = TestEnvironment.UniqueId("grains");
        builder.AddSiloBuilderConfigurator<PostgresStorage>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    public static IConfiguration Configuration() => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = TestEnvironment.Postgres,
            // The auction grain enforces the minimum open time itself; grain tests watch deadlines pass within minutes.
            ["Marketplace:MinOpenSeconds"] = "2",
        })
        .Build();

    private sealed class PostgresStorage : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var config = Configuration();
            silo.AddHealthActorsStorage(config, ClusterSettings.From(config));
        }
    }
}

/// <summary>One two-silo cluster shared by a test class.</summary>
public sealed class GrainClusterFixture : IAsyncLifetime
{
    public string ServiceId { get; } = TestEnvironment.UniqueId("grain-svc");
    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await GrainCluster.StartAsync(ServiceId);

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}
