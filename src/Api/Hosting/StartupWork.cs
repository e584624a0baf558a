using System.Collections.Concurrent;
using HealthActors.Grains.Abstractions.Common;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HealthActors.Api.Hosting;

/// <summary>
/// The start-up work of this node that is not done yet, with why the last attempt failed. Readiness reports the node
/// not ready while anything is pending, so a load balancer sends no traffic to a node whose admin does not exist yet.
/// </summary>
public sealed class StartupProgress
{
    private readonly ConcurrentDictionary<string, string> _pending = new(StringComparer.Ordinal);

    public void Expect(string work) => _pending[work] = "not attempted yet";
    public void Failed(string work, string reason) => _pending[work] = reason;
    public void Done(string work) => _pending.TryRemove(work, out _);
    public IReadOnlyDictionary<string, string> Pending => _pending;
}

public sealed class StartupReadiness(StartupProgress progress) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var pending = progress.Pending.OrderBy(p => p.Key, StringComparer.Ordinal).ToArray();
        return Task.FromResult(pending.Length == 0
            ? HealthCheckResult.Healthy("start-up work done")
            : HealthCheckResult.Unhealthy("waiting for " + string.Join("; ", pending.Select(p => $"{p.Key} ({p.Value})"))));
    }
}

/// <summary>
/// Start-up work that needs the cluster (seeding the admin, the demo catalog). After a crash the cluster may take a
/// while to form (a new silo waits out the dead one's membership entry), and a node that died of that would only be
/// restarted into the same wait. So the first attempt runs during start-up for at most Startup:InlineWaitSeconds
/// (when the cluster is there, as usual, the node starts with the work done); after that it is retried in the
/// background with backoff (1, 2, 4 ... 30 s) until it succeeds, and readiness says "not ready" meanwhile.
/// A refusal by the rules (<see cref="DomainValidationException"/>) is a configuration error: it is not retried and
/// the node stays not ready, with the reason in the log and in the readiness details.
/// </summary>
public abstract class ClusterStartupWork(StartupProgress progress, IConfiguration config, ILogger log) : IHostedService
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);
    private readonly CancellationTokenSource _stopping = new();

    protected IConfiguration Config { get; } = config;
    protected ILogger Log { get; } = log;
    private Task? _background;

    /// <summary>How the work is named in logs and in the readiness details.</summary>
    protected abstract string Name { get; }

    /// <summary>False when there is nothing to do. May throw for a configuration that can never work.</summary>
    protected abstract bool IsNeeded();

    /// <summary>One attempt; must be idempotent, because an attempt cut short may have done part of the work.</summary>
    protected abstract Task RunOnceAsync(CancellationToken ct);

    public async Task StartAsync(CancellationToken ct)
    {
        if (!IsNeeded()) return;
        progress.Expect(Name);
        var first = Attempt(_stopping.Token);
        var inlineWait = TimeSpan.FromSeconds(Math.Max(0, Config.GetValue("Startup:InlineWaitSeconds", 15.0)));
        try
        {
            if (await first.WaitAsync(inlineWait, ct) != Result.Retry) return;
        }
        catch (TimeoutException)
        {
            Log.LogWarning("{Work} is not done after {Seconds:0} s; the node starts and keeps trying in the background", Name, inlineWait.TotalSeconds);
        }
        _background = Task.Run(() => RetryAsync(first, _stopping.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken ct)
    {
        await _stopping.CancelAsync();
        if (_background is null) return;
        try { await _background.WaitAsync(ct); }
        catch (OperationCanceledException) { /* stopping: the work is abandoned, as it would be by a crash */ }
    }

    private enum Result { Done, Retry, GiveUp }

    private async Task RetryAsync(Task<Result> first, CancellationToken ct)
    {
        // The first attempt may still be running (it outlived the inline wait): never two at once.
        var result = await first;
        var delay = TimeSpan.FromSeconds(1);
        for (var attempt = 2; result == Result.Retry && !ct.IsCancellationRequested; attempt++)
        {
            try { await Task.Delay(delay, ct); }
            catch (OperationCanceledException) { return; }
            delay = delay * 2 > MaxDelay ? MaxDelay : delay * 2;
            result = await Attempt(ct);
            if (result == Result.Done) Log.LogInformation("{Work} done at attempt {Attempt}", Name, attempt);
        }
    }

    private async Task<Result> Attempt(CancellationToken ct)
    {
        try
        {
            await RunOnceAsync(ct);
            progress.Done(Name);
            return Result.Done;
        }
        catch (DomainValidationException e)
        {
            var fields = string.Join(", ", e.Errors.Keys);
            Log.LogError("{Work} was refused by the rules ({Fields}); fix the configuration and restart", Name, fields);
            progress.Failed(Name, "refused: " + fields);
            return Result.GiveUp;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return Result.GiveUp;
        }
        catch (Exception e)
        {
            // Whatever the cluster throws while it forms (no gateway, a silo that is gone, a timeout) is worth another
            // try. Only the type is logged: Orleans' messages name the grain, and the email index's key is an email.
            Log.LogWarning("{Work} waits for the cluster: {Error}", Name, e.GetType().Name);
            progress.Failed(Name, "last attempt: " + e.GetType().Name);
            return Result.Retry;
        }
    }
}
