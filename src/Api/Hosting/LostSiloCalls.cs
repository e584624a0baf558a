using Orleans.Core;

namespace HealthActors.Api.Hosting;

/// <summary>
/// Ends, soon after this Api node loses a gateway, the grain calls it had in flight that are still unanswered: they
/// fail with <see cref="SiloUnavailableException"/>, which the Api answers 503 with Retry-After.
/// </summary>
/// <remarks>
/// Why: a call the gateway silo forwarded to a silo that then dies (SIGKILL) or freezes (SIGSTOP, a paused VM) gets no
/// answer, and Orleans 10.4 does not fail it when that silo is declared dead; only the client's response timeout would
/// end it. Orleans does not tell the client which silo a call went to, but it does tell it when a gateway connection
/// closes: at once when a silo's process dies, and for a frozen silo when the client drops it from its gateway list
/// after the cluster declared it dead. A call still unanswered <see cref="Grace"/> after that is most likely one of the
/// lost ones; a call to a living silo normally answers within that grace and is left alone. The cost: a slow call to
/// a living silo that happens to be in flight then (or a streamed chat turn waiting for its next token) also fails,
/// with 503, and the client's retry is answered again (bookings carry an Idempotency-Key, record writes are refused as
/// duplicates, profile writes are idempotent).
/// </remarks>
public sealed partial class LostSiloCalls(TimeSpan grace, ILogger<LostSiloCalls> logger) : IOutgoingGrainCallFilter, IClusterConnectionStatusObserver
{
    // Completed when a gateway is lost, then replaced; each call watches the one current when it started.
    private TaskCompletionSource _lost = NewSignal();

    public TimeSpan Grace { get; } = grace;

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        var lost = Volatile.Read(ref _lost).Task;
        var call = context.Invoke();
        // A gateway went away while this call was out: it gets the grace to answer, then it is given up.
        if (!call.IsCompleted && await Task.WhenAny(call, lost) != call && await Task.WhenAny(call, Task.Delay(Grace)) != call)
        {
            // Its eventual outcome is of no interest any more, but must be observed.
            _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            LogAbandoned(logger, context.InterfaceName, context.MethodName, Grace.TotalSeconds);
            throw new SiloUnavailableException(
                $"A gateway of the cluster was lost while this call was in flight and it was not answered within {Grace.TotalSeconds:0.#} s; its silo is presumed gone.");
        }
        await call;
    }

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        if (currentNumberOfGateways < previousNumberOfGateways) SignalLoss(currentNumberOfGateways);
    }

    public void NotifyClusterConnectionLost() => SignalLoss(0);

    private void SignalLoss(int gatewaysLeft)
    {
        LogGatewayLost(logger, gatewaysLeft, Grace.TotalSeconds);
        Interlocked.Exchange(ref _lost, NewSignal()).TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A cluster gateway was lost ({GatewaysLeft} left); grain calls in flight get {Grace} s more to answer")]
    private static partial void LogGatewayLost(ILogger logger, int gatewaysLeft, double grace);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gave up on {Interface}.{Method}: unanswered {Grace} s after a gateway was lost")]
    private static partial void LogAbandoned(ILogger logger, string @interface, string method, double grace);
}
