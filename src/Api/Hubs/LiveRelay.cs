using HealthActors.Grains.Telemetry;
using System.Collections.Concurrent;
using HealthActors.Grains.Abstractions.Common;
using Microsoft.Extensions.Options;

namespace HealthActors.Api.Hubs;

public sealed class LiveOptions
{
    public const string Section = "Live";

    /// <summary>How often this node renews its watcher registrations (they lapse after <see cref="LiveUpdates.Lease"/>).</summary>
    public double RenewSeconds { get; set; } = 20;

    /// <summary>How long an out-of-order event waits for the ones before it before the node reads the gap back.</summary>
    public int GapWaitMilliseconds { get; set; } = 300;
}

/// <summary>
/// This Api node's feeds of per-key grain events (one auction, one user's inbox), forwarded to the SignalR
/// connections held here. One observer per node is registered with each grain a connection here watches,
/// so nodes need no backplane between them. The grain's calls are one-way and unordered, so the node
/// forwards strictly by sequence number: early events wait, a gap is read back from the grain, duplicates
/// are dropped. Registrations are renewed on a timer; a renewal that finds the grain ahead (it moved to
/// another silo, or forgot its watchers) reads back what was missed. Every connection therefore receives,
/// in order and once, every event after the sequence number it was given when it joined.
/// </summary>
public abstract class LiveRelay<TEvent>(IOptions<LiveOptions> options, ILogger log) : BackgroundService
{
    private const int ReadBackBatch = 200;
    private readonly ConcurrentDictionary<Guid, Feed> _feeds = new();

