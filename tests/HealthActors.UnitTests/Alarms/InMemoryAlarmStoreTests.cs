using HealthActors.Grains.Abstractions.Alarms;
using HealthActors.Grains.Alarms;

namespace HealthActors.UnitTests.Alarms;

/// <summary>The embedded mode's store keeps the PostgreSQL store's rules: one row per dose, answers once, due-time order.</summary>
public sealed class InMemoryAlarmStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 7, 0, 0, TimeSpan.Zero);
    private static readonly Guid Patient = Guid.NewGuid();

    private static Alarm Dose(Guid scheduleId, DateTimeOffset due, string status = AlarmStatus.Open) =>
        new(Guid.NewGuid(), scheduleId, Guid.NewGuid(), "Metformin 500 mg", due, status, false, null, null, T0);

    [Fact]
    public async Task A_dose_is_written_once_whatever_id_a_repeat_carries()
    {
        var store = new InMemoryAlarmStore();
        var schedule = Guid.NewGuid();
        Assert.True(await store.Insert(Patient, Dose(schedule, T0)));
        Assert.False(await store.Insert(Patient, Dose(schedule, T0)));
        Assert.True(await store.Insert(Patient, Dose(schedule, T0.AddHours(12))));
        Assert.Equal(2, (await store.List(Patient, new AlarmQuery(null, null, 10, null, null))).Count);
    }

    [Fact]
    public async Task Rung_and_answered_alarms_leave_the_ring_list_and_adherence_counts_doses_only()
    {
        var store = new InMemoryAlarmStore();
        var schedule = Guid.NewGuid();
        var first = Dose(schedule, T0);
        var second = Dose(schedule, T0.AddHours(12));
        var missed = Dose(schedule, T0.AddHours(24), AlarmStatus.Missed);
        var custom = new Alarm(Guid.NewGuid(), null, null, "Refill", T0.AddHours(1), AlarmStatus.Open, false, null, null, T0);
        foreach (var a in new[] { first, second, missed, custom }) await store.Insert(Patient, a);

        Assert.Equal([first.Id, custom.Id], (await store.ToRing(Patient, T0.AddHours(2), 10)).Select(a => a.Id));
        await store.MarkRung(first.Id, T0.AddSeconds(1), late: false);
        Assert.Equal(T0.AddHours(1), await store.NextToRing(Patient));

        Assert.True(await store.Answer(Patient, first.Id, AlarmStatus.Taken, T0.AddMinutes(5)));
        Assert.False(await store.Answer(Patient, first.Id, AlarmStatus.Skipped, T0.AddMinutes(6)));
        Assert.True(await store.Answer(Patient, second.Id, AlarmStatus.Skipped, T0.AddHours(12)));
        Assert.True(await store.Answer(Patient, custom.Id, AlarmStatus.Taken, T0.AddHours(1)));
        Assert.False(await store.Answer(Guid.NewGuid(), missed.Id, AlarmStatus.Taken, T0.AddHours(25)));

        var adherence = await store.Adherence(Patient, T0, T0.AddDays(2));
        Assert.Equal(new Adherence(3, 1, 1), adherence);
        Assert.Equal(new Adherence(1, 1, 0), await store.Adherence(Patient, T0, T0.AddHours(12)));
        Assert.Null(await store.NextToRing(Patient));
    }
}
