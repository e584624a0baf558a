using HealthActors.Grains.Abstractions.Common;

namespace HealthActors.Grains.Abstractions.Catalog;

/// <summary>
/// Slot arithmetic over a weekly schedule kept in the doctor's own time zone. Slots are generated in local
/// time and converted to UTC, so "09:00 every Monday" stays 09:00 local across daylight-saving changes; a
/// local time that does not exist (the spring-forward gap) yields no slot.
/// </summary>
public static class SlotCalendar
{
    public const int MaxRangeDays = 62;
    /// <summary>How far ahead a slot may be listed, held or booked.</summary>
    public const int MaxDaysAhead = 180;

    public static IEnumerable<Slot> Slots(WeeklyAvailability a, DateTimeOffset from, DateTimeOffset to)
    {
        var tz = TimeZoneInfo.FindSystemTimeZoneById(a.TimeZone!);
        var length = TimeSpan.FromMinutes(a.SlotMinutes!.Value);
        var days = a.Days!.ToHashSet();
        var firstDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(from, tz).DateTime).AddDays(-1);
        var lastDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(to, tz).DateTime).AddDays(1);
        for (var day = firstDay; day <= lastDay; day = day.AddDays(1))
        {
            if (!days.Contains(day.DayOfWeek)) continue;
            var end = day.ToDateTime(a.EndTime!.Value);
            for (var local = day.ToDateTime(a.StartTime!.Value); local + length <= end; local += length)
            {
                if (tz.IsInvalidTime(local)) continue;
                var offset = tz.IsAmbiguousTime(local) ? tz.GetAmbiguousTimeOffsets(local).Max() : tz.GetUtcOffset(local);
                var start = new DateTimeOffset(local, offset).ToUniversalTime();
                if (start >= from && start < to) yield return new Slot(start, start + length);
            }
        }
    }

    /// <summary>The slot that starts exactly at <paramref name="start"/>, if the schedule has one.</summary>
    public static Slot? SlotAt(WeeklyAvailability a, DateTimeOffset start) =>
        Slots(a, start, start.AddTicks(1)).FirstOrDefault(s => s.Start == start);

    public static void Validate(ValidationErrors e, WeeklyAvailability? a, string prefix = "availability")
    {
        if (a is null) { e.Add(prefix, "is required"); return; }
        if (a.TimeZone is null) e.Add($"{prefix}.timeZone", "is required");
        else if (!Patients.PatientProfileRules.IsIanaZone(a.TimeZone)) e.Add($"{prefix}.timeZone", "must be an IANA time zone");
        if (a.Days is null || a.Days.Length == 0) e.Add($"{prefix}.days", "must name at least one weekday");
        else if (a.Days.Any(d => !Enum.IsDefined(d))) e.Add($"{prefix}.days", "must be weekdays");
        if (a.StartTime is null) e.Add($"{prefix}.startTime", "is required");
        if (a.EndTime is null) e.Add($"{prefix}.endTime", "is required");
        if (a.StartTime is { } s && a.EndTime is { } en && en <= s) e.Add($"{prefix}.endTime", "must be after startTime");
        if (a.SlotMinutes is null) e.Add($"{prefix}.slotMinutes", "is required");
        else if (a.SlotMinutes is < 10 or > 240) e.Add($"{prefix}.slotMinutes", "must be between 10 and 240");
        else if (a.StartTime is { } s2 && a.EndTime is { } e2 && (e2 - s2).TotalMinutes < a.SlotMinutes)
            e.Add($"{prefix}.slotMinutes", "must fit between startTime and endTime");
    }
}
