using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Booking;

namespace HealthActors.UnitTests.Booking;

/// <summary>A payment as the payment grain reads it back from its ledger rows on activation.</summary>
public sealed class PaymentLedgerTests
{
    private static readonly Guid Payment = Guid.NewGuid();
    private static readonly Guid Appointment = Guid.NewGuid();
    private static readonly Guid Payer = Guid.NewGuid();
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);

    private static LedgerEntry Row(string @event, decimal amount, int minutes, string? transaction = null, string? detail = null) =>
        new(Payment, Appointment, Payer, @event, amount, "EUR", "visa", "4242", transaction, detail, T0.AddMinutes(minutes));

    [Fact]
    public void No_rows_is_no_payment_yet()
    {
        Assert.Null(PaymentLedger.View(Payment, []));
    }

    [Fact]
    public void A_capture_is_the_charge_with_its_transaction()
    {
        var v = PaymentLedger.View(Payment, [Row("captured", 40m, 0, "tx-1")])!;

        Assert.Equal(new PaymentView(Payment, Payer, Appointment, 40m, "EUR", "visa", "4242", PaymentStatus.Captured, "tx-1", 0m, T0, T0, null), v);
    }

    [Theory]
    [InlineData("declined", PaymentStatus.Declined)]
    [InlineData("failed", PaymentStatus.Failed)]
    public void A_refused_charge_keeps_its_reason(string @event, PaymentStatus status)
    {
        var v = PaymentLedger.View(Payment, [Row(@event, 40m, 0, detail: "card declined")])!;

        Assert.Equal(status, v.Status);
        Assert.Equal("card declined", v.FailureReason);
        Assert.Null(v.TransactionId);
    }

    [Fact]
    public void Refunds_add_up_to_partial_then_full_and_keep_the_charges_transaction()
    {
        var rows = new[] { Row("captured", 40m, 0, "tx-1"), Row("refunded", 15m, 5, "rf-1", "why"), Row("refunded", 25m, 9, "rf-2", "why") };

        var partial = PaymentLedger.View(Payment, rows[..2])!;
        Assert.Equal(PaymentStatus.PartiallyRefunded, partial.Status);
        Assert.Equal(15m, partial.RefundedAmount);
        Assert.Equal(T0.AddMinutes(5), partial.UpdatedAt);

        var full = PaymentLedger.View(Payment, rows)!;
        Assert.Equal(PaymentStatus.Refunded, full.Status);
        Assert.Equal(40m, full.RefundedAmount);
        Assert.Equal("tx-1", full.TransactionId);
        Assert.Equal(T0, full.CreatedAt);
        Assert.Equal(T0.AddMinutes(9), full.UpdatedAt);
        Assert.Null(full.FailureReason);
    }

    [Fact]
    public void Amounts_read_back_with_the_ledgers_two_decimals_show_as_charged()
    {
        var v = PaymentLedger.View(Payment, [Row("captured", 64.00m, 0, "tx-1"), Row("refunded", 14.50m, 1, "rf-1")])!;

        Assert.Equal("64", v.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("14.5", v.RefundedAmount.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_second_charge_row_from_a_resumed_charge_does_not_count_twice()
    {
        var v = PaymentLedger.View(Payment, [Row("captured", 40m, 0, "tx-1"), Row("captured", 40m, 1, "tx-1")])!;

        Assert.Equal(PaymentStatus.Captured, v.Status);
        Assert.Equal(40m, v.Amount);
        Assert.Equal(T0, v.UpdatedAt);
    }
}
