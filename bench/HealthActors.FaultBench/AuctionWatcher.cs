using System.Net;
using System.Text.Json;
using HealthActors.TestKit;
using Microsoft.AspNetCore.SignalR.Client;

namespace HealthActors.FaultBench;

/// <summary>
/// One person following one auction over /hubs/marketplace, as the README tells a client to: WatchAuction answers n,
/// events up to n are read from GET /api/auctions/{id}/events, every later one arrives pushed, in order and once.
/// When its Api node goes away the connection closes; it connects to the other node and does the same from the last
/// event it has. What it applied, in order, is compared with the auction's events in PostgreSQL afterwards.
/// </summary>
public sealed class AuctionWatcher(Guid auction, string token, Balancer balancer)
{
    private static readonly string[] EventNames = ["BidPlaced", "BidReplaced", "BidWithdrawn", "AuctionExtended", "AuctionClosed", "AuctionExpired"];

    private readonly Lock _gate = new();
    private readonly List<(long Seq, double At)> _applied = [];
    private readonly List<double> _violations = [];
    private List<EventLite>? _pending;
    private long _last;
    private int _node;
    private HubConnection? _hub;
    private CancellationToken _run;
    private volatile bool _stopping;

    public Guid Auction => auction;
    public int Connections { get; private set; }

    /// <summary>Sequence numbers in the order they were applied, with when (run clock).</summary>
    public IReadOnlyList<(long Seq, double At)> Applied { get { lock (_gate) return [.. _applied]; } }

    /// <summary>When a pushed event was not the next one expected (a gap or a repeat), run clock.</summary>
    public IReadOnlyList<double> Violations { get { lock (_gate) return [.. _violations]; } }

    public long Last { get { lock (_gate) return _last; } }

    public async Task StartAsync(int node, CancellationToken run)
    {
        _node = node;
        _run = run;
        await ConnectAsync();
    }

    public async Task StopAsync()
    {
        _stopping = true;
        if (_hub is not null)
            try { await _hub.DisposeAsync(); } catch (Exception) { /* its node may be gone */ }
    }

    /// <summary>Tries the nodes in turn every half second until one takes the watch, or the run ends.</summary>
    private async Task ConnectAsync()
    {
        while (!_stopping && !_run.IsCancellationRequested)
        {
            var hub = HubClients.Build(new Uri(balancer.Nodes[_node], "/hubs/marketplace"), () => token);
            foreach (var name in EventNames) hub.On<EventLite>(name, Pushed);
            try
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(_run);
                cts.CancelAfter(TimeSpan.FromSeconds(15));
                lock (_gate) _pending = [];
                await hub.StartAsync(cts.Token);
                var after = await hub.InvokeAsync<long>("WatchAuction", auction, cts.Token);
                await CatchUpAsync(after, cts.Token);
                lock (_gate)
                {
                    foreach (var e in _pending!) Apply(e.Seq);
                    _pending = null;
                }
                hub.Closed += Reconnect;
                _hub = hub;
                Connections++;
                return;
            }
            catch (Exception) when (!_run.IsCancellationRequested)
            {
                try { await hub.DisposeAsync(); } catch (Exception) { /* already broken */ }
                _node = (_node + 1) % balancer.Nodes.Count;
                try { await Task.Delay(500, _run); } catch (OperationCanceledException) { return; }
            }
        }
    }

    private async Task Reconnect(Exception? error)
    {
        if (_stopping) return;
        _node = (_node + 1) % balancer.Nodes.Count;
        await ConnectAsync();
    }

    /// <summary>The events after the last applied one up to <paramref name="upTo"/>, read from the store through the balancer.</summary>
    private async Task CatchUpAsync(long upTo, CancellationToken ct)
    {
        while (Last < upTo)
        {
            var (status, body) = await balancer.SendAsync("watcher catch-up", node =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, new Uri(node, $"/api/auctions/{auction}/events?afterSeq={Last}&limit=500"));
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
                return request;
            }, s => s == HttpStatusCode.OK, ct);
            if (status != HttpStatusCode.OK) throw new InvalidOperationException($"catch-up answered {(int)status}");
            var events = JsonSerializer.Deserialize<List<EventLite>>(body, ApiDriver.Json)!;
            if (events.Count == 0) throw new InvalidOperationException($"catch-up found nothing after {Last} though the watch answered {upTo}");
            lock (_gate)
                foreach (var e in events.Where(e => e.Seq <= upTo)) Apply(e.Seq);
        }
    }

    private void Pushed(EventLite e)
    {
        lock (_gate)
        {
            if (_pending is not null) _pending.Add(e);
            else Apply(e.Seq);
        }
    }

    /// <summary>
    /// Applies an event as a client would. One that is not the next is a broken promise: of the relay when pushed, of
    /// the store when read back (it would mean a gap in auction_events).
    /// </summary>
    private void Apply(long seq)
    {
        if (seq != _last + 1)
        {
            _violations.Add(balancer.Clock.Now);
            // A repeat is dropped, as a client keyed on the sequence number would; a gap is applied so the count goes on.
            if (seq <= _last) return;
        }
        _applied.Add((seq, balancer.Clock.Now));
        _last = seq;
    }

    private sealed record EventLite(long Seq);
}
