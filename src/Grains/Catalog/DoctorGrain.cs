using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Booking;

namespace HealthActors.Grains.Catalog;

[GenerateSerializer, Alias("ha.catalog.DoctorState")]
public sealed class DoctorState
{
    [Id(0)] public DoctorProfile? Profile { get; set; }
    /// <summary>Live bookings by slot start (UTC). Past ones are pruned.</summary>
    [Id(1)] public Dictionary<DateTimeOffset, BookedSlot> Booked { get; set; } = [];
}

[GenerateSerializer, Alias("ha.catalog.BookedSlot")]
public sealed record BookedSlot([property: Id(0)] Guid AppointmentId, [property: Id(1)] DateTimeOffset End);

/// <summary>
/// A doctor and the single writer of their calendar. Holds live in memory only: if the silo goes, its holds
/// go with it and the slots are free again, which is what an abandoned hold should do anyway.
/// </summary>
public sealed class DoctorGrain(
    [PersistentState("doctor", StorageNames.Store)] IPersistentState<DoctorState> state,
    IBookingStore store,
    TimeProvider time) : Grain, IDoctorGrain
{
    private readonly Dictionary<DateTimeOffset, SlotHold> _holds = [];

    private sealed record SlotHold(Guid HoldId, Guid PatientId, Slot Slot, DateTimeOffset ExpiresAt);

    private Guid Id => this.GetPrimaryKey();

    public async Task<DoctorProfile> SetProfile(DoctorProfile profile)
    {
        var previous = state.State.Profile;
        profile = profile with { DoctorId = Id };
        state.State.Profile = profile;
        await state.WriteStateAsync();
        if (previous is not null && previous.SpecialtyId != profile.SpecialtyId)
            await GrainFactory.GetGrain<IDirectoryGrain>(previous.SpecialtyId).Remove(Id);
        await GrainFactory.GetGrain<IDirectoryGrain>(profile.SpecialtyId).Upsert(profile);
        return profile;
    }

    public Task<DoctorProfile?> GetProfile() => Task.FromResult(state.State.Profile);

    public Task<FreeSlots?> GetFreeSlots(DateTimeOffset from, DateTimeOffset to)
    {
        if (state.State.Profile is not { } p) return Task.FromResult<FreeSlots?>(null);
        var now = time.GetUtcNow();
        if (from < now) from = now;
        var free = SlotCalendar.Slots(p.Availability, from, to).Where(s => IsFree(s, now)).ToList();
        return Task.FromResult<FreeSlots?>(new FreeSlots(Id, p.Availability.TimeZone!, free));
    }

    public Task<HoldResult> Hold(DateTimeOffset start, Guid holdId, Guid patientId, TimeSpan ttl)
    {
        if (state.State.Profile is not { } p) return Task.FromResult(new HoldResult(HoldStatus.NoSuchDoctor, null, null));
        var now = time.GetUtcNow();
        start = start.ToUniversalTime();
        if (start <= now) return Task.FromResult(new HoldResult(HoldStatus.InPast, null, p));
        if (SlotCalendar.SlotAt(p.Availability, start) is not { } slot) return Task.FromResult(new HoldResult(HoldStatus.OutsideAvailability, null, p));
        if (_holds.TryGetValue(start, out var existing) && existing.HoldId == holdId && existing.ExpiresAt > now)
            return Task.FromResult(new HoldResult(HoldStatus.Held, slot, p));
        if (!IsFree(slot, now)) return Task.FromResult(new HoldResult(HoldStatus.Taken, slot, p));
        _holds[start] = new SlotHold(holdId, patientId, slot, now + ttl);
        return Task.FromResult(new HoldResult(HoldStatus.Held, slot, p));
    }

    public async Task<bool> Confirm(Guid holdId, Guid appointmentId)
    {
        var now = time.GetUtcNow();
        var hold = _holds.Values.FirstOrDefault(h => h.HoldId == holdId);
        if (hold is null || hold.ExpiresAt <= now) return false;
        // The table refuses an overlap even if this grain were somehow wrong (e.g. two activations in a split brain).
        if (!await store.InsertAppointment(new AppointmentSummary(appointmentId, hold.PatientId, Id, hold.Slot.Start, hold.Slot.End, AppointmentStatus.Booked)))
        {
            _holds.Remove(hold.Slot.Start);
            return false;
        }
        _holds.Remove(hold.Slot.Start);
        state.State.Booked[hold.Slot.Start] = new BookedSlot(appointmentId, hold.Slot.End);
        foreach (var past in state.State.Booked.Where(b => b.Value.End < now - TimeSpan.FromDays(1)).Select(b => b.Key).ToList())
            state.State.Booked.Remove(past);
        await state.WriteStateAsync();
        return true;
    }

    public Task Release(Guid holdId)
    {
        foreach (var key in _holds.Where(h => h.Value.HoldId == holdId).Select(h => h.Key).ToList()) _holds.Remove(key);
        return Task.CompletedTask;
    }

    public async Task FreeBooking(Guid appointmentId)
    {
        var key = state.State.Booked.FirstOrDefault(b => b.Value.AppointmentId == appointmentId).Key;
        if (state.State.Booked.Remove(key)) await state.WriteStateAsync();
    }

    private bool IsFree(Slot slot, DateTimeOffset now) =>
        !state.State.Booked.Any(b => b.Key < slot.End && slot.Start < b.Value.End) &&
        !_holds.Values.Any(h => h.ExpiresAt > now && h.Slot.Start < slot.End && slot.Start < h.Slot.End);
}
