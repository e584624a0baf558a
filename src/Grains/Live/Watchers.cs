using HealthActors.Grains.Abstractions.Common;
using Microsoft.Extensions.Logging;
using Orleans.Utilities;

namespace HealthActors.Grains.Live;

/// <summary>
/// The Api nodes' observers registered with one grain activation for its live events (the grain side of the
/// Api's LiveRelay). A registration lapses after <see cref="LiveUpdates.Lease"/> unless the node renews it, and
/// observers exist only in this activation's memory, so each registration also keeps the activation alive that
/// long: an idle deactivation would otherwise forget every watcher until the nodes' next renewal.
/// </summary>
/// <param name="keepActivationFor">The owning grain's <c>DelayDeactivation</c>.</param>
public sealed class Watchers<TWatcher>(ILogger log, Action<TimeSpan> keepActivationFor) where TWatcher : IGrainObserver
{
    private readonly ObserverManager<TWatcher> _observers = new(LiveUpdates.Lease, log);

    /// <summary>Registers or renews <paramref name="watcher"/>; returns <paramref name="lastSeq"/> for the relay to start after.</summary>
    public long Watch(TWatcher watcher, long lastSeq)
    {
        _observers.Subscribe(watcher, watcher);
        keepActivationFor(LiveUpdates.Lease);
        return lastSeq;
    }

    public void Unwatch(TWatcher watcher) => _observers.Unsubscribe(watcher);

    /// <summary>
    /// Sends an event to every current watcher. Call it only after the event is stored: a node that misses the
    /// one-way call reads the event back from the store when it sees the gap.
    /// </summary>
    public Task Push(Func<TWatcher, Task> send) => _observers.Notify(send);
}
