using System.Net;
using HealthActors.Grains.Abstractions.Catalog;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;

namespace HealthActors.Tests.Booking;

/// <summary>
/// The doctor grain keeps its booked slots in memory only and reads them from the appointments table when it
/// activates: what the table holds must be what the doctor offers after a deactivation.
/// </summary>
[Collection(BookingCollection.Name)]
public sealed class DoctorCalendarTests(BookingApiFactory factory)
{
    private readonly BookingApi _api = new(factory);

    [Fact]
    public async Task After_a_reactivation_the_calendar_is_what_the_appointments_table_holds()
    {
        var doctor = await _api.CreateDoctorAsync();
        var (kept, cancelling, late) = (await _api.RegisterPatientAsync(), await _api.RegisterPatientAsync(), await _api.RegisterPatientAsync());
        var slots = (await _api.FreeSlotsAsync(doctor.Id, DateTimeOffset.UtcNow.AddHours(3), DateTimeOffset.UtcNow.AddDays(3))).Take(3).ToList();
        Assert.Equal(3, slots.Count);
        var (keptSlot, cancelledSlot, foreignSlot) = (slots[0], slots[1], slots[2]);

        await _api.BookOkAsync(kept, doctor.Id, keptSlot);
        var cancelled = await _api.BookOkAsync(cancelling, doctor.Id, cancelledSlot);
        (await _api.SendAsync(HttpMethod.Post, $"/api/appointments/{cancelled.Id}/cancel", cancelling)).EnsureSuccessStatusCode();
        // A row this activation never confirmed (as another activation in a split brain would have written it).
        await BookingDb.CountAsync("""
            INSERT INTO appointments (id, doctor_id, patient_id, during, status)
            VALUES ($1, $2, $3, tstzrange($4, $5, '[)'), 'booked') RETURNING 1
            """, Guid.NewGuid(), doctor.Id, late.Id, foreignSlot.UtcDateTime, foreignSlot.AddMinutes(30).UtcDateTime);
        Assert.Contains(foreignSlot, await _api.FreeSlotsAsync(doctor.Id, foreignSlot, foreignSlot.AddHours(1)));

        var grains = factory.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IDoctorGrain>(doctor.Id).AsReference<IGrainManagementExtension>().DeactivateOnIdle();

        var free = await _api.FreeSlotsAsync(doctor.Id, keptSlot, foreignSlot.AddHours(1));
        Assert.DoesNotContain(keptSlot, free);
        Assert.DoesNotContain(foreignSlot, free);
        Assert.Contains(cancelledSlot, free);
        var taken = await (await _api.BookAsync(late, doctor.Id, keptSlot)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("SlotTaken", taken["reason"]!.GetValue<string>());
        Assert.Equal(cancelledSlot, (await _api.BookOkAsync(late, doctor.Id, cancelledSlot)).Start);
        Assert.Equal(1, await BookingDb.CountAsync(
            "SELECT count(*) FROM appointments WHERE doctor_id = $1 AND lower(during) = $2 AND status <> 'cancelled'", doctor.Id, keptSlot.UtcDateTime));
    }
}
