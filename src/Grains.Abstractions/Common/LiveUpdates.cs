namespace HealthActors.Grains.Abstractions.Common;

/// <summary>
/// Live pushes reach the Api nodes as one-way calls on observers the nodes register with the grains. Observers
/// are not persisted and a node may vanish, so a registration lapses unless the node renews it in time.
/// </summary>
public static class LiveUpdates
{
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
}
