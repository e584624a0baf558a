using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Identity;
using Microsoft.Extensions.Logging;

namespace HealthActors.Grains.Booking;

[GenerateSerializer, Alias("ha.booking.PaymentState")]
public sealed class PaymentState
{
    [Id(0)] public PaymentView? View { get; set; }
}

/// <summary>
/// One payment. Its id is the idempotency key sent to the gateway, so a charge retried after a processor
/// error or a crash can never be taken twice. State holds brand and last four only.
/// </summary>
public sealed class PaymentGrain(
    [PersistentState("payment", StorageNames.Store)] IPersistentState<PaymentState> state,
    IPaymentGateway gateway,
    IBookingStore store,
    TimeProvider time,
    ILogger<PaymentGrain> log) : Grain, IPaymentGrain
{
    private const int ProcessorAttempts = 3;
    private Guid Id => this.GetPrimaryKey();

    public async Task<PaymentView> Charge(Guid payerId, Guid appointmentId, Money amount, CardDetails card)
    {
        if (state.State.View is { Status: not PaymentStatus.Pending } done) return done;
        var now = time.GetUtcNow();
        var view = new PaymentView(Id, payerId, appointmentId, amount.Amount, amount.Currency, Abstractions.Booking.CardRules.Brand(card.Digits),
            card.Last4, PaymentStatus.Pending, null, 0, now, now, null);

        GatewayResult result = new(GatewayOutcome.ProcessorError, null, "not attempted");
        for (var attempt = 1; attempt <= ProcessorAttempts; attempt++)
        {
            result = await gateway.Charge(amount, card, idempotencyKey: "charge-" + Id.ToString("N"), CancellationToken.None);
            if (result.Outcome != GatewayOutcome.ProcessorError) break;
            log.LogWarning("Payment processor error on attempt {Attempt}", attempt);
            if (attempt < ProcessorAttempts) await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt));
        }

        view = result.Outcome switch
        {
            GatewayOutcome.Approved => view with { Status = PaymentStatus.Captured, TransactionId = result.TransactionId },
            GatewayOutcome.Declined => view with { Status = PaymentStatus.Declined, FailureReason = result.Reason },
            _ => view with { Status = PaymentStatus.Failed, FailureReason = result.Reason },
        };
        view = view with { UpdatedAt = time.GetUtcNow() };
        await store.AppendLedger(new LedgerEntry(Id, appointmentId, payerId,
            view.Status switch { PaymentStatus.Captured => "captured", PaymentStatus.Declined => "declined", _ => "failed" },
            amount.Amount, amount.Currency, view.Brand, view.Last4, view.TransactionId, view.FailureReason, view.UpdatedAt));
        state.State.View = view;
        await state.WriteStateAsync();
        return view;
    }

    public async Task<PaymentView> Refund(decimal amount, string reason)
    {
        var view = state.State.View ?? throw new InvalidOperationException("Nothing to refund.");
        if (view.Status is not (PaymentStatus.Captured or PaymentStatus.PartiallyRefunded) || amount <= 0) return view;
        amount = Math.Min(amount, view.Amount - view.RefundedAmount);
        var result = await gateway.Refund(view.TransactionId!, new Money(amount, view.Currency), "refund-" + Id.ToString("N"), CancellationToken.None);
        if (result.Outcome != GatewayOutcome.Approved) return view;
        var refunded = view.RefundedAmount + amount;
        view = view with
        {
            RefundedAmount = refunded,
            Status = refunded >= view.Amount ? PaymentStatus.Refunded : PaymentStatus.PartiallyRefunded,
            UpdatedAt = time.GetUtcNow(),
        };
        await store.AppendLedger(new LedgerEntry(Id, view.AppointmentId, view.PayerId, "refunded", amount, view.Currency, view.Brand, view.Last4,
            result.TransactionId, reason, view.UpdatedAt));
        state.State.View = view;
        await state.WriteStateAsync();
        return view;
    }

    public Task<PaymentView?> Get(Caller caller) =>
        Task.FromResult(state.State.View is { } v && (v.PayerId == caller.UserId || caller.IsAdmin) ? v : null);
}