    private sealed class Feed
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public readonly HashSet<string> Connections = [];
        public readonly SortedDictionary<long, TEvent> Early = [];
        public long Last;
        public bool Removed;
        public bool GapCheckPending;
    }

    // The metrics tag: which kind of feed (auction, inbox, ...), never which one.
    private static readonly string FeedName = typeof(TEvent).Name;

    protected abstract long SeqOf(TEvent e);
    /// <summary>Registers or renews this node's observer with the grain; returns the grain's last sequence number.</summary>
    protected abstract Task<long> Watch(Guid key);
    protected abstract Task Unwatch(Guid key);
    protected abstract Task<IReadOnlyList<TEvent>> ReadAfter(Guid key, long afterSeq, int limit);
    protected abstract Task Forward(Guid key, TEvent e);

    /// <summary>
    /// Forwards a run of events in sequence order, each after the last one forwarded (consecutive, except where the
    /// store itself has no event for a number).
    /// A group commit's events arrive together, so a relay that overrides this can send them as one message per
    /// connection (or one group send) instead of one per event; by default, one <see cref="Forward(Guid, TEvent)"/> each.
    /// </summary>
    protected virtual async Task Forward(Guid key, IReadOnlyList<TEvent> run)
    {
        foreach (var e in run) await Forward(key, e);
    }
    protected virtual Task Join(Guid key, string connectionId) => Task.CompletedTask;
    protected virtual Task Leave(Guid key, string connectionId) => Task.CompletedTask;

    /// <summary>
    /// Adds a connection to the key's feed; returns the sequence number after which it receives every event.
    /// </summary>
    public async Task<long> Attach(Guid key, string connectionId)
    {
        while (true)
        {
            var feed = _feeds.GetOrAdd(key, _ => new Feed());
            await feed.Gate.WaitAsync();
            try
            {
                if (feed.Removed) continue;
                if (feed.Connections.Count == 0)
                {
                    try { feed.Last = await Watch(key); }
                    catch
                    {
                        Remove(key, feed);
                        throw;
                    }
                }
                if (feed.Connections.Add(connectionId)) await Join(key, connectionId);
                return feed.Last;
            }
            finally { feed.Gate.Release(); }
        }
    }

    public async Task Detach(Guid key, string connectionId)
    {
        if (!_feeds.TryGetValue(key, out var feed)) return;
        await feed.Gate.WaitAsync();
        try
        {
            if (feed.Removed || !feed.Connections.Remove(connectionId)) return;
            await Leave(key, connectionId);
            if (feed.Connections.Count > 0) return;
            Remove(key, feed);
            try { await Unwatch(key); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The registration lapses by itself; events sent to it meanwhile are dropped here.
                log.LogDebug("Unwatch {Key} failed: {Error}", key, e.GetType().Name);
            }
        }
        finally { feed.Gate.Release(); }
    }

    /// <summary>Entry point of the observer: returns at once so one slow feed never holds up the others.</summary>
    protected Task Receive(Guid key, TEvent e) => Receive(key, [e]);

    /// <summary>Several events of one feed sent as one message (a group commit's): taken in under one turn of the gate.</summary>
    protected Task Receive(Guid key, IReadOnlyList<TEvent> events)
    {
        _ = ReceiveAsync(key, events);
        return Task.CompletedTask;
    }

    private async Task ReceiveAsync(Guid key, IReadOnlyList<TEvent> events)
    {
        if (!_feeds.TryGetValue(key, out var feed)) return;
        await feed.Gate.WaitAsync();
        try
        {
            if (feed.Removed) return;
            foreach (var e in events)
                if (SeqOf(e) > feed.Last) feed.Early[SeqOf(e)] = e;
            await ForwardInOrder(key, feed);
            if (feed.Early.Count > 0 && !feed.GapCheckPending)
            {
                feed.GapCheckPending = true;
                _ = CloseGapLater(key, feed);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            log.LogWarning("Forwarding events {Seq}.. of {Key} failed: {Error}", SeqOf(events[0]), key, ex.GetType().Name);
        }
        finally { feed.Gate.Release(); }
    }

    private async Task CloseGapLater(Guid key, Feed feed)
    {
        // Usually the missing event is merely overtaken and arrives within milliseconds.
        await Task.Delay(options.Value.GapWaitMilliseconds);
        await feed.Gate.WaitAsync();
        try
        {
            feed.GapCheckPending = false;
            if (!feed.Removed && feed.Early.Count > 0) await ReadBack(key, feed);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            log.LogWarning("Reading back events of {Key} after {Seq} failed: {Error}; the next renewal retries", key, feed.Last, ex.GetType().Name);
        }
        finally { feed.Gate.Release(); }
    }

    private async Task ForwardInOrder(Guid key, Feed feed)
    {
        // The longest run that continues from the last forwarded event goes out in one call; anything after a gap waits.
        List<TEvent>? run = null;
        var next = feed.Last + 1;
        while (feed.Early.Count > 0)
        {
            var (seq, e) = feed.Early.First();
            if (seq < next)
            {
                feed.Early.Remove(seq);
                continue;
            }
            if (seq != next) break;
            (run ??= []).Add(e);
            feed.Early.Remove(seq);
            next++;
        }
        if (run is not null) await ForwardRun(key, feed, run);
    }

    private async Task ForwardRun(Guid key, Feed feed, List<TEvent> run)
    {
        try
        {
            await Forward(key, run);
        }
        catch
        {
            // Not sent: back where they were, so the next turn (or the gap check's read-back) sends them again.
            foreach (var e in run) feed.Early[SeqOf(e)] = e;
            throw;
        }
        for (var i = 0; i < run.Count; i++) AppMetrics.LiveEventForwarded(FeedName);
        feed.Last = SeqOf(run[^1]);
    }

    private async Task ReadBack(Guid key, Feed feed)
    {
        while (true)
        {
            var batch = await ReadAfter(key, feed.Last, ReadBackBatch);
            // The store is the record: what it holds after Last goes out as one run, in order, whatever waits in Early.
            var run = batch.Where(e => SeqOf(e) > feed.Last).OrderBy(SeqOf).ToList();
            if (run.Count > 0) await ForwardRun(key, feed, run);
            if (batch.Count < ReadBackBatch) break;
        }
        await ForwardInOrder(key, feed);
    }

    private void Remove(Guid key, Feed feed)
    {
        feed.Removed = true;
        _feeds.TryRemove(new KeyValuePair<Guid, Feed>(key, feed));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromSeconds(options.Value.RenewSeconds);
        if (every <= TimeSpan.Zero || every > LiveUpdates.Lease / 2)
            throw new InvalidOperationException($"Live:RenewSeconds must be above 0 and at most {LiveUpdates.Lease.TotalSeconds / 2} s.");
        using var timer = new PeriodicTimer(every);
        while (await timer.WaitForNextTickAsync(stoppingToken))
            await Task.WhenAll(_feeds.ToArray().Select(f => Renew(f.Key, f.Value)));
    }

    private async Task Renew(Guid key, Feed feed)
    {
        await feed.Gate.WaitAsync();
        try
        {
            if (feed.Removed) return;
            if (await Watch(key) > feed.Last) await ReadBack(key, feed);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.LogWarning("Renewing the watch on {Key} failed: {Error}; retrying at the next renewal", key, e.GetType().Name);
        }
        finally { feed.Gate.Release(); }
    }
}
