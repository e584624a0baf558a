using System.Diagnostics;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Abstractions.Marketplace;
using HealthActors.Grains.Hosting;
using HealthActors.Tests.Grains;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Runtime.Messaging;
using Orleans.TestingHost;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace HealthActors.Tests.Marketplace;

/// <summary>
/// Two silos with what production has: membership and reminders in Redis, grain state in PostgreSQL.
/// The silo holding live auctions goes away; the auctions must come back on the other one with their bids
/// and still close at their deadline, because the reminders live in Redis rather than in the dead silo.
/// </summary>
public sealed class AuctionFailoverTests(ITestOutputHelper output)
{
    private sealed class ProductionLikeSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var config = GrainCluster.Configuration();
            silo.UseRedisClustering(TestEnvironment.Redis);
            silo.UseRedisReminderService(o => o.ConfigurationOptions = ConfigurationOptions.Parse(TestEnvironment.Redis));
            silo.AddHealthActorsStorage(config, ClusterSettings.From(config));
        }
    }

    private sealed class RedisClient : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder client) => client.UseRedisClustering(TestEnvironment.Redis);
    }

    /// <summary>The test host's kill: the silo in this process stops at once, without deactivating anything.</summary>
    [Fact]
    public async Task Killing_the_silo_of_a_live_auction_keeps_its_bids_and_it_closes_on_time()
    {
        var builder = new TestClusterBuilder(2);
        // The reminders table is in the shared Redis, keyed by service id: one of its own per run.
        builder.Options.ServiceId = TestEnvironment.UniqueId("failover-svc");
        builder.Options.ClusterId = TestEnvironment.UniqueId("failover");
        // The test host's own membership lives in its first silo, which may be the one we kill.
        builder.Options.UseTestClusterMembership = false;
        builder.AddSiloBuilderConfigurator<ProductionLikeSilo>();
        builder.AddClientBuilderConfigurator<RedisClient>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        try
        {
            await KillTheHostAndWatchTheDeadline(cluster.Client,
                host => cluster.KillSiloAsync(cluster.Silos.Single(s => s.SiloAddress.Equals(host))));
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    /// <summary>
    /// A real crash: two silo processes (src/Silo, as run.sh starts them) and the one holding the auction
    /// gets SIGKILL. Nobody tells the cluster; the survivor has to notice by its probes going unanswered.
    /// </summary>
    [Fact]
    public async Task Killing_the_silo_process_outright_hands_its_auctions_to_the_survivor_on_time()
    {
        var clusterId = TestEnvironment.UniqueId("crash");
        var serviceId = TestEnvironment.UniqueId("crash-svc");
        var silos = new List<CrashSilo>();
        IHost? clientHost = null;
        var passed = false;
        try
        {
            for (var i = 0; i < 2; i++) silos.Add(CrashSilo.Start(clusterId, serviceId, i));
            clientHost = new HostBuilder()
                .UseOrleansClient(client =>
                {
                    client.Configure<ClusterOptions>(o => { o.ClusterId = clusterId; o.ServiceId = serviceId; });
                    client.UseRedisClustering(TestEnvironment.Redis);
                    var connectBy = DateTime.UtcNow.AddSeconds(90);
                    client.UseConnectionRetryFilter(async (_, ct) =>
                    {
                        await Task.Delay(1000, ct);
                        return DateTime.UtcNow < connectBy;
                    });
                })
                .Build();
            await clientHost.StartAsync();
            var client = clientHost.Services.GetRequiredService<IClusterClient>();
            var management = client.GetGrain<IManagementGrain>(0);
            await Poll.Until(async () => (await Retry(() => management.GetHosts(onlyActive: true))).Count == 2, TimeSpan.FromSeconds(90),
                () => "both silo processes should join:\n" + string.Join("\n", silos.Select(s => s.Process.Output)), TimeSpan.FromSeconds(1));

            await KillTheHostAndWatchTheDeadline(client, host => silos.Single(s => s.SiloPort == host.Endpoint.Port).Process.KillAsync());
            passed = true;
        }
        finally
        {
            if (clientHost is not null)
            {
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try { await clientHost.StopAsync(stop.Token); } catch (OperationCanceledException) { }
                clientHost.Dispose();
            }
            foreach (var s in silos)
            {
                // The survivor has nothing left to hand over: no need to wait for a graceful stop.
                await s.Process.KillAsync();
                await s.Process.DisposeAsync();
                // The silos' output is only worth showing when something went wrong.
                if (!passed) output.WriteLine(s.Process.Output);
            }
        }
    }

    private async Task KillTheHostAndWatchTheDeadline(IClusterClient grains, Func<SiloAddress, Task> kill)
    {
        var specialty = (await grains.GetGrain<ISpecialtyRegistryGrain>(0).Create("Failover-" + Guid.NewGuid().ToString("N")[..6], "failover"))!;
        var availability = new WeeklyAvailability
        {
            TimeZone = "UTC", Days = Enum.GetValues<DayOfWeek>(), StartTime = new TimeOnly(0, 0), EndTime = new TimeOnly(23, 30), SlotMinutes = 30,
        };
        var doctors = new List<Caller>();
        for (var i = 0; i < 2; i++)
        {
            var id = Guid.NewGuid();
            var set = await grains.GetGrain<IDoctorGrain>(id).SetProfile(new DoctorProfile
            {
                Name = $"Dr Failover {i}", SpecialtyId = specialty.Id, LicenseNumber = "LIC-" + i, Price = new Money(50, "USD"), Languages = ["en"],
                Availability = availability,
            });
            Assert.True(set.IsOk, set.Failure?.Detail);
            doctors.Add(new Caller(id, Roles.Doctor));
        }

        // Several auctions, so that the dead silo almost surely owned some of the reminders too, not just activations.
        // Bids more than two minutes before the close do not extend it, so the deadline stays where it was set.
        var closesAt = DateTimeOffset.UtcNow + AuctionRules.ExtendWhenWithin + TimeSpan.FromSeconds(30);
        var from = MarketplaceFlowTests.SlotAhead(0);
        var auctions = new List<(Guid Id, Caller Patient, HashSet<Guid> Bids)>();
        for (var n = 0; n < 8; n++)
        {
            var patient = new Caller(Guid.NewGuid(), Roles.Patient);
            var auctionId = Guid.NewGuid();
            var auction = grains.GetGrain<IAuctionGrain>(auctionId);
            var created = await auction.Create(patient, new AuctionSpec("chest pain when running", specialty.Id, 200, "USD", from, from.AddDays(1), closesAt));
            Assert.True(created.IsOk, created.Failure?.Detail);
            var bids = new HashSet<Guid>();
            for (var d = 0; d < doctors.Count; d++)
            {
                var bid = await auction.PlaceBid(doctors[d], 100 - d, from.AddHours(n).AddMinutes(30 * d), null);
                Assert.True(bid.IsOk, bid.Failure?.Detail);
                bids.Add(bid.Value!.Id);
            }
            auctions.Add((auctionId, patient, bids));
        }

        var (watchedId, owner, placed) = auctions[0];
        var host = await HostOf(grains, watchedId);
        output.WriteLine($"auction on {host}; killing it {(closesAt - DateTimeOffset.UtcNow).TotalSeconds:0} s before the close");
        var killedAt = Stopwatch.StartNew();
        await kill(host);

        // Back on the survivor with its state: same bids, still open, same deadline.
        AuctionView? view = null;
        await Poll.Until(async () => (view = await Retry(() => grains.GetGrain<IAuctionGrain>(watchedId).Get(owner))) is not null,
            TimeSpan.FromSeconds(90), () => "the auction did not answer after the kill", TimeSpan.FromSeconds(1));
        output.WriteLine($"answering again {killedAt.Elapsed.TotalSeconds:0.0} s after the kill");
        Assert.Equal(AuctionStatus.Open, view!.Status);
        Assert.Equal(closesAt, view.ClosesAt);
        Assert.Equal(placed, view.Bids.Select(b => b.Id).ToHashSet());
        Assert.NotEqual(host, await HostOf(grains, watchedId));

        // Every auction closes by its reminder, now fired from the surviving silo.
        var lags = new List<double>();
        foreach (var (id, patient, bids) in auctions)
        {
            await Poll.Until(async () => (view = await Retry(() => grains.GetGrain<IAuctionGrain>(id).Get(patient)))?.Status == AuctionStatus.Closed,
                closesAt + TimeSpan.FromSeconds(90) - DateTimeOffset.UtcNow, () => $"auction {id} is {view?.Status}", TimeSpan.FromMilliseconds(500));
            Assert.Equal(bids, view!.Bids.Select(b => b.Id).ToHashSet());
            var events = (await Retry(() => grains.GetGrain<IAuctionGrain>(id).Events(patient, 0, 100)))!;
            var closed = Assert.Single(events, e => e.Type == AuctionEventTypes.AuctionClosed);
            Assert.Equal("deadline", closed.Reason);
            Assert.True(closed.At >= closesAt, "closed before its deadline");
            lags.Add((closed.At - closesAt).TotalSeconds);
        }
        output.WriteLine($"closed {string.Join(", ", lags.Select(l => $"{l:0.0}"))} s after the deadline");
        // On time: the survivor took the reminders over before they were due, so none waited for the next 1-minute tick.
        Assert.All(lags, l => Assert.True(l < 10, $"closed {l:0.0} s late"));
    }

    private static async Task<SiloAddress> HostOf(IClusterClient grains, Guid auctionId)
    {
        var grainId = grains.GetGrain<IAuctionGrain>(auctionId).GetGrainId();
        var stats = await Retry(() => grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics());
        return Assert.Single(stats, s => s.GrainId == grainId).SiloAddress;
    }

    /// <summary>While the cluster notices the dead silo, calls routed to it fail; those are retried, anything else is not.</summary>
    private static async Task<T> Retry<T>(Func<Task<T>> call)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try { return await call(); }
            catch (Exception e) when (e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException or ConnectionFailedException
                                      && clock.Elapsed < TimeSpan.FromSeconds(90))
            {
                await Task.Delay(500);
            }
        }
    }

    /// <summary>A silo as its own process (the kit's launcher), built from src/Silo and configured like run.sh does.</summary>
    private sealed record CrashSilo(ChildProcess Process, int SiloPort)
    {
        public static CrashSilo Start(string clusterId, string serviceId, int index)
        {
            var siloPort = FreePort.Next();
            var process = ChildProcess.Start($"silo-{index}", Repository.SiloDll, [], new Dictionary<string, string?>
            {
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["ConnectionStrings__Postgres"] = TestEnvironment.Postgres,
                ["ConnectionStrings__Redis"] = TestEnvironment.Redis,
                ["Orleans__ClusterId"] = clusterId,
                ["Orleans__ServiceId"] = serviceId,
                // The auction grain enforces the minimum open time itself; this test's auctions close within minutes.
                ["Marketplace__MinOpenSeconds"] = "2",
                ["Orleans__SiloPort"] = siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Orleans__GatewayPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
            return new CrashSilo(process, siloPort);
        }
    }
}
