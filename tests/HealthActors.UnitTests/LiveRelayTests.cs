using System.Collections.Concurrent;
using HealthActors.Api.Hubs;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HealthActors.UnitTests;

/// <summary>
/// The per-node relay's promise, without Orleans or SignalR around it: whatever order the one-way pushes
/// arrive in, and whichever of them never arrive, each connection gets every event after the number it
/// joined at, in order, once.
/// </summary>
public sealed class LiveRelayTests
{
    public sealed record Ev(Guid Key, long Seq);

    /// <summary>Stands in for the grain (its stored events) and for SignalR (what was forwarded).</summary>
    private sealed class Relay(LiveOptions options) : LiveRelay<Ev>(Options.Create(options), NullLogger.Instance)
    {
        public readonly ConcurrentDictionary<Guid, List<Ev>> Stored = new();
        public readonly ConcurrentQueue<Ev> Forwarded = new();
        /// <summary>Each call of the run-forwarding hook: what a batching relay sends as one message.</summary>
        public readonly ConcurrentQueue<IReadOnlyList<long>> Runs = new();
        public int Watches, Unwatches, ReadBacks;
        /// <summary>Makes the next run fail to go out (SignalR refused it), as a node under pressure might.</summary>
        public volatile bool FailNext;

        public Ev Store(Guid key)
        {
            var list = Stored.GetOrAdd(key, _ => []);
            lock (list)
            {
                var e = new Ev(key, list.Count + 1);
                list.Add(e);
                return e;
            }
        }

        public Task Push(Ev e) => Receive(e.Key, e);
        public Task PushAll(params Ev[] events) => Receive(events[0].Key, events);

        public IReadOnlyList<long> SeqsOf(Guid key) => Forwarded.Where(e => e.Key == key).Select(e => e.Seq).ToList();
        public IReadOnlyList<string> RunsAsText() => Runs.Select(r => string.Join(",", r)).ToList();

        protected override long SeqOf(Ev e) => e.Seq;

        protected override Task<long> Watch(Guid key)
        {
            Interlocked.Increment(ref Watches);
            var list = Stored.GetOrAdd(key, _ => []);
            lock (list) return Task.FromResult((long)list.Count);
        }

        protected override Task Unwatch(Guid key)
        {
            Interlocked.Increment(ref Unwatches);
            return Task.CompletedTask;
        }

        protected override Task<IReadOnlyList<Ev>> ReadAfter(Guid key, long afterSeq, int limit)
        {
            Interlocked.Increment(ref ReadBacks);
            var list = Stored.GetOrAdd(key, _ => []);
            lock (list) return Task.FromResult<IReadOnlyList<Ev>>(list.Where(e => e.Seq > afterSeq).Take(limit).ToList());
        }

        protected override Task Forward(Guid key, Ev e)
        {
            Forwarded.Enqueue(e);
            return Task.CompletedTask;
        }

        protected override Task Forward(Guid key, IReadOnlyList<Ev> run)
        {
            if (FailNext)
            {
                FailNext = false;
                throw new InvalidOperationException("send refused");
            }
            Runs.Enqueue(run.Select(e => e.Seq).ToList());
            return base.Forward(key, run);
        }
    }

    private static Relay NewRelay(int gapWaitMs = 50, double renewSeconds = 60) =>
        new(new LiveOptions { GapWaitMilliseconds = gapWaitMs, RenewSeconds = renewSeconds });

    private static Task Until(Func<bool> condition, string what) =>
        Poll.Until(() => Task.FromResult(condition()), TimeSpan.FromSeconds(10), () => what, TimeSpan.FromMilliseconds(10));

    [Fact]
    public async Task Overtaken_events_wait_for_the_earlier_ones_and_duplicates_are_dropped()
    {
        var relay = NewRelay(gapWaitMs: 5_000);
        var key = Guid.NewGuid();
        Assert.Equal(0, await relay.Attach(key, "c1"));
        var events = Enumerable.Range(0, 5).Select(_ => relay.Store(key)).ToList();

        foreach (var i in new[] { 2, 0, 4, 0, 1, 3, 2 }) await relay.Push(events[i]);

        await Until(() => relay.Forwarded.Count >= 5, "five events forwarded");
        await Task.Delay(100);
        Assert.Equal([1, 2, 3, 4, 5], relay.SeqsOf(key));
        // Everything arrived well within the gap wait: nothing was read back.
        Assert.Equal(0, relay.ReadBacks);
    }

    [Fact]
    public async Task A_push_that_never_arrives_is_read_back_in_its_place()
    {
        var relay = NewRelay(gapWaitMs: 50);
        var key = Guid.NewGuid();
        await relay.Attach(key, "c1");
        var e1 = relay.Store(key);
        relay.Store(key); // stored, its push lost
        var e3 = relay.Store(key);

        await relay.Push(e1);
        await relay.Push(e3);

        await Until(() => relay.Forwarded.Count >= 3, "the missing event read back");
        await Task.Delay(100);
        Assert.Equal([1, 2, 3], relay.SeqsOf(key));
        Assert.True(relay.ReadBacks >= 1);
    }

    [Fact]
    public async Task A_connection_joining_later_is_told_where_its_events_start()
    {
        var relay = NewRelay();
        var key = Guid.NewGuid();
        relay.Store(key);
        relay.Store(key);
        Assert.Equal(2, await relay.Attach(key, "early"));
        await relay.Push(relay.Store(key));
        await Until(() => relay.Forwarded.Count == 1, "event 3 forwarded");

        Assert.Equal(3, await relay.Attach(key, "late"));
        // A stale repeat of what was already forwarded goes nowhere.
        await relay.Push(new Ev(key, 3));
        await relay.Push(relay.Store(key));
        await Until(() => relay.Forwarded.Count == 2, "event 4 forwarded");
        await Task.Delay(50);
        Assert.Equal([3, 4], relay.SeqsOf(key));
        Assert.Equal(1, relay.Watches);
    }

