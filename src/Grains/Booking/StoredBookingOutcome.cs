using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Abstractions.Common;

namespace HealthActors.Grains.Booking;

/// <summary>The reason codes a refused booking carries (the problem's "reason"); clients branch on them.</summary>
public static class BookingReasons
{
    public const string SlotTaken = "SlotTaken";
    public const string OutsideAvailability = "OutsideAvailability";
    public const string SlotInPast = "SlotInPast";
    public const string DoctorNotFound = "DoctorNotFound";
    public const string NotAllowed = "NotAllowed";
    /// <summary>The appointment has not started (or not long enough ago) for this change.</summary>
    public const string NotYet = "NotYet";
}

/// <summary>
/// How a booking request's first answer was stored before <see cref="Outcome{T}"/>: kept (same aliases and
/// ids) only so that requests answered by an older build still answer their retries the same way.
/// </summary>
[GenerateSerializer, Alias("ha.booking.BookingStatus")]
public enum StoredBookingStatus
{
    Confirmed = 0, SlotTaken = 1, OutsideAvailability = 2, SlotInPast = 3, DoctorNotFound = 4,
    PaymentDeclined = 5, PaymentFailed = 6, IdempotencyMismatch = 7,
}

[GenerateSerializer, Immutable, Alias("ha.booking.BookingOutcome")]
public sealed record StoredBookingOutcome(
    [property: Id(0)] StoredBookingStatus Status,
    [property: Id(1)] AppointmentView? Appointment,
    [property: Id(2)] string? Detail)
{
    public Outcome<AppointmentView> ToOutcome() => Status switch
    {
        StoredBookingStatus.Confirmed when Appointment is not null => Outcome.Ok(Appointment),
        StoredBookingStatus.DoctorNotFound => new Failure(FailureKind.NotFound, Detail, "doctorId", BookingReasons.DoctorNotFound),
        StoredBookingStatus.PaymentDeclined => Outcome.PaymentDeclined(Detail ?? "The card was declined."),
        StoredBookingStatus.PaymentFailed => Outcome.PaymentFailed(Detail ?? "The payment processor failed; nothing was charged."),
        StoredBookingStatus.IdempotencyMismatch => Outcome.IdempotencyMismatch(),
        _ => Outcome.Conflict(Status.ToString(), Detail ?? "The slot could not be booked.", "start"),
    };
}
