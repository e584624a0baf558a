using System.Collections.Concurrent;
using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Abstractions.Catalog;

namespace HealthActors.Grains.Booking;

public enum GatewayOutcome { Approved, Declined, ProcessorError }

public sealed record GatewayResult(GatewayOutcome Outcome, string? TransactionId, string? Reason);

/// <summary>
/// What a card processor must offer. The idempotency key makes a retried request (after a timeout or a
/// processor error) return the first result instead of charging again.
/// </summary>
public interface IPaymentGateway
{
    Task<GatewayResult> Charge(Money amount, CardDetails card, string idempotencyKey, CancellationToken ct);
    Task<GatewayResult> Refund(string transactionId, Money amount, string idempotencyKey, CancellationToken ct);
}

/// <summary>
/// The shipped gateway: the widely used test-card convention. 4242 4242 4242 4242 approves,
/// 4000 0000 0000 0002 declines, 4000 0000 0000 0119 fails with a processor error, any other valid number
/// approves. It moves no money. Results are remembered per idempotency key, like a real processor's.
/// </summary>
public sealed class TestPaymentGateway : IPaymentGateway
{
    public const string DeclineCard = "4000000000000002";
    public const string ProcessorErrorCard = "4000000000000119";

    private readonly ConcurrentDictionary<string, GatewayResult> _byKey = new();

    public Task<GatewayResult> Charge(Money amount, CardDetails card, string idempotencyKey, CancellationToken ct)
    {
        var digits = card.Digits;
        // A processor error is not a result: it is not remembered, so the retry reaches the processor again.
        if (digits == ProcessorErrorCard) return Task.FromResult(new GatewayResult(GatewayOutcome.ProcessorError, null, "processing_error"));
        return Task.FromResult(_byKey.GetOrAdd(idempotencyKey, _ => digits == DeclineCard
            ? new GatewayResult(GatewayOutcome.Declined, null, "card_declined")
            : new GatewayResult(GatewayOutcome.Approved, "tx_" + Guid.NewGuid().ToString("N")[..20], null)));
    }

    public Task<GatewayResult> Refund(string transactionId, Money amount, string idempotencyKey, CancellationToken ct)
    {
        return Task.FromResult(_byKey.GetOrAdd(idempotencyKey, _ => new GatewayResult(GatewayOutcome.Approved, "re_" + Guid.NewGuid().ToString("N")[..20], null)));
    }
}
