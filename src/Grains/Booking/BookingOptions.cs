namespace HealthActors.Grains.Booking;

/// <summary>Configuration section "Booking".</summary>
public sealed class BookingOptions
{
    public const string Section = "Booking";
    /// <summary>How long a slot stays held while the payment runs; an abandoned hold frees itself after this.</summary>
    public double HoldSeconds { get; set; } = 120;
    /// <summary>How long before the appointment the reminder notification is sent.</summary>
    public double ReminderMinutesBefore { get; set; } = 60;
    /// <summary>A cancellation more than this far ahead is refunded in full; later ones are not refunded.</summary>
    public double FullRefundHours { get; set; } = 24;
    /// <summary>How long after the start a doctor must wait before recording a no-show: a patient a few minutes late has not failed to turn up.</summary>
    public double NoShowGraceMinutes { get; set; } = 15;
}
