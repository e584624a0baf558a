using HealthActors.Grains.Abstractions.Common;

namespace HealthActors.Grains.Abstractions.Alarms;

/// <summary>A medication schedule: the plan, in the time zone the patient's profile had when it was made.</summary>
[GenerateSerializer, Immutable, Alias("ha.alarms.MedicationSchedule")]
public sealed record MedicationSchedule(
    [property: Id(0)] Guid Id,
    [property: Id(1)] Guid MedicationId,
    [property: Id(2)] string MedicationName,
    [property: Id(3)] DosePlan Plan,
    [property: Id(4)] string TimeZone,
    [property: Id(5)] DateTimeOffset CreatedAt);

public static class AlarmStatus
{
    /// <summary>Not answered yet (rung or still to ring).</summary>
    public const string Open = "open";
    public const string Taken = "taken";
    public const string Skipped = "skipped";
    /// <summary>Its moment passed longer ago than the missed window while no silo ran: recorded, never rung.</summary>
    public const string Missed = "missed";
}

/// <summary>One alarm: a dose of a schedule (ScheduleId set) or a custom alarm (ScheduleId null).</summary>
[GenerateSerializer, Immutable, Alias("ha.alarms.Alarm")]
public sealed record Alarm(
    [property: Id(0)] Guid Id,
    [property: Id(1)] Guid? ScheduleId,
    [property: Id(2)] Guid? MedicationId,
    [property: Id(3)] string Title,
    [property: Id(4)] DateTimeOffset DueAt,
    [property: Id(5)] string Status,
    /// <summary>Rung later than the lateness threshold after its moment (the cluster was down or busy).</summary>
    [property: Id(6)] bool Late,
    [property: Id(7)] DateTimeOffset? RungAt,
    [property: Id(8)] DateTimeOffset? AnsweredAt,
    [property: Id(9)] DateTimeOffset CreatedAt);

/// <summary>Alarms by due time ascending; the next page starts after (AfterDueAt, AfterId).</summary>
[GenerateSerializer, Immutable, Alias("ha.alarms.AlarmQuery")]
public sealed record AlarmQuery(
    [property: Id(0)] DateTimeOffset? From,
    [property: Id(1)] DateTimeOffset? To,
    [property: Id(2)] int Limit,
    [property: Id(3)] DateTimeOffset? AfterDueAt,
    [property: Id(4)] Guid? AfterId);

[GenerateSerializer, Immutable, Alias("ha.alarms.AlarmPage")]
public sealed record AlarmPage(
    [property: Id(0)] IReadOnlyList<Alarm> Items,
    [property: Id(1)] string? NextCursor);

/// <summary>Medication doses due in a range and how they were answered (missed and unanswered ones count only as due).</summary>
[GenerateSerializer, Immutable, Alias("ha.alarms.Adherence")]
public sealed record Adherence(
    [property: Id(0)] int Due,
    [property: Id(1)] int Taken,
    [property: Id(2)] int Skipped);

public static class AlarmReasons
{
    /// <summary>The alarm was already answered the other way (taken after skipped, or skipped after taken).</summary>
    public const string AlreadyAnswered = "AlarmAlreadyAnswered";
    /// <summary>Schedules are in the profile's time zone, and the profile has none.</summary>
    public const string NoTimeZone = "NoTimeZone";
}

/// <summary>
/// One patient's medication schedules and alarms (keyed by patient id). It owns one durable reminder whose due time
/// is the next alarm; each tick records the doses that fell due (a row per schedule and instant, so a repeated tick
/// rings nothing twice), rings them through the inbox and re-registers the reminder for the next one.
/// </summary>
[Alias("ha.alarms.IMedicationAlarmsGrain")]
public interface IMedicationAlarmsGrain : IGrainWithGuidKey
{
    /// <summary>Body as JSON text (medicationId, timesOfDay, daysOfWeek?, startDate, endDate?), checked again here.</summary>
    [Alias("AddSchedule")] Task<Outcome<MedicationSchedule>> AddSchedule(string json);
    [Alias("Schedules")] Task<IReadOnlyList<MedicationSchedule>> Schedules();
    [Alias("RemoveSchedule")] Task<Outcome<MedicationSchedule>> RemoveSchedule(Guid scheduleId);
    /// <summary>Body as JSON text (title, at).</summary>
    [Alias("AddCustom")] Task<Outcome<Alarm>> AddCustom(string json);
    [Alias("List")] Task<AlarmPage> List(AlarmQuery query);
    /// <summary>Marks an alarm taken or skipped: a repeat of the same answer is a no-op; the other answer is a conflict.</summary>
    [Alias("Answer")] Task<Outcome<Alarm>> Answer(Guid alarmId, string status);
}