    [Fact]
    public async Task Renewal_reads_back_what_a_grain_that_forgot_its_watchers_never_pushed()
    {
        var relay = NewRelay(renewSeconds: 0.2);
        await relay.StartAsync(CancellationToken.None);
        try
        {
            var key = Guid.NewGuid();
            await relay.Attach(key, "c1");
            // The grain moved to another silo: nothing is pushed, but the events are stored.
            for (var i = 0; i < 450; i++) relay.Store(key);

            await Until(() => relay.Forwarded.Count >= 450, "the renewal read everything back");
            Assert.Equal(Enumerable.Range(1, 450).Select(n => (long)n), relay.SeqsOf(key));
            Assert.True(relay.Watches >= 2, "the registration was renewed");
        }
        finally { await relay.StopAsync(CancellationToken.None); }
    }

    [Fact]
    public async Task The_last_connection_leaving_unregisters_and_later_pushes_go_nowhere()
    {
        var relay = NewRelay();
        var key = Guid.NewGuid();
        await relay.Attach(key, "c1");
        await relay.Attach(key, "c2");
        await relay.Detach(key, "c1");
        Assert.Equal(0, relay.Unwatches);
        await relay.Detach(key, "c2");
        Assert.Equal(1, relay.Unwatches);

        await relay.Push(relay.Store(key));
        await Task.Delay(100);
        Assert.Empty(relay.Forwarded);

        // Coming back registers afresh and starts after what is stored.
        Assert.Equal(1, await relay.Attach(key, "c3"));
        Assert.Equal(2, relay.Watches);
    }

    [Fact]
    public async Task Feeds_of_different_keys_do_not_wait_for_each_other()
    {
        var relay = NewRelay(gapWaitMs: 5_000);
        var stuck = Guid.NewGuid();
        var flowing = Guid.NewGuid();
        await relay.Attach(stuck, "c1");
        await relay.Attach(flowing, "c1");
        relay.Store(stuck);
        await relay.Push(relay.Store(stuck)); // waits for its predecessor
        await relay.Push(relay.Store(flowing));

        await Until(() => relay.SeqsOf(flowing).Count == 1, "the other feed's event forwarded");
        Assert.Empty(relay.SeqsOf(stuck));
    }

    [Fact]
    public async Task A_group_commits_events_go_out_as_one_run()
    {
        var relay = NewRelay(gapWaitMs: 5_000);
        var key = Guid.NewGuid();
        await relay.Attach(key, "c1");
        var events = Enumerable.Range(0, 4).Select(_ => relay.Store(key)).ToArray();

        await relay.PushAll(events[0], events[1], events[2]);
        await relay.PushAll(events[3]);

        await Until(() => relay.Forwarded.Count >= 4, "four events forwarded");
        Assert.Equal(["1,2,3", "4"], relay.RunsAsText());
        Assert.Equal([1, 2, 3, 4], relay.SeqsOf(key));
    }

    [Fact]
    public async Task Events_that_waited_for_an_overtaken_one_go_out_with_it_as_one_run()
    {
        var relay = NewRelay(gapWaitMs: 5_000);
        var key = Guid.NewGuid();
        await relay.Attach(key, "c1");
        var events = Enumerable.Range(0, 4).Select(_ => relay.Store(key)).ToArray();

        await relay.PushAll(events[2], events[3]);
        await relay.Push(events[1]);
        await Task.Delay(50);
        Assert.Empty(relay.Runs);
        await relay.Push(events[0]);
        // A repeat of something already sent goes nowhere, not even as an empty run.
        await relay.PushAll(events[1], events[2]);

        await Until(() => relay.Forwarded.Count >= 4, "four events forwarded");
        await Task.Delay(50);
        Assert.Equal(["1,2,3,4"], relay.RunsAsText());
    }

    [Fact]
    public async Task A_gap_read_back_goes_out_in_order_as_one_run_with_what_waited_behind_it()
    {
        var relay = NewRelay(gapWaitMs: 50);
        var key = Guid.NewGuid();
        await relay.Attach(key, "c1");
        var e1 = relay.Store(key);
        relay.Store(key); // stored, pushes lost
        relay.Store(key);
        var e4 = relay.Store(key);

        await relay.Push(e1);
        await relay.Push(e4);

        await Until(() => relay.Forwarded.Count >= 4, "the missing events read back");
        await Task.Delay(100);
        Assert.Equal(["1", "2,3,4"], relay.RunsAsText());
        Assert.Equal([1, 2, 3, 4], relay.SeqsOf(key));
        Assert.Equal(1, relay.ReadBacks);
    }

    [Fact]
    public async Task A_run_that_fails_to_go_out_is_sent_again_not_skipped()
    {
        // No read-back within the test's time: only the relay keeping the failed run can deliver it.
        var relay = NewRelay(gapWaitMs: 60_000);
        var key = Guid.NewGuid();
        await relay.Attach(key, "c1");
        var e1 = relay.Store(key);
        var e2 = relay.Store(key);
        relay.FailNext = true;

        await relay.PushAll(e1, e2);
        // The failed run waits; the next push finds it still due and sends everything in order.
        await relay.Push(relay.Store(key));

        await Until(() => relay.Forwarded.Count >= 3, "three events forwarded");
        await Task.Delay(100);
        Assert.Equal([1, 2, 3], relay.SeqsOf(key));
    }
}
