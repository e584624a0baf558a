namespace HealthActors.Grains.Abstractions.Alarms;

/// <summary>When a medication is to be taken, in the patient's local terms: wall-clock times on some weekdays between two dates.</summary>
[GenerateSerializer, Immutable, Alias("ha.alarms.DosePlan")]
public sealed record DosePlan(
    /// <summary>Local times of day, ascending, no repeats.</summary>
    [property: Id(0)] IReadOnlyList<TimeOnly> TimesOfDay,
    /// <summary>The weekdays it applies on; every day when empty.</summary>
    [property: Id(1)] IReadOnlyList<DayOfWeek> DaysOfWeek,
    [property: Id(2)] DateOnly StartDate,
    /// <summary>The last day (inclusive); open-ended when null.</summary>
    [property: Id(3)] DateOnly? EndDate);

/// <summary>
/// Turns a <see cref="DosePlan"/> in an IANA time zone into UTC instants. Daylight-saving rules:
/// a local time that does not exist (the spring-forward gap: 02:30 on the last Sunday of March in Europe/Madrid)
/// is moved forward by the length of the gap (it rings at 03:30 local, 01:30 UTC), so the dose is still taken that day;
/// a local time that happens twice (the autumn overlap) rings once, at its first occurrence (the summer-time one).
/// </summary>
public static class DoseCalendar
{
    /// <summary>How far ahead <see cref="Next"/> looks; a plan with nothing due in that span has no next dose.</summary>
    public const int HorizonDays = 400;

    /// <summary>The UTC instant of one local date and time in a zone, with the gap and overlap rules above.</summary>
    public static DateTimeOffset ToUtc(DateOnly date, TimeOnly time, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        TimeSpan offset;
        if (zone.IsInvalidTime(local))
            // The offset in force before the jump: subtracting it lands as far past the gap's end as the time was past its start.
            offset = zone.GetUtcOffset(local.AddDays(-1));
        else if (zone.IsAmbiguousTime(local))
            offset = zone.GetAmbiguousTimeOffsets(local).Max();
        else
            offset = zone.GetUtcOffset(local);
        return new DateTimeOffset(local.Ticks - offset.Ticks, TimeSpan.Zero);
    }

    /// <summary>Every dose instant in (<paramref name="after"/>, <paramref name="until"/>], ascending, each once.</summary>
    public static IEnumerable<DateTimeOffset> Between(DosePlan plan, TimeZoneInfo zone, DateTimeOffset after, DateTimeOffset until)
    {
        if (until <= after) yield break;
        // A day either side: a local date can begin up to 14 hours before or after the UTC one.
        var first = DateOnly.FromDateTime(after.UtcDateTime).AddDays(-1);
        if (first < plan.StartDate) first = plan.StartDate;
        var last = DateOnly.FromDateTime(until.UtcDateTime).AddDays(1);
        if (plan.EndDate is { } end && end < last) last = end;
        var previous = after;
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            if (plan.DaysOfWeek.Count > 0 && !plan.DaysOfWeek.Contains(day.DayOfWeek)) continue;
            // Sorted per day: a time moved out of a gap can pass a later time of the same day.
            foreach (var at in plan.TimesOfDay.Select(t => ToUtc(day, t, zone)).Order())
            {
                if (at <= previous || at > until) continue;
                previous = at;
                yield return at;
            }
        }
    }

    /// <summary>The first dose strictly after <paramref name="after"/>, or null when there is none within <see cref="HorizonDays"/>.</summary>
    public static DateTimeOffset? Next(DosePlan plan, TimeZoneInfo zone, DateTimeOffset after)
    {
        // Skipping to the start date keeps a plan that begins far ahead from being searched day by day.
        var from = plan.StartDate.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddDays(-2);
        var searchFrom = after > from ? after : new DateTimeOffset(from, TimeSpan.Zero);
        foreach (var at in Between(plan, zone, searchFrom, searchFrom.AddDays(HorizonDays)))
            if (at > after) return at;
        return null;
    }
}
