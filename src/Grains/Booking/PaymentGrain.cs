using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Identity;
using Microsoft.Extensions.Logging;

namespace HealthActors.Grains.Booking;

/// <summary>
/// One payment. Its id is the idempotency key sent to the gateway, so a charge retried after a processor
/// error or a crash can never be taken twice. Its state is its own rows in <c>payment_ledger</c> (brand and last four
/// only): a charge or a refund is one appended row, one commit, and an activation reads the rows back on its first call
/// (<see cref="PaymentLedger.View"/>), except a charge its caller has just made the id for, which has none to read. Until 2026-12-04 the grain also wrote its state to grain storage after each row;
/// the rows were always written first, so they describe those payments too, and that state is no longer read.
/// </summary>
public sealed class PaymentGrain(
    IPaymentGateway gateway,
    IBookingStore store,
    TimeProvider time,
    ILogger<PaymentGrain> log) : Grain, IPaymentGrain
{
    private const int ProcessorAttempts = 3;
    private Guid Id => this.GetPrimaryKey();
    private PaymentView? _view;
    /// <summary>Whether <see cref="_view"/> says what the ledger says: read on first use, or known empty (<see cref="ChargeNew"/>).</summary>
    private bool _known;

    // Read on first use rather than on activation: a new payment (ChargeNew) has no rows to read. A database outage
    // during the read is then a call's failure, which StorageFaultFilter answers as 503.
    private async ValueTask ReadIfNeeded()
    {
        if (_known) return;
        _view = PaymentLedger.View(Id, await store.LedgerOf(Id));
        _known = true;
    }

    public async Task<PaymentView> Charge(Guid payerId, Guid appointmentId, Money amount, CardDetails card)
    {
        await ReadIfNeeded();
        return await Run(payerId, appointmentId, amount, card);
    }

    public Task<PaymentView> ChargeNew(Guid payerId, Guid appointmentId, Money amount, CardDetails card)
    {
        // Already read in this activation: what was read stands.
        _known = true;
        return Run(payerId, appointmentId, amount, card);
    }

    private async Task<PaymentView> Run(Guid payerId, Guid appointmentId, Money amount, CardDetails card)
    {
        if (_view is { Status: not PaymentStatus.Pending } done) return done;

        GatewayResult result = new(GatewayOutcome.ProcessorError, null, "not attempted");
        for (var attempt = 1; attempt <= ProcessorAttempts; attempt++)
        {
            result = await gateway.Charge(amount, card, idempotencyKey: "charge-" + Id.ToString("N"), CancellationToken.None);
            if (result.Outcome != GatewayOutcome.ProcessorError) break;
            log.LogWarning("Payment processor error on attempt {Attempt}", attempt);
            if (attempt < ProcessorAttempts) await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt));
        }

        var (outcome, reason) = result.Outcome switch
        {
            GatewayOutcome.Approved => (PaymentLedger.Captured, (string?)null),
            GatewayOutcome.Declined => (PaymentLedger.Declined, result.Reason),
            _ => (PaymentLedger.Failed, result.Reason),
        };
        var row = new LedgerEntry(Id, appointmentId, payerId, outcome, amount.Amount, amount.Currency, Abstractions.Booking.CardRules.Brand(card.Digits), card.Last4,
            result.Outcome == GatewayOutcome.Approved ? result.TransactionId : null, reason, time.GetUtcNow());
        // The row is the payment's state: once it is committed, a retry (or a new activation after a crash) answers from it.
        await store.AppendLedger(row);
        _view = PaymentLedger.View(Id, [row])!;
        return _view;
    }

    public async Task<PaymentView> Refund(decimal amount, string reason)
    {
        await ReadIfNeeded();
        var view = _view ?? throw new InvalidOperationException("Nothing to refund.");
        if (view.Status is not (PaymentStatus.Captured or PaymentStatus.PartiallyRefunded) || amount <= 0) return view;
        amount = Math.Min(amount, view.Amount - view.RefundedAmount);
        var result = await gateway.Refund(view.TransactionId!, new Money(amount, view.Currency), "refund-" + Id.ToString("N"), CancellationToken.None);
        if (result.Outcome != GatewayOutcome.Approved) return view;
        var row = new LedgerEntry(Id, view.AppointmentId, view.PayerId, PaymentLedger.Refunded, amount, view.Currency, view.Brand, view.Last4,
            result.TransactionId, reason, time.GetUtcNow());
        await store.AppendLedger(row);
        _view = PaymentLedger.Apply(view, row);
        return _view;
    }

    public async Task<PaymentView?> Get(Caller caller)
    {
        await ReadIfNeeded();
        return _view is { } v && (v.PayerId == caller.UserId || caller.IsAdmin) ? v : null;
    }
}

/// <summary>A payment as its ledger rows describe it: the first charge outcome, then every refund in order.</summary>
public static class PaymentLedger
{
    public const string Captured = "captured";
    public const string Declined = "declined";
    public const string Failed = "failed";
    public const string Refunded = "refunded";

    /// <summary>Null when no charge was recorded (the payment was never attempted, or the attempt died before its row).</summary>
    public static PaymentView? View(Guid paymentId, IReadOnlyList<LedgerEntry> rows)
    {
        // A charge resumed after a crash between the row and the old state write could leave a second charge row with the
        // same gateway answer (same idempotency key); the first one is the payment.
        var charge = rows.FirstOrDefault(r => r.Event is Captured or Declined or Failed);
        if (charge is null) return null;
        var view = new PaymentView(paymentId, charge.PayerId, charge.AppointmentId, Plain(charge.Amount), charge.Currency, charge.Brand, charge.Last4,
            charge.Event switch { Captured => PaymentStatus.Captured, Declined => PaymentStatus.Declined, _ => PaymentStatus.Failed },
            charge.TransactionId, 0, charge.At, charge.At, charge.Event == Captured ? null : charge.Detail);
        foreach (var refund in rows.Where(r => r.Event == Refunded)) view = Apply(view, refund);
        return view;
    }

    public static PaymentView Apply(PaymentView view, LedgerEntry refund)
    {
        var refunded = Plain(view.RefundedAmount + refund.Amount);
        return view with
        {
            RefundedAmount = refunded,
            Status = refunded >= view.Amount ? PaymentStatus.Refunded : PaymentStatus.PartiallyRefunded,
            UpdatedAt = refund.At,
        };
    }

    /// <summary>
    /// Without trailing zeros: the ledger's numeric(12,2) gives 64 back as 64.00, and a payment must show the same
    /// amount whether this activation charged it or read it back.
    /// </summary>
    private static decimal Plain(decimal amount) => amount / 1.000000000000000000000000000000000m;
}
