using System.Collections.Concurrent;
using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Booking;

namespace HealthActors.Tests.Booking;

/// <summary>
/// Wraps the shipped gateway and notes the idempotency key of every charge, so a test can count the grain's
/// retries. It lives in the tests: the shipped gateway keeps no such record.
/// </summary>
public sealed class RecordingPaymentGateway(IPaymentGateway inner) : IPaymentGateway
{
    private readonly ConcurrentQueue<string> _chargeKeys = new();

    public RecordingPaymentGateway() : this(new TestPaymentGateway()) { }

    public IReadOnlyCollection<string> ChargeKeys => _chargeKeys;

    public Task<GatewayResult> Charge(Money amount, CardDetails card, string idempotencyKey, CancellationToken ct)
    {
        _chargeKeys.Enqueue(idempotencyKey);
        return inner.Charge(amount, card, idempotencyKey, ct);
    }

    public Task<GatewayResult> Refund(string transactionId, Money amount, string idempotencyKey, CancellationToken ct) =>
        inner.Refund(transactionId, amount, idempotencyKey, ct);
}
