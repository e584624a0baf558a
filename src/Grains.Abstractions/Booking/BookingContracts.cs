using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;

namespace HealthActors.Grains.Abstractions.Booking;

/// <summary>
/// Card data as the patient sent it. It travels only in memory from the Api to the payment grain and the
/// gateway; it is never stored, logged or put in an exception. ToString is redacted so no accident can print it.
/// </summary>
[GenerateSerializer, Immutable, Alias("ha.booking.CardDetails")]
public sealed record CardDetails
{
    [Id(0)] public string? CardNumber { get; init; }
    [Id(1)] public int? ExpMonth { get; init; }
    [Id(2)] public int? ExpYear { get; init; }
    [Id(3)] public string? Cvc { get; init; }
    [Id(4)] public string? HolderName { get; init; }

    public string Digits => new((CardNumber ?? "").Where(char.IsAsciiDigit).ToArray());
    public string Last4 => Digits.Length >= 4 ? Digits[^4..] : "";
    public override string ToString() => $"card ending {Last4}";
}

[GenerateSerializer, Immutable, Alias("ha.booking.BookingCommand")]
public sealed record BookingCommand(
    [property: Id(0)] Guid PatientId,
    [property: Id(1)] Guid DoctorId,
    [property: Id(2)] DateTimeOffset Start,
    [property: Id(3)] string Reason,
    [property: Id(4)] CardDetails Card,
    [property: Id(5)] Guid? ExistingHoldId = null,
    [property: Id(6)] Money? AgreedPrice = null)
{
    /// <summary>
    /// How requests were compared before the keyed fingerprint: the card's last four only. Kept to answer the
    /// retries of requests stored by an older build; never used for new ones.
    /// </summary>
    public string LegacyFingerprint() =>
        string.Join('|', DoctorId.ToString("N"), Start.UtcDateTime.ToString("O"), Reason, Card.Last4, Card.ExpMonth, Card.ExpYear, Card.HolderName?.Trim(),
            ExistingHoldId, AgreedPrice);

    /// <summary>
    /// What makes two requests "the same body" for idempotency: an HMAC-SHA256, keyed with a random salt kept per
    /// request, over the whole command including the full card number and the CVC. Only the hash is stored, so a
    /// retry with another card that shares the last four (or another CVC) no longer passes for the first request.
    /// </summary>
    public string Fingerprint(byte[] salt)
    {
        // A unit separator between fields: no field's text can shift a boundary and make two bodies collide.
        var canonical = string.Join('\u001f', DoctorId.ToString("N"), Start.UtcDateTime.ToString("O"), Reason, Card.Digits, Card.ExpMonth, Card.ExpYear,
            Card.Cvc, Card.HolderName?.Trim(), ExistingHoldId?.ToString("N"), AgreedPrice?.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            AgreedPrice?.Currency);
        return Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(salt, System.Text.Encoding.UTF8.GetBytes(canonical)));
    }

    public override string ToString() => $"booking of {DoctorId} at {Start:O}";
}

[GenerateSerializer, Alias("ha.booking.AppointmentStatus")]
public enum AppointmentStatus { Booked = 0, Completed = 1, NoShow = 2, Cancelled = 3 }

[GenerateSerializer, Alias("ha.booking.PaymentStatus")]
public enum PaymentStatus { Pending = 0, Captured = 1, Declined = 2, Failed = 3, Refunded = 4, PartiallyRefunded = 5 }

[GenerateSerializer, Immutable, Alias("ha.booking.PaymentView")]
public sealed record PaymentView(
    [property: Id(0)] Guid PaymentId,
    [property: Id(1)] Guid PayerId,
    [property: Id(2)] Guid? AppointmentId,
    [property: Id(3)] decimal Amount,
    [property: Id(4)] string Currency,
    [property: Id(5)] string Brand,
    [property: Id(6)] string Last4,
    [property: Id(7)] PaymentStatus Status,
    [property: Id(8)] string? TransactionId,
    [property: Id(9)] decimal RefundedAmount,
    [property: Id(10)] DateTimeOffset CreatedAt,
    [property: Id(11)] DateTimeOffset UpdatedAt,
    [property: Id(12)] string? FailureReason);

[GenerateSerializer, Immutable, Alias("ha.booking.AppointmentView")]
public sealed record AppointmentView(
    [property: Id(0)] Guid Id,
    [property: Id(1)] Guid PatientId,
    [property: Id(2)] Guid DoctorId,
    [property: Id(3)] string DoctorName,
    [property: Id(4)] Guid SpecialtyId,
    [property: Id(5)] DateTimeOffset Start,
    [property: Id(6)] DateTimeOffset End,
    [property: Id(7)] string DoctorTimeZone,
    [property: Id(8)] string Reason,
    [property: Id(9)] AppointmentStatus Status,
    [property: Id(10)] Money Price,
    [property: Id(11)] Guid PaymentId,
    [property: Id(12)] DateTimeOffset CreatedAt,
    [property: Id(13)] DateTimeOffset? CancelledAt,
    [property: Id(14)] decimal RefundedAmount);

