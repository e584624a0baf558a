using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace HealthActors.FaultBench;

/// <summary>
/// One request as the user saw it, after the balancer's retry: when it started and was answered (seconds since the
/// run's clock started), what it was, and how it ended ("201", "503", "refused", "timeout", "hub-error" ...).
/// </summary>
public sealed record RequestRecord(string Operation, double Start, double End, string Status, bool Ok, int Attempts);

/// <summary>The run's one clock: seconds since the start, and the wall-clock time of a moment of it (for database rows).</summary>
public sealed class RunClock
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly DateTimeOffset _origin = DateTimeOffset.UtcNow;

    public double Now => _watch.Elapsed.TotalSeconds;
    public double Of(DateTimeOffset at) => (at - _origin).TotalSeconds;
    public DateTimeOffset WallClock(double seconds) => _origin.AddSeconds(seconds);
}

/// <summary>
/// What a client behind a load balancer gets: each request goes to the next Api node in turn; when that node refuses
/// the connection, resets it, times out or answers 502/503/504, the request is sent once more to the other node
/// (after a short pause, as nginx's proxy_next_upstream would). Every request is recorded, whatever its end.
/// </summary>
public sealed class Balancer(IReadOnlyList<Uri> nodes, HttpClient http, RunClock clock)
{
    /// <summary>Longer than a grain call's own 30 s response timeout would be useless for a person; a browser gives up near here.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(15);

    private int _next;

    public ConcurrentQueue<RequestRecord> Records { get; } = new();
    public IReadOnlyList<Uri> Nodes => nodes;
    public RunClock Clock => clock;

    /// <summary>The node a new request or connection goes to first.</summary>
    public int NextNode() => (int)((uint)Interlocked.Increment(ref _next) % (uint)nodes.Count);

    /// <param name="build">The request for one attempt at a node's base address (a request message can be sent only once).</param>
    /// <param name="ok">Whether a status is a right answer for this operation (a 409 for a slot someone else took is one).</param>
    /// <returns>The last attempt's status and body; status 0 when no answer came.</returns>
    public async Task<(HttpStatusCode Status, string Body)> SendAsync(string operation, Func<Uri, HttpRequestMessage> build, Func<HttpStatusCode, bool> ok, CancellationToken ct)
    {
        var start = clock.Now;
        var node = NextNode();
        var attempts = 0;
        HttpStatusCode status = 0;
        string body = "", label = "";
        while (true)
        {
            attempts++;
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
            attempt.CancelAfter(AttemptTimeout);
            var retryable = false;
            try
            {
                using var request = build(nodes[node]);
                using var response = await http.SendAsync(request, attempt.Token);
                status = response.StatusCode;
                body = await response.Content.ReadAsStringAsync(attempt.Token);
                label = ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);
                retryable = status is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;
            }
            catch (HttpRequestException e)
            {
                status = 0;
                body = e.Message;
                label = e.HttpRequestError == HttpRequestError.ConnectionError ? "refused" : "reset";
                retryable = true;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                status = 0;
                body = "no answer within " + AttemptTimeout.TotalSeconds + " s";
                label = "timeout";
                retryable = true;
            }
            if (!retryable || attempts == 2 || ct.IsCancellationRequested) break;
            node = (node + 1) % nodes.Count;
            await Task.Delay(300, ct);
        }
        Records.Enqueue(new RequestRecord(operation, start, clock.Now, label, status != 0 && ok(status), attempts));
        return (status, body);
    }

    /// <summary>Records an exchange that did not go through <see cref="SendAsync"/> (a chat turn over the hub).</summary>
    public void Record(RequestRecord record) => Records.Enqueue(record);
}
