using HealthActors.Grains.Abstractions.Common;

namespace HealthActors.Grains.Abstractions.Identity;

/// <summary>
/// An Api node's cache of session validity: told which users' sessions changed (logout, refresh-token
/// reuse, role change) so that it forgets what it had cached for them. The same push carries the ids whose hot
/// reads changed (a patient's profile, a doctor's catalog entry), which the node's read cache drops.
/// </summary>
[Alias("ha.identity.ISessionWatcher")]
public interface ISessionWatcher : IGrainObserver
{
    /// <summary>Not one-way: the change is answered only once every node has dropped its cached answers.</summary>
    [Alias("SessionsChanged")]
    Task SessionsChanged(Guid userId);
}

/// <summary>
/// The one activation (key 0) that knows the Api nodes caching session validity and tells them all when a
/// user's sessions change. Rare writes only: the per-request check never comes here.
/// </summary>
[Alias("ha.identity.ISessionChangesGrain")]
public interface ISessionChangesGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Registers (or renews) a node's watcher for <see cref="LiveUpdates.Lease"/>. False when the watcher was not
    /// registered (first call, lapsed, dropped after a failed push, or a fresh activation): the node may have
    /// missed changes and must forget everything it cached.
    /// </summary>
    [Alias("Watch")]
    Task<bool> Watch(ISessionWatcher watcher);

    [Alias("Unwatch")]
    Task Unwatch(ISessionWatcher watcher);

    /// <summary>
    /// Returns after every registered node has confirmed, or has been dropped for not answering in time. The id is a
    /// user whose sessions changed, or a patient or doctor whose cached read changed: nodes drop both for it.
    /// </summary>
    [Alias("Changed")]
    Task Changed(Guid userId);
}

public static class SessionChanges
{
    /// <summary>
    /// Every write that an Api node may hold a cached answer for (a session, a profile, a catalog entry) goes through
    /// here, so that moving the fan-out (sharding the one watcher registry, say) is a change in one place.
    /// </summary>
    public static Task TellApiNodes(this IGrainFactory grains, Guid id) =>
        grains.GetGrain<ISessionChangesGrain>(0).Changed(id);
}
