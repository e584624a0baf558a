using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Abstractions.Catalog;
using Orleans.Core.Internal;

namespace HealthActors.Tests.Grains;

/// <summary>
/// The doctor grain answers "is this slot free" from its ordered calendar, looking only at the bookings near the slot.
/// Slot lengths follow the availability, which a doctor may change with bookings standing: a booking of the old length
/// must still block every new slot it reaches into, on both sides of a reactivation.
/// </summary>
[Collection(RulesCollection.Name)]
public sealed class DoctorCalendarOverlapTests(RulesClusterFixture fx)
{
    private static WeeklyAvailability Every(int minutes) => RulesClusterFixture.EveryHalfHour with { SlotMinutes = minutes, EndTime = new TimeOnly(23, 0) };

    private async Task<AppointmentView> BookAsync(Guid doctorId, DateTimeOffset start)
    {
        var booked = await fx.Grains.GetGrain<IBookingRequestGrain>(Guid.NewGuid()).Book(RulesClusterFixture.Booking(Guid.NewGuid(), doctorId, start));
        Assert.True(booked.IsOk, booked.Failure?.Detail);
        return booked.Value!;
    }

    private static async Task<HoldStatus> HoldStatusAt(IDoctorGrain doctor, DateTimeOffset start)
    {
        var holdId = Guid.NewGuid();
        var hold = await doctor.Hold(start, holdId, Guid.NewGuid(), TimeSpan.FromSeconds(30));
        await doctor.Release(holdId);
        return hold.Status;
    }

    [Fact]
    public async Task Bookings_of_one_length_block_the_slots_of_another_that_they_reach_into()
    {
        var specialty = await fx.SpecialtyAsync();
        var doctorId = Guid.NewGuid();
        var doctor = fx.Grains.GetGrain<IDoctorGrain>(doctorId);
        var profile = RulesClusterFixture.Profile(specialty) with { Availability = Every(30) };
        Assert.True((await doctor.SetProfile(profile)).IsOk);
        var day = new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date, TimeSpan.Zero).AddDays(3);
        DateTimeOffset At(int hour, int minute = 0) => day.AddHours(hour).AddMinutes(minute);

        // Half-hour bookings at 10:30 and 12:00, then hour-long slots.
        await BookAsync(doctorId, At(10, 30));
        await BookAsync(doctorId, At(12));
        Assert.True((await doctor.SetProfile(profile with { Availability = Every(60) })).IsOk);
        Assert.Equal(HoldStatus.Taken, await HoldStatusAt(doctor, At(10)));
        Assert.Equal(HoldStatus.Held, await HoldStatusAt(doctor, At(11)));
        Assert.Equal(HoldStatus.Taken, await HoldStatusAt(doctor, At(12)));
        // An hour-long booking at 14:00, then half-hour slots again: both halves of it are taken, the slots around free.
        var hourLong = await BookAsync(doctorId, At(14));
        Assert.Equal(At(15), hourLong.End);
        Assert.True((await doctor.SetProfile(profile with { Availability = Every(30) })).IsOk);

        async Task AssertCalendar()
        {
            var free = (await doctor.GetFreeSlots(At(9), At(16)))!.Slots.Select(s => s.Start).ToHashSet();
            DateTimeOffset[] taken = [At(10, 30), At(12), At(14), At(14, 30)];
            DateTimeOffset[] open = [At(9), At(9, 30), At(10), At(11), At(11, 30), At(12, 30), At(13), At(13, 30), At(15), At(15, 30)];
            Assert.All(taken, t => Assert.DoesNotContain(t, free));
            Assert.All(open, o => Assert.Contains(o, free));
            Assert.Equal(HoldStatus.Taken, await HoldStatusAt(doctor, At(14, 30)));
            Assert.Equal(HoldStatus.Held, await HoldStatusAt(doctor, At(13, 30)));
        }
        await AssertCalendar();
        // Loaded from the appointments table after a deactivation, the calendar answers the same.
        await doctor.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        await AssertCalendar();

        // Cancelled, the hour-long booking frees both of its halves.
        var cancelled = await fx.Grains.GetGrain<IAppointmentGrain>(hourLong.Id).Cancel(new(hourLong.PatientId, HealthActors.Grains.Abstractions.Identity.Roles.Patient));
        Assert.True(cancelled.IsOk, cancelled.Failure?.Detail);
        Assert.Equal(HoldStatus.Held, await HoldStatusAt(doctor, At(14)));
        Assert.Equal(HoldStatus.Held, await HoldStatusAt(doctor, At(14, 30)));
    }
}
