using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Consultations;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Abstractions.Marketplace;
using HealthActors.Grains.Abstractions.Patients;
using HealthActors.Grains.Audit;
using HealthActors.Grains.Booking;
using HealthActors.Grains.Consultations;
using HealthActors.Grains.Marketplace;
using Microsoft.Extensions.Logging;
using HealthActors.Grains.Storage;

namespace HealthActors.Grains.Catalog;

[GenerateSerializer, Alias("ha.catalog.DoctorState")]
public sealed class DoctorState
{
    [Id(0)] public DoctorProfile? Profile { get; set; }
    /// <summary>
    /// Legacy: the bookings as stored before the calendar was read from the appointments table. Read never, emptied
    /// on activation so that the next write drops it.
    /// </summary>
    [Id(1)] public Dictionary<DateTimeOffset, BookedSlot> Booked { get; set; } = [];
    /// <summary>Live holds by slot start. Persisted, because a bid's hold may stand for days.</summary>
    [Id(2)] public Dictionary<DateTimeOffset, SlotHold> Holds { get; set; } = [];
    /// <summary>When an admin took the doctor out of practice; from then on the doctor is not listed, bookable or bidding.</summary>
    [Id(3)] public DateTimeOffset? RetiredAt { get; set; }
    /// <summary>Whether everything the retirement owes (bids withdrawn, appointments cancelled, grants revoked) is done.</summary>
    [Id(4)] public bool RetirementSettled { get; set; }
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
/// A retired doctor (role taken away) answers as if there were no such doctor.
/// </summary>
public sealed class DoctorGrain(
    [PersistentState("doctor", StorageNames.Store)] IPersistentState<DoctorState> state,
    IBookingStore store,
    IMarketStore market,
    IRatingStore ratings,
    IAuditLog audit,
    TimeProvider time,
    ILogger<DoctorGrain> log) : Grain, IDoctorGrain, IRemindable
{
    private const string RetirementReminder = "doctor-finish-retirement";
    /// <summary>
    /// A hold this short (a booking's own, Booking:HoldSeconds) is not stored when taken, and one that lapses within this
    /// is not written out of the stored state when confirmed or released: left there, it lapses by itself.
    /// </summary>
    private static readonly TimeSpan ShortHold = TimeSpan.FromMinutes(5);
    private Guid Id => this.GetPrimaryKey();
    private bool Retired => state.State.RetiredAt is not null;

    /// <summary>
    /// Live bookings ordered by slot start (UTC), loaded from the appointments table on activation and kept up to date
    /// by Confirm and FreeBooking. Not grain state: the table row is written anyway (it is the overlap guard), and
    /// writing the whole calendar with every booking cost a growing state write per confirmation. Ordered, so that a
    /// hold looks at the few bookings near its slot instead of every one the doctor has (<see cref="OverlapsBooking"/>).
    /// </summary>
    private readonly SortedList<DateTimeOffset, BookedSlot> _booked = [];
    /// <summary>The longest booking in <see cref="_booked"/>: no booking starting earlier than this before a slot can reach into it.</summary>
    private TimeSpan _longestBooking;

    // Activation reads pass no call filter: a database outage must still reach the caller as a 503 (StorageFaults).
    public override Task OnActivateAsync(CancellationToken cancellationToken) => StorageFaults.DuringActivation(() => Activate(cancellationToken));

    private async Task Activate(CancellationToken cancellationToken)
    {
        // The ratings table is the truth and the profile a copy: a rating stored by a consultation whose silo died
        // before it told this grain is picked up on the next activation at the latest.
        if (state.State.Profile is not null) await RefreshRating();
        state.State.Booked.Clear();
        // A day back, like the pruning in Confirm: an appointment that ended within it still counts for an overlap.
        foreach (var a in await store.OccupyingOf(Id, time.GetUtcNow() - TimeSpan.FromDays(1)))
            AddBooked(a.Start, new BookedSlot(a.Id, a.End));
    }

    public async Task<Outcome<DoctorProfile>> SetProfile(DoctorProfile profile)
    {
        var errors = CatalogRules.ValidateProfile(profile);
        if (errors.IsValid && await GrainFactory.GetGrain<ISpecialtyRegistryGrain>(0).Get(profile.SpecialtyId) is null)
            errors.Add("specialtyId", "no such specialty");
        if (!errors.IsValid) return Outcome.Invalid(errors);
        var previous = state.State.Profile;
        // Verification is this grain's record, not the caller's: a profile update keeps what an approval decided.
        // The same for the rating: only patients' ratings make it (RefreshRating), never a profile update.
        profile = profile with
        {
            DoctorId = Id, Unverified = previous?.Unverified ?? profile.Unverified,
            Rating = previous?.Rating ?? 0, RatingCount = previous?.RatingCount ?? 0,
        };
        state.State.Profile = profile;
        await state.WriteStateAsync();
        await TellNodes();
        if (previous is not null && previous.SpecialtyId != profile.SpecialtyId)
            await GrainFactory.GetGrain<IDirectoryGrain>(previous.SpecialtyId).Remove(Id);
        await GrainFactory.GetGrain<IDirectoryGrain>(profile.SpecialtyId).Upsert(profile);
        return Outcome.Ok(profile);
    }

    public Task<DoctorProfile?> GetProfile() => Task.FromResult(Retired ? null : state.State.Profile);

    /// <summary>
    /// Api nodes keep <see cref="GetProfile"/>'s answer (ReadCache); every stored change to it is answered only once
    /// every node has dropped it, so the next read anywhere sees the change.
    /// </summary>
    private Task TellNodes() => GrainFactory.TellApiNodes(Id);

    public Task<bool> IsVerified() => Task.FromResult(!Retired && state.State.Profile is { Verified: true });

    public async Task<bool> MarkVerified()
    {
        if (state.State.Profile is not { } p) return false;
        if (p.Verified) return true;
        state.State.Profile = p with { Unverified = false };
        await state.WriteStateAsync();
        await TellNodes();
        // The catalog reads the directory's copy; a retired doctor stays out of it.
        if (!Retired) await GrainFactory.GetGrain<IDirectoryGrain>(p.SpecialtyId).Upsert(state.State.Profile);
        return true;
    }

    public async Task RefreshRating()
    {
        if (state.State.Profile is not { } p) return;
        var aggregate = await ratings.Aggregate(Id);
        var shown = RatingRules.Shown(aggregate);
        if (p.Rating == shown && p.RatingCount == aggregate.Count) return;
        state.State.Profile = p with { Rating = shown, RatingCount = aggregate.Count };
        await state.WriteStateAsync();
        await TellNodes();
        // The catalog's sort and filter read the directory's copy; new bids read this profile.
        if (!Retired) await GrainFactory.GetGrain<IDirectoryGrain>(p.SpecialtyId).Upsert(state.State.Profile);
    }

    public async Task<DoctorReviewPage?> Reviews(int page, int pageSize) =>
        // Clamped rather than refused: the endpoint already answered out-of-range paging with a 400 naming it.
        Retired || state.State.Profile is null ? null : await ratings.ForDoctor(Id, Math.Max(1, page), Math.Clamp(pageSize, 1, 100));

    public Task<FreeSlots?> GetFreeSlots(DateTimeOffset from, DateTimeOffset to)
    {
        if (Retired || state.State.Profile is not { } p) return Task.FromResult<FreeSlots?>(null);
        var now = time.GetUtcNow();
        if (from < now) from = now;
        if (to > now.AddDays(SlotCalendar.MaxDaysAhead)) to = now.AddDays(SlotCalendar.MaxDaysAhead);
        var free = SlotCalendar.Slots(p.Availability, from, to).Where(s => IsFree(s, now)).ToList();
        return Task.FromResult<FreeSlots?>(new FreeSlots(Id, p.Availability.TimeZone!, free));
    }

    public async Task<HoldResult> Hold(DateTimeOffset start, Guid holdId, Guid patientId, TimeSpan ttl)
    {
        if (Retired || state.State.Profile is not { } p) return new HoldResult(HoldStatus.NoSuchDoctor, null, null);
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
        // A booking's own hold lasts only while its card is charged and is kept in memory: lost with this activation,
        // it can only make that booking's Confirm fail, which refunds, as a lapsed hold does, and the appointments
        // table still refuses an overlap. A bid's hold, which may stand for days, is stored.
        if (ttl > ShortHold) await state.WriteStateAsync();
        return new HoldResult(HoldStatus.Held, slot, p);
    }

    public Task<bool> Confirm(Guid holdId, Guid appointmentId) => Confirm(holdId, appointmentId, null);

    public Task<bool> ConfirmBooked(Guid holdId, AppointmentView booked) => Confirm(holdId, booked.Id, booked);

    private async Task<bool> Confirm(Guid holdId, Guid appointmentId, AppointmentView? booked)
    {
        var now = time.GetUtcNow();
        var hold = state.State.Holds.Values.FirstOrDefault(h => h.HoldId == holdId);
        if (hold is null || hold.ExpiresAt <= now) return false;
        if (Retired)
        {
            // Held before the retirement, paid during it: the booking gives the money back.
            state.State.Holds.Remove(hold.Slot.Start);
            await state.WriteStateAsync();
            return false;
        }
        // The table refuses an overlap even if this grain were somehow wrong (e.g. two activations in a split brain).
        if (!await store.InsertAppointment(new AppointmentSummary(appointmentId, hold.PatientId, Id, hold.Slot.Start, hold.Slot.End, AppointmentStatus.Booked), booked))
        {
            state.State.Holds.Remove(hold.Slot.Start);
            await state.WriteStateAsync();
            return false;
        }
        state.State.Holds.Remove(hold.Slot.Start);
        AddBooked(hold.Slot.Start, new BookedSlot(appointmentId, hold.Slot.End));
        // The oldest first: pruning stops at the first booking that still counts (its end within the last day).
        while (_booked.Count > 0 && _booked.Values[0].End < now - TimeSpan.FromDays(1)) _booked.RemoveAt(0);
        // The inserted row is the booking. A bid's hold, which may stand for days, is written away so that a later
        // cancellation frees the slot at once even across a reactivation; a booking's own short hold is not.
        if (hold.ExpiresAt - now > ShortHold) await state.WriteStateAsync();
        return true;
    }

    public async Task Release(Guid holdId)
    {
        var now = time.GetUtcNow();
        var released = state.State.Holds.Where(h => h.Value.HoldId == holdId).ToList();
        foreach (var (key, _) in released) state.State.Holds.Remove(key);
        // A short hold is in memory only (Hold), or, if another write took it along, lapses by itself shortly.
        if (released.Any(h => h.Value.ExpiresAt - now > ShortHold)) await state.WriteStateAsync();
    }

    public async Task FreeBooking(Guid appointmentId)
    {
        // The appointment marks its row cancelled before it calls this, so a reactivation would not load it again.
        for (var i = 0; i < _booked.Count; i++)
            if (_booked.Values[i].AppointmentId == appointmentId)
            {
                _booked.RemoveAt(i);
                break;
            }
        // The booking's own short hold may still be in the stored state (Confirm does not write it away); written
        // away here, it cannot block the freed slot after a reactivation. Cancellations are rare enough for a write.
        foreach (var stale in state.State.Holds.Where(h => h.Value.HoldId == appointmentId).Select(h => h.Key).ToList())
            state.State.Holds.Remove(stale);
        await state.WriteStateAsync();
    }

    public async Task Retire(Caller decidedBy)
    {
        if (!decidedBy.IsAdmin) throw new AccessDeniedException("Only an admin retires a doctor.");
        if (state.State.RetiredAt is null)
        {
            var now = time.GetUtcNow();
            // Audited before it is stored, like the role change that causes it.
            await audit.Record(new AuditEvent(now, decidedBy.UserId, decidedBy.Role, "doctor.retired", Id, state.State.Profile?.Name));
            // The decision is stored first: from here the doctor is unlisted and unbookable whatever happens next.
            state.State.RetiredAt = now;
            state.State.RetirementSettled = false;
            await state.WriteStateAsync();
        }
        // Also on a repeated call: the first may have stored the retirement and failed before the nodes were told.
        await TellNodes();
        if (state.State.RetirementSettled) return;
        // Durable: if this silo dies part-way, or a step below fails, the reminder carries the rest through.
        await this.RegisterOrUpdateReminder(RetirementReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        try
        {
            await FinishRetirement();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.LogWarning(e, "Retirement of a doctor not finished; the reminder retries");
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != RetirementReminder) return;
        if (Retired && !state.State.RetirementSettled) await FinishRetirement();
        else await StopRetirementReminder();
    }

    /// <summary>Every step is idempotent (a cancelled appointment or a withdrawn bid is left as it is), so it may run again.</summary>
    private async Task FinishRetirement()
    {
        // Appointments and auctions call back into this grain (FreeBooking, Release) while it waits on them.
        using var reentrancy = RequestContext.AllowCallChainReentrancy();
        var now = time.GetUtcNow();
        if (state.State.Profile is { } p) await GrainFactory.GetGrain<IDirectoryGrain>(p.SpecialtyId).Remove(Id);
        foreach (var auctionId in await market.AuctionsWithStandingBidsBy(Id))
            await GrainFactory.GetGrain<IAuctionGrain>(auctionId).WithdrawRetiredDoctor(Id);
        foreach (var appointmentId in _booked.Where(b => b.Key > now).Select(b => b.Value.AppointmentId).ToList())
            await GrainFactory.GetGrain<IAppointmentGrain>(appointmentId).CancelByPractice("the doctor no longer practises here");
        // Grants run to an appointment's end plus DoctorAccess.AfterAppointment, so older patients hold none.
        foreach (var patientId in await store.PatientsOf(Id, now - DoctorAccess.AfterAppointment))
            await GrainFactory.GetGrain<IPatientGrain>(patientId).RevokeEveryGrantOf(Id);
        state.State.Holds.Clear();
        state.State.RetirementSettled = true;
        await state.WriteStateAsync();
        await StopRetirementReminder();
    }

    private async Task StopRetirementReminder()
    {
        var reminder = await this.GetReminder(RetirementReminder);
        if (reminder is not null) await this.UnregisterReminder(reminder);
    }

    private bool IsFree(Slot slot, DateTimeOffset now) =>
        !OverlapsBooking(slot.Start, slot.End) &&
        !state.State.Holds.Values.Any(h => h.ExpiresAt > now && h.Slot.Start < slot.End && slot.Start < h.Slot.End);

    private void AddBooked(DateTimeOffset start, BookedSlot booked)
    {
        _booked[start] = booked;
        if (booked.End - start > _longestBooking) _longestBooking = booked.End - start;
    }

    /// <summary>
    /// Whether a live booking overlaps [start, end). Only one that starts before <paramref name="end"/> and no earlier
    /// than the longest booking before <paramref name="start"/> can, so the search begins there (binary search) and
    /// stops at <paramref name="end"/>: a few bookings looked at whatever the size of the calendar, and no reliance on
    /// bookings never overlapping each other (slot lengths change with the availability).
    /// </summary>
    private bool OverlapsBooking(DateTimeOffset start, DateTimeOffset end)
    {
        var starts = _booked.Keys;
        var ends = _booked.Values;
        var from = start - _longestBooking;
        int lo = 0, hi = starts.Count;
        while (lo < hi)
        {
            var mid = lo + (hi - lo) / 2;
            if (starts[mid] < from) lo = mid + 1; else hi = mid;
        }
        for (var i = lo; i < starts.Count && starts[i] < end; i++)
            if (start < ends[i].End) return true;
        return false;
    }
}