/// <summary>
/// One per (patient, Idempotency-Key): runs the booking once and answers every retry with the first result;
/// a retry with a different body gets <see cref="FailureKind.IdempotencyMismatch"/>.
/// </summary>
[Alias("ha.booking.IBookingRequestGrain")]
public interface IBookingRequestGrain : IGrainWithGuidKey
{
    [Alias("Book")] Task<Outcome<AppointmentView>> Book(BookingCommand command);
}

/// <summary>One appointment: runs hold -> charge -> confirm, then owns the status and the reminder.</summary>
[Alias("ha.booking.IAppointmentGrain")]
public interface IAppointmentGrain : IGrainWithGuidKey
{
    [Alias("Book")] Task<Outcome<AppointmentView>> Book(BookingCommand command);

    /// <summary>
    /// <see cref="Book"/> for an id its caller has just made in this call and told no one else: nothing can be stored
    /// under it yet, so the grain reads neither its own state nor its payment's ledger. Any later call for the same id
    /// (a retry, a resumed booking) must use <see cref="Book"/>.
    /// </summary>
    [Alias("BookNew")] Task<Outcome<AppointmentView>> BookNew(BookingCommand command);
    [Alias("Get")] Task<AppointmentView?> Get(Caller caller);
    [Alias("Cancel")] Task<Outcome<AppointmentView>> Cancel(Caller caller);
    [Alias("Complete")] Task<Outcome<AppointmentView>> Complete(Caller caller);
    [Alias("MarkNoShow")] Task<Outcome<AppointmentView>> MarkNoShow(Caller caller);

    /// <summary>
    /// The practice cancels (the doctor retired): a booked appointment is cancelled with a full refund whatever the
    /// refund window, and the patient is told. For grains, not end users; an appointment no longer booked is left as it is.
    /// </summary>
    [Alias("CancelByPractice")] Task<Outcome<AppointmentView>> CancelByPractice(string reason);
}

[Alias("ha.booking.IPaymentGrain")]
public interface IPaymentGrain : IGrainWithGuidKey
{
    [Alias("Charge")] Task<PaymentView> Charge(Guid payerId, Guid appointmentId, Money amount, CardDetails card);

    /// <summary>
    /// <see cref="Charge"/> for a payment id its caller has just made and told no one else: the grain does not read its
    /// ledger, which cannot have a row yet. A charge that may be a retry must use <see cref="Charge"/>.
    /// </summary>
    [Alias("ChargeNew")] Task<PaymentView> ChargeNew(Guid payerId, Guid appointmentId, Money amount, CardDetails card);
    [Alias("Refund")] Task<PaymentView> Refund(decimal amount, string reason);
    [Alias("Get")] Task<PaymentView?> Get(Caller caller);
}

[GenerateSerializer, Immutable, Alias("ha.booking.AppointmentSummary")]
public sealed record AppointmentSummary(
    [property: Id(0)] Guid Id,
    [property: Id(1)] Guid PatientId,
    [property: Id(2)] Guid DoctorId,
    [property: Id(3)] DateTimeOffset Start,
    [property: Id(4)] DateTimeOffset End,
    [property: Id(5)] AppointmentStatus Status);

[Alias("ha.booking.IAppointmentQueryGrain")]
public interface IAppointmentQueryGrain : IGrainWithIntegerKey
{
    [Alias("ForPatient")] Task<IReadOnlyList<AppointmentSummary>> ForPatient(Guid patientId, int page, int pageSize);
    [Alias("ForDoctor")] Task<IReadOnlyList<AppointmentSummary>> ForDoctor(Guid doctorId, int page, int pageSize);
}

/// <summary>The rules a booking command must meet wherever it comes from (the endpoint, the auction grain, anyone else).</summary>
public static class BookingRules
{
    public const int MaxReasonLength = 500;

    public static void Validate(ValidationErrors e, Guid? doctorId, DateTimeOffset? start, string? reason, CardDetails? card, DateTimeOffset now)
    {
        if (doctorId is null || doctorId == Guid.Empty) e.Add("doctorId", "is required");
        if (start is null || start == default(DateTimeOffset)) e.Add("start", "is required");
        e.Text("reason", reason, MaxReasonLength, required: true, multiline: true);
        CardRules.Validate(e, card, now);
    }

    public static ValidationErrors Validate(BookingCommand? command, DateTimeOffset now)
    {
        var e = new ValidationErrors();
        if (command is null) e.Add("body", "is required");
        else Validate(e, command.DoctorId, command.Start, command.Reason, command.Card, now);
        return e;
    }
}

public static class IdempotencyKeys
{
    public const int MaxLength = 128;

    public static void Validate(Common.ValidationErrors e, string? key)
    {
        if (string.IsNullOrWhiteSpace(key)) e.Add("Idempotency-Key", "header is required");
        else if (key.Length > MaxLength || Common.ValidationErrors.HasControlCharacters(key))
            e.Add("Idempotency-Key", $"must be at most {MaxLength} printable characters");
    }

    /// <summary>The booking-request grain key: scoped to the patient, so two patients' keys never meet.</summary>
    public static Guid For(Guid patientId, string key)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"booking:{patientId:N}:{key}"));
        return new Guid(hash.AsSpan(0, 16));
    }
}
