namespace HealthActors.Grains.Consultations;

/// <summary>Configuration section "Consultations".</summary>
public sealed class ConsultationOptions
{
    public const string Section = "Consultations";
    /// <summary>
    /// How long a consultation waits for a doctor before it expires and its patient is told (24 hours; tests shorten
    /// it to seconds). A patient left waiting longer than this is better served by being sent elsewhere.
    /// </summary>
    public TimeSpan UnclaimedExpiry { get; set; } = TimeSpan.FromHours(24);
}
