using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace HealthActors.Grains.Identity;

/// <summary>
/// Fans a user's session change out to every Api node's validity cache and waits for them, so that when a
/// logout returns, no node still accepts that session's access tokens. The same push tells the nodes' read caches
/// that a patient's profile or a doctor's catalog entry changed, so that the write's answer waits for them too. Reentrant: a push that waits on a slow
/// node must not hold up registrations or other users' changes; the watcher table is only touched between awaits.
/// </summary>
[Reentrant]
public sealed class SessionChangesGrain(TimeProvider time, ILogger<SessionChangesGrain> log) : Grain, ISessionChangesGrain
{
    /// <summary>
    /// A node that has not confirmed within this is dropped: it learns that on its next renewal and then forgets
    /// its whole cache. Well under the client's response timeout, so that a dead node cannot stall a logout.
    /// </summary>
    internal static readonly TimeSpan PushTimeout = TimeSpan.FromSeconds(3);

    private readonly Dictionary<ISessionWatcher, DateTimeOffset> _watchers = [];

    public Task<bool> Watch(ISessionWatcher watcher)
    {
        var now = time.GetUtcNow();
        var known = _watchers.TryGetValue(watcher, out var expires) && expires > now;
        _watchers[watcher] = now + LiveUpdates.Lease;
        // Registrations live only in this activation: an idle deactivation would forget them.
        DelayDeactivation(LiveUpdates.Lease);
        return Task.FromResult(known);
    }

    public Task Unwatch(ISessionWatcher watcher)
    {
        _watchers.Remove(watcher);
        return Task.CompletedTask;
    }

    public async Task Changed(Guid userId)
    {
        var now = time.GetUtcNow();
        foreach (var lapsed in _watchers.Where(w => w.Value <= now).Select(w => w.Key).ToList())
            _watchers.Remove(lapsed);
        var targets = _watchers.Keys.ToList();
        var pushes = targets.Select(w => Push(w, userId)).ToList();
        var confirmed = await Task.WhenAll(pushes);
        for (var i = 0; i < targets.Count; i++)
        {
            if (confirmed[i]) continue;
            // Dropped, not retried: the node's next renewal is told it was unknown and empties its cache.
            _watchers.Remove(targets[i]);
        }
    }

    private async Task<bool> Push(ISessionWatcher watcher, Guid userId)
    {
        try
        {
            await watcher.SessionsChanged(userId).WaitAsync(PushTimeout);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.LogWarning("A node's session cache did not confirm a change ({Error}); dropping its registration", e.GetType().Name);
            return false;
        }
    }
}
