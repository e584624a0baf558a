using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Alarms;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Abstractions.Notifications;
using HealthActors.Grains.Abstractions.Patients;
using HealthActors.Grains.Abstractions.Records;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HealthActors.Grains.Alarms;

[GenerateSerializer, Alias("ha.alarms.MedicationAlarmsState")]
public sealed class MedicationAlarmsState
{
    [Id(0)] public List<ScheduleEntry> Schedules { get; set; } = [];
}

/// <summary>A schedule and the instant up to which its doses have been written as alarm rows.</summary>
[GenerateSerializer, Alias("ha.alarms.ScheduleEntry")]
public sealed class ScheduleEntry
{
    [Id(0)] public required MedicationSchedule Schedule { get; set; }
    [Id(1)] public DateTimeOffset CoveredThrough { get; set; }
}

/// <summary>
/// One patient's medication schedules and alarms. The schedules (bounded) are grain state; the alarms are rows.
/// One durable reminder is due at the next alarm: a tick writes the doses that fell due since the last one (the
/// unique schedule + instant makes a repeated tick write nothing new), rings every open alarm not rung yet through
/// the inbox (which de-duplicates on the alarm id) and re-registers the reminder for the next alarm.
/// </summary>
public sealed class MedicationAlarmsGrain(
    [PersistentState("medication-alarms", StorageNames.Store)] IPersistentState<MedicationAlarmsState> state,
    IAlarmStore store,
    IOptions<AlarmOptions> options,
    TimeProvider time,
    ILogger<MedicationAlarmsGrain> log) : Grain, IMedicationAlarmsGrain, IRemindable
{
    public const string ReminderName = "medication-alarms";
    public const string NotificationKind = "medication.alarm";
    private const int RingBatch = 100;
    private Guid PatientId => this.GetPrimaryKey();

    public async Task<Outcome<MedicationSchedule>> AddSchedule(string json)
    {
        var e = new ValidationErrors();
        if (AlarmRules.ParseSchedule(json, e) is not { } draft) return Outcome.Invalid(e);
        if (state.State.Schedules.Count >= AlarmRules.MaxSchedules)
            return Outcome.Conflict("TooManySchedules", $"A patient may keep at most {AlarmRules.MaxSchedules} medication schedules.");

        var medication = await GrainFactory.GetGrain<IHealthRecordQueryGrain>(0).Get(PatientId, "medications", draft.MedicationId);
        if (medication is null) return Outcome.Invalid("medicationId", "is not a medications record of yours");
        var values = JsonNode.Parse(medication.Payload)!.AsObject();
        if (values["active"]?.GetValue<bool>() != true) return Outcome.Invalid("medicationId", "is not an active medication");

        var profile = await GrainFactory.GetGrain<IPatientGrain>(PatientId).GetProfile(new Caller(PatientId, Roles.Patient));
        if (profile?.TimeZone is not { } zoneId || Zone(zoneId) is null)
            return new Failure(FailureKind.Invalid, "set the time zone (IANA id) of your profile first: schedules are in local time",
                "timeZone", AlarmReasons.NoTimeZone);

        var now = time.GetUtcNow();
        var name = $"{values["name"]} {values["dose"]}".Trim();
        var schedule = new MedicationSchedule(Guid.NewGuid(), draft.MedicationId, name, draft.Plan, zoneId, Micro(now));
        // Doses from now on: a schedule made at 09:00 does not ring for 08:00 of the same day.
        state.State.Schedules.Add(new ScheduleEntry { Schedule = schedule, CoveredThrough = now });
        await state.WriteStateAsync();
        await ArrangeNext(now);
        return Outcome.Ok(schedule);
    }

    public Task<IReadOnlyList<MedicationSchedule>> Schedules() =>
        Task.FromResult<IReadOnlyList<MedicationSchedule>>(state.State.Schedules.Select(s => s.Schedule).ToList());

    public async Task<Outcome<MedicationSchedule>> RemoveSchedule(Guid scheduleId)
    {
        var entry = state.State.Schedules.FirstOrDefault(s => s.Schedule.Id == scheduleId);
        if (entry is null) return Outcome.NotFound();
        state.State.Schedules.Remove(entry);
        await state.WriteStateAsync();
        await ArrangeNext(time.GetUtcNow());
        return Outcome.Ok(entry.Schedule);
    }

    public async Task<Outcome<Alarm>> AddCustom(string json)
    {
        var now = time.GetUtcNow();
        var e = new ValidationErrors();
        if (AlarmRules.ParseCustom(json, now, e) is not { } draft) return Outcome.Invalid(e);
        var alarm = new Alarm(Guid.NewGuid(), null, null, draft.Title, Micro(draft.At), AlarmStatus.Open, false, null, null, Micro(now));
        await store.Insert(PatientId, alarm);
        await ArrangeNext(now);
        return Outcome.Ok(alarm);
    }

    public async Task<AlarmPage> List(AlarmQuery query)
    {
        // One row more than asked tells whether another page exists without a count.
        var rows = await store.List(PatientId, query with { Limit = query.Limit + 1 });
        var items = rows.Take(query.Limit).ToList();
        var next = rows.Count > query.Limit ? HealthRecordRules.EncodeCursor(items[^1].DueAt, items[^1].Id) : null;
        return new AlarmPage(items, next);
    }

    public async Task<Outcome<Alarm>> Answer(Guid alarmId, string status)
    {
        if (status is not (AlarmStatus.Taken or AlarmStatus.Skipped)) return Outcome.Invalid("status", "must be taken or skipped");
        if (await store.Get(PatientId, alarmId) is not { } alarm) return Outcome.NotFound();
        if (alarm.Status == status) return Outcome.Ok(alarm);
        if (alarm.Status is AlarmStatus.Taken or AlarmStatus.Skipped || !await store.Answer(PatientId, alarmId, status, Micro(time.GetUtcNow())))
            return Outcome.Conflict(AlarmReasons.AlreadyAnswered, $"This alarm was already marked {alarm.Status}.", "status");
        return Outcome.Ok((await store.Get(PatientId, alarmId))!);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReminderName) return;
        var now = time.GetUtcNow();
        var o = options.Value;
        var missedAfter = TimeSpan.FromHours(o.MissedAfterHours);

        foreach (var entry in state.State.Schedules)
        {
            var s = entry.Schedule;
            if (Zone(s.TimeZone) is not { } zone) continue;
            foreach (var due in DoseCalendar.Between(s.Plan, zone, entry.CoveredThrough, now))
            {
                // Written open and rung below, or missed at once when found too late to be worth ringing.
                var outcome = now - due > missedAfter ? AlarmStatus.Missed : AlarmStatus.Open;
                await store.Insert(PatientId, new Alarm(DoseId(s.Id, due), s.Id, s.MedicationId, s.MedicationName, due, outcome, false, null, null, Micro(now)));
            }
            entry.CoveredThrough = now;
        }
        // Written after the rows: a crash in between repeats the inserts, which the unique dose key turns into no-ops.
        await state.WriteStateAsync();

        foreach (var alarm in await store.ToRing(PatientId, now, RingBatch))
        {
            if (now - alarm.DueAt > missedAfter)
            {
                await store.MarkMissed(alarm.Id);
                continue;
            }
            var late = now - alarm.DueAt > TimeSpan.FromSeconds(o.LateAfterSeconds);
            await GrainFactory.GetGrain<IInboxGrain>(PatientId).Add(NotificationKind, Title(alarm, late), Body(alarm, late), alarm.Id, alarm.Id);
            await store.MarkRung(alarm.Id, now, late);
        }
        await ArrangeNext(now);
    }

    /// <summary>Points the one reminder at the next alarm, or drops it when nothing is ahead.</summary>
    private async Task ArrangeNext(DateTimeOffset now)
    {
        DateTimeOffset? next = await store.NextToRing(PatientId);
        foreach (var entry in state.State.Schedules)
            if (Zone(entry.Schedule.TimeZone) is { } zone && DoseCalendar.Next(entry.Schedule.Plan, zone, entry.CoveredThrough) is { } at && (next is null || at < next))
                next = at;

        if (next is null)
        {
            if (await this.GetReminder(ReminderName) is { } existing) await this.UnregisterReminder(existing);
            return;
        }
        var o = options.Value;
        var wait = next.Value - now;
        if (wait < TimeSpan.FromSeconds(1)) wait = TimeSpan.FromSeconds(1);
        if (wait > TimeSpan.FromHours(o.MaxSleepHours)) wait = TimeSpan.FromHours(o.MaxSleepHours);
        await this.RegisterOrUpdateReminder(ReminderName, wait, TimeSpan.FromSeconds(o.CatchUpSeconds));
        log.LogDebug("Next medication alarm check in {Wait}", wait);
    }

    private static string Title(Alarm a, bool late) => (late ? "Late: " : "") + (a.ScheduleId is null ? a.Title : $"Time for {a.Title}");

    private static string Body(Alarm a, bool late) =>
        (a.ScheduleId is null ? $"Your alarm \"{a.Title}\"" : $"Your dose of {a.Title}") + $" is due at {a.DueAt:yyyy-MM-dd HH:mm} UTC."
        + (late ? " This alarm comes late: the service was unavailable when it was due." : "");

    /// <summary>The same id for the same dose whichever tick writes it, so the inbox's de-duplication sees one alarm.</summary>
    private static Guid DoseId(Guid scheduleId, DateTimeOffset due)
    {
        Span<byte> source = stackalloc byte[24];
        scheduleId.TryWriteBytes(source);
        BitConverter.TryWriteBytes(source[16..], due.UtcTicks);
        return new Guid(SHA256.HashData(source).AsSpan(0, 16));
    }

    private static TimeZoneInfo? Zone(string id)
    {
        try { return TimeZoneInfo.FindSystemTimeZoneById(id); }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException) { return null; }
    }

    // PostgreSQL keeps microseconds: an answer should say what a later read will.
    private static DateTimeOffset Micro(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % 10, TimeSpan.Zero);
}
