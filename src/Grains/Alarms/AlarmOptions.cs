namespace HealthActors.Grains.Alarms;

/// <summary>Configuration section "Alarms".</summary>
public sealed class AlarmOptions
{
    public const string Section = "Alarms";
    /// <summary>
    /// The reminder's period. Orleans does not replay a tick that fell due while no silo ran; it fires at the next
    /// period boundary instead, so this is how soon after the cluster is back a dose due meanwhile rings. Orleans
    /// refuses periods under its MinimumReminderPeriod (one minute unless the silo lowers it).
    /// </summary>
    public double CatchUpSeconds { get; set; } = 60;
    /// <summary>An alarm rung more than this after its moment is marked late.</summary>
    public double LateAfterSeconds { get; set; } = 120;
    /// <summary>A dose found more than this after its moment is recorded as missed instead of rung: a pill reminder hours late does harm.</summary>
    public double MissedAfterHours { get; set; } = 12;
    /// <summary>The longest the reminder sleeps before the grain looks again (the next dose may be weeks away).</summary>
    public double MaxSleepHours { get; set; } = 24;
}
