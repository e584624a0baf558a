using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Booking;

namespace HealthActors.Grains.Catalog;

[GenerateSerializer, Alias("ha.catalog.DoctorState")]
public sealed class DoctorState
{
    [Id(0)] public DoctorProfile? Profile { get; set; }
    /// <summary>Live bookings by slot start (UTC). Past ones are pruned.</summary>
    [Id(1)] public Dictionary<DateTimeOffset, BookedSlot> Booked { get; set; } = [];
    /// <summary>Live holds by slot start. Persisted, because a bid's hold may stand for days.</summary>
    [Id(2)] public Dictionary<DateTimeOffset, SlotHold> Holds { get; set; } = [];
}

[GenerateSerializer, Alias("ha.catalog.SlotHold")]
public sealed record SlotHold(
    [property: Id(0)] Guid HoldId,
    [property: Id(1)] Guid PatientId,
    [property: Id(2)] Slot Slot,
    [property: Id(3)] DateTimeOffset ExpiresAt);

[GenerateSerializer, Alias("ha.catalog.BookedSlot")]
public sealed record BookedSlot([property: Id(0)] Guid AppointmentId, [property: Id(1)] DateTimeOffset End);

/// <summary>
/// A doctor and the single writer of their calendar: bookings and holds. A hold expires by itself, so an
/// abandoned payment or a bid nobody accepts frees its slot without anyone having to remember to.
/// </summary>
public sealed class DoctorGrain(
    [PersistentState("doctor", StorageNames.Store)] IPersistentState<DoctorState> state,
    IBookingStore store,
    TimeProvider time) : Grain, IDoctorGrain
{
    private Guid Id => this.GetPrimaryKey();

    public async Task<Outcome<DoctorProfile>> SetProfile(DoctorProfile profile)
    {
        var errors = CatalogRules.ValidateProfile(profile);
        if (errors.IsValid && await GrainFactory.GetGrain<ISpecialtyRegistryGrain>(0).Get(profile.SpecialtyId) is null)
            errors.Add("specialtyId", "no such specialty");
        if (!errors.IsValid) return Outcome.Invalid(errors);
        var previous = state.State.Profile;
        profile = profile with { DoctorId = Id };
        state.State.Profile = profile;
        await state.WriteStateAsync();
        if (previous is not null && previous.SpecialtyId != profile.SpecialtyId)
            await GrainFactory.GetGrain<IDirectoryGrain>(previous.SpecialtyId).Remove(Id);
        await GrainFactory.GetGrain<IDirectoryGrain>(profile.SpecialtyId).Upsert(profile);
        return Outcome.Ok(profile);
    }

    public Task<DoctorProfile?> GetProfile() => Task.FromResult(state.State.Profile);

    public Task<FreeSlots?> GetFreeSlots(DateTimeOffset from, DateTimeOffset to)
    {
        if (state.State.Profile is not { } p) return Task.FromResult<FreeSlots?>(null);
        var now = time.GetUtcNow();
        if (from < now) from = now;
        if (to > now.AddDays(SlotCalendar.MaxDaysAhead)) to = now.AddDays(SlotCalendar.MaxDaysAhead);
        var free = SlotCalendar.Slots(p.Availability, from, to).Where(s => IsFree(s, now)).ToList();
        return Task.FromResult<FreeSlots?>(new FreeSlots(Id, p.Availability.TimeZone!, free));
    }

    public async Task<HoldResult> Hold(DateTimeOffset start, Guid holdId, Guid patientId, TimeSpan ttl)
    {
        if (state.State.Profile is not { } p) return new HoldResult(HoldStatus.NoSuchDoctor, null, null);
        var now = time.GetUtcNow();
        start = start.ToUniversalTime();
        if (start <= now) return new HoldResult(HoldStatus.InPast, null, p);
        if (start > now.AddDays(SlotCalendar.MaxDaysAhead)) return new HoldResult(HoldStatus.OutsideAvailability, null, p);
        if (SlotCalendar.SlotAt(p.Availability, start) is not { } slot) return new HoldResult(HoldStatus.OutsideAvailability, null, p);
        if (state.State.Holds.TryGetValue(start, out var existing) && existing.HoldId == holdId && existing.ExpiresAt > now)
            return new HoldResult(HoldStatus.Held, slot, p);
        if (!IsFree(slot, now)) return new HoldResult(HoldStatus.Taken, slot, p);
        foreach (var expired in state.State.Holds.Where(h => h.Value.ExpiresAt <= now).Select(h => h.Key).ToList())
            state.State.Holds.Remove(expired);
        state.State.Holds[start] = new SlotHold(holdId, patientId, slot, now + ttl);
        await state.WriteStateAsync();
        return new HoldResult(HoldStatus.Held, slot, p);
    }

    public async Task<bool> Confirm(Guid holdId, Guid appointmentId)
    {
        var now = time.GetUtcNow();
        var hold = state.State.Holds.Values.FirstOrDefault(h => h.HoldId == holdId);
        if (hold is null || hold.ExpiresAt <= now) return false;
        // The table refuses an overlap even if this grain were somehow wrong (e.g. two activations in a split brain).
        if (!await store.InsertAppointment(new AppointmentSummary(appointmentId, hold.PatientId, Id, hold.Slot.Start, hold.Slot.End, AppointmentStatus.Booked)))
        {
            state.State.Holds.Remove(hold.Slot.Start);
            await state.WriteStateAsync();
            return false;
        }
        state.State.Holds.Remove(hold.Slot.Start);
        state.State.Booked[hold.Slot.Start] = new BookedSlot(appointmentId, hold.Slot.End);
        foreach (var past in state.State.Booked.Where(b => b.Value.End < now - TimeSpan.FromDays(1)).Select(b => b.Key).ToList())
            state.State.Booked.Remove(past);
        await state.WriteStateAsync();
        return true;
    }

    public async Task Release(Guid holdId)
    {
        var keys = state.State.Holds.Where(h => h.Value.HoldId == holdId).Select(h => h.Key).ToList();
        foreach (var key in keys) state.State.Holds.Remove(key);
        if (keys.Count > 0) await state.WriteStateAsync();
    }

    public async Task FreeBooking(Guid appointmentId)
    {
        var key = state.State.Booked.FirstOrDefault(b => b.Value.AppointmentId == appointmentId).Key;
        if (state.State.Booked.Remove(key)) await state.WriteStateAsync();
    }

    private bool IsFree(Slot slot, DateTimeOffset now) =>
        !state.State.Booked.Any(b => b.Key < slot.End && slot.Start < b.Value.End) &&
        !state.State.Holds.Values.Any(h => h.ExpiresAt > now && h.Slot.Start < slot.End && slot.Start < h.Slot.End);
}
