using System.Collections.Concurrent;
using HealthActors.Grains;
using Orleans.Streams;

namespace HealthActors.Api.Hubs;

/// <summary>
/// This Api node's subscriptions to per-key Orleans streams: one subscription per key while at least one
/// connection here wants it, so each node receives only what its own connections need, without a backplane.
/// </summary>
public sealed class StreamRelay<TEvent>(IClusterClient cluster, string streamNamespace, Func<Guid, TEvent, Task> forward, ILogger log)
{
    private readonly ConcurrentDictionary<Guid, Subscription> _subscriptions = new();

    private sealed class Subscription
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public int Listeners;
        public StreamSubscriptionHandle<TEvent>? Handle;
    }

    public async Task Attach(Guid key)
    {
        var s = _subscriptions.GetOrAdd(key, _ => new Subscription());
        await s.Gate.WaitAsync();
        try
        {
            if (s.Listeners++ > 0) return;
            s.Handle = await cluster.GetStreamProvider(StorageNames.StreamProvider)
                .GetStream<TEvent>(StreamId.Create(streamNamespace, key))
                .SubscribeAsync((e, _) => forward(key, e));
        }
        catch
        {
            s.Listeners--;
            throw;
        }
        finally { s.Gate.Release(); }
    }

    public async Task Detach(Guid key)
    {
        if (!_subscriptions.TryGetValue(key, out var s)) return;
        await s.Gate.WaitAsync();
        try
        {
            if (--s.Listeners > 0 || s.Handle is null) return;
            try { await s.Handle.UnsubscribeAsync(); }
            catch (Exception e) when (e is not OutOfMemoryException) { log.LogWarning("Unsubscribe from {Namespace} failed: {Error}", streamNamespace, e.GetType().Name); }
            s.Handle = null;
        }
        finally { s.Gate.Release(); }
    }
}
