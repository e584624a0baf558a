using HealthActors.Api.Hosting;
using HealthActors.Grains.Abstractions.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;

namespace HealthActors.UnitTests.Api;

/// <summary>
/// Start-up work that needs the cluster is retried in the background instead of failing the start, and readiness
/// says "not ready" until it has succeeded (issue 14: a start right after a crash died in the admin seeding).
/// </summary>
public sealed class StartupWorkTests
{
    [Fact]
    public async Task A_cluster_that_is_not_there_yet_delays_readiness_but_not_the_start()
    {
        var progress = new StartupProgress();
        var work = new FlakyWork(progress, failures: 2, new SiloUnavailableException());

        // Returns at once (no inline wait) although the first attempt fails.
        await work.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        var before = await Readiness(progress);
        Assert.Equal(HealthStatus.Unhealthy, before.Status);
        Assert.Contains("seeding", before.Description);

        // Retries after 1 s, then 2 s: the third attempt succeeds.
        await Poll.Until(() => Task.FromResult(work.Attempts == 3 && progress.Pending.Count == 0), TimeSpan.FromSeconds(15),
            () => $"{work.Attempts} attempts, pending: {string.Join(", ", progress.Pending.Keys)}");
        Assert.Equal(HealthStatus.Healthy, (await Readiness(progress)).Status);
        await work.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_refusal_by_the_rules_is_not_retried_and_keeps_the_node_unready()
    {
        var progress = new StartupProgress();
        var refused = new DomainValidationException(new Dictionary<string, string[]> { ["password"] = ["is too weak"] });
        var work = new FlakyWork(progress, failures: int.MaxValue, refused);

        await work.StartAsync(CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        Assert.Equal(1, work.Attempts);
        var ready = await Readiness(progress);
        Assert.Equal(HealthStatus.Unhealthy, ready.Status);
        Assert.Contains("password", ready.Description);
        await work.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Stopping_ends_the_retries()
    {
        var progress = new StartupProgress();
        var work = new FlakyWork(progress, failures: int.MaxValue, new TimeoutException());
        await work.StartAsync(CancellationToken.None);
        await Poll.Until(() => Task.FromResult(work.Attempts >= 1), TimeSpan.FromSeconds(5), () => "no first attempt");

        await work.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        var attempts = work.Attempts;
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal(attempts, work.Attempts);
    }

    private static Task<HealthCheckResult> Readiness(StartupProgress progress) =>
        new StartupReadiness(progress).CheckHealthAsync(new HealthCheckContext());

    private static IConfiguration NoInlineWait() =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Startup:InlineWaitSeconds"] = "0" }).Build();

    private sealed class FlakyWork(StartupProgress progress, int failures, Exception failure)
        : ClusterStartupWork(progress, NoInlineWait(), NullLogger.Instance)
    {
        private int _attempts;
        public int Attempts => Volatile.Read(ref _attempts);

        protected override string Name => "seeding";
        protected override bool IsNeeded() => true;

        protected override Task RunOnceAsync(CancellationToken ct) =>
            Interlocked.Increment(ref _attempts) <= failures ? Task.FromException(failure) : Task.CompletedTask;
    }
}
