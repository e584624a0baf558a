using HealthActors.Grains.Telemetry;
using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Chat;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Abstractions.Marketplace;
using HealthActors.Grains.Abstractions.Notifications;
using HealthActors.Grains.Abstractions.Patients;
using HealthActors.Grains.Abstractions.Verification;
using HealthActors.Grains.Audit;
using HealthActors.Grains.Live;
using HealthActors.Grains.Notifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;
using HealthActors.Grains.Storage;

namespace HealthActors.Grains.Marketplace;

[GenerateSerializer, Alias("ha.market.AuctionState")]
public sealed class AuctionState
{
    [Id(0)] public Guid PatientId { get; set; }
    [Id(1)] public AuctionSpec? Spec { get; set; }
    [Id(2)] public Guid SpecialtyId { get; set; }
    [Id(3)] public AuctionStatus Status { get; set; }
    [Id(4)] public DateTimeOffset ClosesAt { get; set; }
    [Id(5)] public DateTimeOffset OriginalClosesAt { get; set; }
    [Id(6)] public DateTimeOffset GraceUntil { get; set; }
    /// <summary>Standing bids by doctor, each with the id of the calendar hold that backs it.</summary>
    [Id(7)] public Dictionary<Guid, StandingBid> Standing { get; set; } = [];
    [Id(8)] public long LastSeq { get; set; }
    [Id(9)] public long NextOrder { get; set; }
    [Id(10)] public Guid? WinningBidId { get; set; }
    [Id(11)] public Guid? AppointmentId { get; set; }
    [Id(12)] public string? AcceptKey { get; set; }
    [Id(13)] public AppointmentView? Appointment { get; set; }
    [Id(14)] public DateTimeOffset CreatedAt { get; set; }
    [Id(15)] public List<string> RedFlags { get; set; } = [];
    [Id(16)] public string? Guidance { get; set; }
}

[GenerateSerializer, Alias("ha.market.StandingBid")]
public sealed record StandingBid([property: Id(0)] Bid Bid, [property: Id(1)] Guid HoldId);

/// <summary>
/// One live auction: owns the standing bids (each backed by a hold on the doctor's calendar) and its
/// deadline, an Orleans reminder so it closes even if the silo that held it is gone. Every change gets the
/// next sequence number and is stored with the grain's state, the summary row and the bid in one transaction
/// (<see cref="IMarketStore.Commit"/>), and only then sent to the Api nodes watching it.
/// Not reentrant: bids, accepts and the deadline are handled strictly one at a time.
/// </summary>
public sealed class AuctionGrain(
    [FromKeyedServices(StorageNames.Store)] IGrainStorage grainStorage,
    Serializer serializer,
    IMarketStore store,
    IAuditLog audit,
    IOptions<MarketplaceOptions> options,
    TimeProvider time,
    ILogger<AuctionGrain> log) : Grain, IAuctionGrain, IRemindable
{
    private const string DeadlineReminder = "auction-deadline";
    /// <summary>The grain-storage name under which auctions kept their state before it moved into their row.</summary>
    private const string LegacyStateName = "auction";
    private Guid Id => this.GetPrimaryKey();
    private AuctionState S { get; set; } = new();
    private bool Exists => S.Spec is not null;

    // The token of the last stored write, and what this call changed but has not stored yet.
    private Guid? _etag;
    private Bid? _unsavedBid;
    private readonly List<AuctionEvent> _unsavedEvents = [];

    private Watchers<IAuctionWatcher>? _watchers;
    private Watchers<IAuctionWatcher> LiveWatchers => _watchers ??= new(log, DelayDeactivation);

    // Activation reads pass no call filter: a database outage must still reach the caller as a 503 (StorageFaults).
    public override Task OnActivateAsync(CancellationToken cancellationToken) => StorageFaults.DuringActivation(() => Activate(cancellationToken));

    private async Task Activate(CancellationToken cancellationToken)
    {
        if (await store.LoadState(Id) is { } stored)
        {
            S = serializer.Deserialize<AuctionState>(stored.State) ?? new AuctionState();
            _etag = stored.Etag;
            return;
        }
        // An auction stored before its state moved into its row: read it from grain storage once; the next change
        // stores it in the row (whose token is still empty, which is what that first write expects).
        var legacy = new GrainState<AuctionState>(new AuctionState());
        await grainStorage.ReadStateAsync(LegacyStateName, this.GetGrainId(), legacy);
        if (legacy.RecordExists && legacy.State is not null) S = legacy.State;
    }

    public async Task<Outcome<AuctionView>> Create(Caller patient, AuctionSpec spec)
    {
        if (Exists) return S.PatientId == patient.UserId ? Outcome.Ok(View()) : Outcome.NotFound();
        var now = time.GetUtcNow();
        var errors = AuctionRules.ValidateSpec(spec, now, TimeSpan.FromSeconds(options.Value.MinOpenSeconds));
        if (!errors.IsValid) return Outcome.Invalid(errors);
        // An emergency is not refused (the patient may still want a doctor later), but the answer carries what to do now.
        var symptoms = TextNormalization.Normalize(spec.Symptoms).Trim();
        // The profile's age counts as in chat: a fever is an emergency in a baby's own account.
        var profile = await GrainFactory.GetGrain<IPatientGrain>(patient.UserId).GetProfile(patient);
        var ageInDays = PatientAge.InDays(profile, now);
        var flags = RedFlags.DetectAll(symptoms, ageInDays);
        string? guidance = null;
        if (flags.Count > 0 && RedFlags.Detect(symptoms, ageInDays) is { } first)
            guidance = RedFlagGuidance.For(first, profile?.PreferredLanguage, profile?.Country);

        var registry = GrainFactory.GetGrain<ISpecialtyRegistryGrain>(0);
        Guid specialtyId;
        if (spec.SpecialtyId is { } given)
        {
            if (await registry.Get(given) is null) return Outcome.Invalid("specialtyId", "No such specialty.");
            specialtyId = given;
        }
        else
        {
            var orientation = await GrainFactory.GetGrain<IOrientationGrain>(patient.UserId).Orient(spec.Symptoms, null, null);
            if (orientation.SpecialtyId is not { } inferred)
                // Emergency medicine is often not a catalog specialty: the refusal must still say what to do now.
                return Outcome.Invalid("specialtyId", (guidance is null ? "" : guidance + " ") +
                    $"Orientation suggests {orientation.Specialty}, which is not in the catalog; choose a specialtyId.");
            specialtyId = inferred;
        }

        // Last before anything is written: a refused auction leaves nothing behind, and one that fails after this
        // point still frees its place when its latest possible close has passed.
        var openUntil = spec.ClosesAt + AuctionRules.MaxExtension;
        if (!await GrainFactory.GetGrain<IPatientAuctionsGrain>(patient.UserId).TryOpen(Id, openUntil, options.Value.MaxOpenAuctionsPerPatient))
            return Outcome.Conflict(MarketReasons.TooManyOpenAuctions,
                $"You already have {options.Value.MaxOpenAuctionsPerPatient} open auctions; cancel one or wait until one closes.");

        S.PatientId = patient.UserId;
        // Stored as matched: what doctors read is what the red-flag and orientation rules saw.
        S.Spec = spec with { Symptoms = symptoms };
        S.RedFlags = [.. flags];
        S.Guidance = guidance;
        S.SpecialtyId = specialtyId;
        S.Status = AuctionStatus.Open;
        S.ClosesAt = S.OriginalClosesAt = spec.ClosesAt;
        S.GraceUntil = spec.ClosesAt + Grace;
        S.CreatedAt = now;
        await Save();
        await GrainFactory.GetGrain<IAuctionBoardGrain>(specialtyId).Open(Summary());
        await this.RegisterOrUpdateReminder(DeadlineReminder, Due(S.ClosesAt), TimeSpan.FromMinutes(1));
        await NotifyMatchingDoctors();
        return Outcome.Ok(View());
    }

    public async Task<AuctionView?> Get(Caller caller)
    {
        if (!Exists || !await MayWatch(caller)) return null;
        await AuditAdminRead(caller, "auction.read");
        return View();
    }

    public async Task<bool> CanWatch(Caller caller) => Exists && await MayWatch(caller);

    public async Task<Outcome<Bid>> PlaceBid(Caller caller, decimal price, DateTimeOffset slotStart, string? message)
    {
        if (!Exists) return Outcome.NotFound();
        if (caller.Role != Roles.Doctor) return Outcome.Forbidden("Only doctors bid.");
        var errors = AuctionRules.ValidateBid(price, slotStart, message, S.Spec!.Currency);
        if (!errors.IsValid) return Outcome.Invalid(errors);
        var doctor = GrainFactory.GetGrain<IDoctorGrain>(caller.UserId);
        var profile = await doctor.GetProfile();
        if (profile is null || profile.SpecialtyId != S.SpecialtyId) return Outcome.Forbidden("This auction is for another specialty.");
        if (!await doctor.IsVerified()) return DoctorVerification.NotVerified();
        var now = time.GetUtcNow();
        if (S.Status != AuctionStatus.Open || now >= S.ClosesAt) return Outcome.Conflict(MarketReasons.Closed, "The auction no longer takes bids.");
        if (!BidBudget(caller.UserId, now))
            return Outcome.TooMany($"At most {options.Value.MaxBidsPerDoctorPerMinute} bids per minute on one auction; wait a moment.");
        if (S.Spec!.MaxPrice is { } max && price > max) return Outcome.Invalid("price", $"must be at most {max}");
        slotStart = slotStart.ToUniversalTime();
        var slot = SlotCalendar.SlotAt(profile.Availability, slotStart);
        if (slot is null) return Outcome.Conflict(MarketReasons.SlotUnavailable, "That is not one of your slots.", "slotStart");
        if (slot.Start < S.Spec.WindowFrom || slot.End > S.Spec.WindowTo) return Outcome.Invalid("slotStart", "must lie inside the requested window");

        S.Standing.TryGetValue(caller.UserId, out var standing);
        if (standing is not null && !AuctionRules.Replaces(standing.Bid, price, slot.Start))
            return Outcome.Conflict(MarketReasons.NotBetter, $"A new bid must be at least {AuctionRules.MinImprovement} lower than your standing bid, or for another slot.", "price");

        // Same slot: the standing hold carries over. Another slot: hold it first, then let the old one go.
        var holdId = standing is not null && standing.Bid.SlotStart == slot.Start ? standing.HoldId : Guid.NewGuid();
        // Sized for the latest grace end, not the current one: a bid's hold lasting only to today's grace would
        // lapse while later extensions keep the bid standing, and the slot could be booked from under it.
        var hold = await doctor.Hold(slot.Start, holdId, S.PatientId, AuctionRules.HoldUntil(S.OriginalClosesAt, Grace) - now);
        if (hold.Status != HoldStatus.Held)
            return Outcome.Conflict(MarketReasons.SlotUnavailable, hold.Status == HoldStatus.InPast ? "That slot has already started." : "That slot is not free in your calendar.", "slotStart");
        if (standing is not null && standing.HoldId != holdId) await doctor.Release(standing.HoldId);

        var bid = new Bid(Guid.NewGuid(), caller.UserId, profile.Name, profile.Rating, price, slot.Start, slot.End,
            string.IsNullOrWhiteSpace(message) ? null : TextNormalization.Normalize(message).Trim(), now, ++S.NextOrder);
        S.Standing[caller.UserId] = new StandingBid(bid, holdId);
        RecordBid(caller.UserId, now);
        var extended = AuctionRules.Extend(S.ClosesAt, S.OriginalClosesAt, now);
        if (extended is { } closes)
        {
            S.ClosesAt = closes;
            S.GraceUntil = closes + Grace;
        }
        _unsavedBid = bid;
        Record(standing is null ? AuctionEventTypes.BidPlaced : AuctionEventTypes.BidReplaced, bid, standing?.Bid.Id, null);
        if (extended is not null) Record(AuctionEventTypes.AuctionExtended, null, null, "bid in the last minutes");
        // The bid, its events and the state in one commit: the 201 below means all of them are stored.
        var saved = await Save();
        AppMetrics.BidStored(replaced: standing is not null);
        await Push(saved);
        if (extended is not null)
        {
            await this.RegisterOrUpdateReminder(DeadlineReminder, Due(S.ClosesAt), TimeSpan.FromMinutes(1));
            await GrainFactory.GetGrain<IAuctionBoardGrain>(S.SpecialtyId).Update(Summary());
        }
        return Outcome.Ok(bid);
    }

    public async Task<Outcome<Bid>> WithdrawBid(Caller caller, Guid bidId)
    {
        if (!Exists || !S.Standing.TryGetValue(caller.UserId, out var standing) || standing.Bid.Id != bidId)
            return Outcome.NotFound();
        if (S.Status is not (AuctionStatus.Open or AuctionStatus.Closed)) return Outcome.Conflict(MarketReasons.AlreadyDecided, "The auction is over.");
        await RemoveStanding(standing, null);
        return Outcome.Ok(standing.Bid);
    }

    public async Task<Outcome<AppointmentView>> Accept(Caller caller, Guid bidId, CardDetails card, string idempotencyKey)
    {
        if (!Exists || caller.UserId != S.PatientId) return Outcome.NotFound();
        var errors = new ValidationErrors();
        IdempotencyKeys.Validate(errors, idempotencyKey);
        if (bidId == Guid.Empty) errors.Add("bidId", "is required");
        CardRules.Validate(errors, card, time.GetUtcNow());
        if (!errors.IsValid) return Outcome.Invalid(errors);
        if (S.Status == AuctionStatus.Accepted)
            return S.AcceptKey == idempotencyKey && S.WinningBidId == bidId
                ? Outcome.Ok(S.Appointment!)
                : Outcome.Conflict(MarketReasons.AlreadyDecided, "A bid was already accepted.");
        var now = time.GetUtcNow();
        if (S.Status is AuctionStatus.Cancelled or AuctionStatus.Expired || now >= S.GraceUntil)
            return Outcome.Conflict(MarketReasons.Closed, "The auction is over.");
        var standing = S.Standing.Values.FirstOrDefault(s => s.Bid.Id == bidId);
        if (standing is null) return Outcome.Invalid("bidId", "is not a standing bid of this auction");

        var reason = "Marketplace: " + (S.Spec!.Symptoms.Length > 480 ? S.Spec.Symptoms[..480] : S.Spec.Symptoms);
        var command = new BookingCommand(S.PatientId, standing.Bid.DoctorId, standing.Bid.SlotStart, reason, card,
            ExistingHoldId: standing.HoldId, AgreedPrice: new Money(standing.Bid.Price, S.Spec.Currency));
        var outcome = await GrainFactory.GetGrain<IBookingRequestGrain>(IdempotencyKeys.For(S.PatientId, idempotencyKey)).Book(command);
        // Payment and idempotency failures pass through as they are; a slot the booking could not take is the
        // bid's slot no longer being available.
        if (outcome.Failure is { } failed)
            return failed.Kind is FailureKind.Conflict or FailureKind.NotFound
                ? Outcome.Conflict(MarketReasons.SlotUnavailable, failed.Detail ?? "The bid's slot is no longer available.")
                : failed;

        S.Status = AuctionStatus.Accepted;
        S.WinningBidId = bidId;
        S.AppointmentId = outcome.Value!.Id;
        S.Appointment = outcome.Value;
        S.AcceptKey = idempotencyKey;
        var losers = S.Standing.Values.Where(s => s.Bid.Id != bidId).ToList();
        Record(AuctionEventTypes.AuctionClosed, standing.Bid, null, "accepted");
        var saved = await Save();
        await ReleaseHolds(losers);
        await Push(saved);
        await Finish();
        await GrainFactory.GetGrain<IInboxGrain>(standing.Bid.DoctorId).Add("auction.won", "Your bid was accepted",
            $"Appointment at {standing.Bid.SlotStart:yyyy-MM-dd HH:mm} UTC.", Id, Id);
        return outcome;
    }

    public async Task<Outcome<AuctionView>> Cancel(Caller caller)
    {
        if (!Exists || caller.UserId != S.PatientId) return Outcome.NotFound();
        if (S.Status is not (AuctionStatus.Open or AuctionStatus.Closed)) return Outcome.Conflict(MarketReasons.AlreadyDecided, $"The auction is {S.Status}.");
        S.Status = AuctionStatus.Cancelled;
        Record(AuctionEventTypes.AuctionClosed, null, null, "cancelled");
        var saved = await Save();
        await ReleaseHolds(S.Standing.Values.ToList());
        await Push(saved);
        await Finish();
        return Outcome.Ok(View());
    }

    public async Task<IReadOnlyList<AuctionEvent>?> Events(Caller caller, long afterSeq, int limit)
    {
        if (!Exists || !await MayWatch(caller)) return null;
        await AuditAdminRead(caller, "auction.events.read");
        return await store.Events(Id, afterSeq, limit);
    }

    public async Task WithdrawRetiredDoctor(Guid doctorId)
    {
        // A doctor who comes back into practice is looked up afresh.
        _doctorSpecialty.Remove(doctorId);
        if (!Exists || S.Status is not (AuctionStatus.Open or AuctionStatus.Closed) || !S.Standing.TryGetValue(doctorId, out var standing)) return;
        await RemoveStanding(standing, "doctor retired");
        if (S.Status == AuctionStatus.Open) await GrainFactory.GetGrain<IAuctionBoardGrain>(S.SpecialtyId).Update(Summary());
    }

    public Task<long> Watch(IAuctionWatcher watcher) => Task.FromResult(LiveWatchers.Watch(watcher, S.LastSeq));

    public Task Unwatch(IAuctionWatcher watcher)
    {
        LiveWatchers.Unwatch(watcher);
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<AuctionEvent>> EventsAfter(long afterSeq, int limit) =>
        Exists ? await store.Events(Id, afterSeq, limit) : [];

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        var now = time.GetUtcNow();
        if (!Exists || S.Status is AuctionStatus.Accepted or AuctionStatus.Cancelled or AuctionStatus.Expired)
        {
            await StopReminder();
            return;
        }
        if (S.Status == AuctionStatus.Open && now >= S.ClosesAt)
        {
            S.Status = AuctionStatus.Closed;
            Record(AuctionEventTypes.AuctionClosed, null, null, "deadline");
            await Push(await Save());
            await GrainFactory.GetGrain<IAuctionBoardGrain>(S.SpecialtyId).Remove(Id);
            await this.RegisterOrUpdateReminder(DeadlineReminder, Due(S.GraceUntil), TimeSpan.FromMinutes(1));
            await GrainFactory.GetGrain<IPatientAuctionsGrain>(S.PatientId).Release(Id);
            return;
        }
        if (S.Status == AuctionStatus.Closed && now >= S.GraceUntil)
        {
            S.Status = AuctionStatus.Expired;
            Record(AuctionEventTypes.AuctionExpired, null, null, "no bid accepted");
            var saved = await Save();
            await ReleaseHolds(S.Standing.Values.ToList());
            await Push(saved);
            await Finish();
        }
    }

    private async Task<bool> MayWatch(Caller caller)
    {
        if (caller.UserId == S.PatientId || caller.IsAdmin) return true;
        if (caller.Role != Roles.Doctor) return false;
        if (!_doctorSpecialty.TryGetValue(caller.UserId, out var specialty))
            _doctorSpecialty[caller.UserId] = specialty = (await GrainFactory.GetGrain<IDoctorGrain>(caller.UserId).GetProfile())?.SpecialtyId;
        return specialty == S.SpecialtyId;
    }

    // Bid times per doctor over the last minute. Kept in memory only: a new activation forgets them, which lets
    // a doctor through early at worst once per activation; the cap is against floods, not an accounting.
    private readonly Dictionary<Guid, Queue<DateTimeOffset>> _recentBids = [];

    private bool BidBudget(Guid doctorId, DateTimeOffset now)
    {
        if (!_recentBids.TryGetValue(doctorId, out var times)) return true;
        while (times.Count > 0 && now - times.Peek() >= TimeSpan.FromMinutes(1)) times.Dequeue();
        return times.Count < options.Value.MaxBidsPerDoctorPerMinute;
    }

    private void RecordBid(Guid doctorId, DateTimeOffset now)
    {
        if (!_recentBids.TryGetValue(doctorId, out var times)) _recentBids[doctorId] = times = new Queue<DateTimeOffset>();
        times.Enqueue(now);
    }

    // Doctors' specialties seldom change; remembering them keeps watch checks off the doctor grains.
    private readonly Dictionary<Guid, Guid?> _doctorSpecialty = [];

    private TimeSpan Grace => TimeSpan.FromMinutes(options.Value.GraceMinutes);

    private TimeSpan Due(DateTimeOffset at)
    {
        var due = at - time.GetUtcNow();
        return due > TimeSpan.FromMilliseconds(100) ? due : TimeSpan.FromMilliseconds(100);
    }

    /// <summary>Numbers an event of this call's change; <see cref="Save"/> stores it, <see cref="Push"/> then sends it.</summary>
    private void Record(string type, Bid? bid, Guid? previousBidId, string? reason) =>
        _unsavedEvents.Add(new AuctionEvent(Id, ++S.LastSeq, type, bid, previousBidId, S.ClosesAt, S.Status, S.WinningBidId, reason, time.GetUtcNow()));

    /// <summary>
    /// Stores the state, the summary row, the new bid and the new events in one transaction and returns the events.
    /// If that fails, this activation's memory is ahead of the store: it is dropped, and the next call starts again
    /// from what is stored (a second activation that wrote meanwhile is the only way the token can differ).
    /// </summary>
    private async Task<IReadOnlyList<AuctionEvent>> Save()
    {
        var events = _unsavedEvents.ToList();
        var etag = Guid.NewGuid();
        var commit = new AuctionCommit(Summary(), serializer.SerializeToArray(S), _etag, etag, _unsavedBid, events);
        _unsavedBid = null;
        _unsavedEvents.Clear();
        try
        {
            if (!await store.Commit(commit))
                throw new InconsistentStateException($"Auction {Id} was written by another activation.", _etag?.ToString(), "unknown");
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
        _etag = etag;
        return events;
    }

    /// <summary>
    /// Sends stored events to the watching Api nodes, in order. One-way calls: a node that is slow or gone costs the
    /// auction nothing, and a node that misses an event sees the gap in the sequence numbers and reads it back
    /// through EventsAfter.
    /// </summary>
    private async Task Push(IReadOnlyList<AuctionEvent> events)
    {
        foreach (var e in events) await LiveWatchers.Push(w => w.OnAuctionEvent(e));
    }

    private async Task RemoveStanding(StandingBid standing, string? reason)
    {
        S.Standing.Remove(standing.Bid.DoctorId);
        Record(AuctionEventTypes.BidWithdrawn, standing.Bid, null, reason);
        var saved = await Save();
        await GrainFactory.GetGrain<IDoctorGrain>(standing.Bid.DoctorId).Release(standing.HoldId);
        await Push(saved);
    }

    /// <summary>An admin sees the patient's symptoms: the audit row is written before the data leaves, as for profiles.</summary>
    private async Task AuditAdminRead(Caller caller, string action)
    {
        if (caller.IsAdmin && caller.UserId != S.PatientId)
            await audit.Record(new AuditEvent(time.GetUtcNow(), caller.UserId, caller.Role, action, S.PatientId, Id.ToString()));
    }

    private async Task ReleaseHolds(IReadOnlyList<StandingBid> bids) =>
        await Task.WhenAll(bids.Select(b => GrainFactory.GetGrain<IDoctorGrain>(b.Bid.DoctorId).Release(b.HoldId)));

    private async Task Finish()
    {
        await GrainFactory.GetGrain<IAuctionBoardGrain>(S.SpecialtyId).Remove(Id);
        await GrainFactory.GetGrain<IPatientAuctionsGrain>(S.PatientId).Release(Id);
        await StopReminder();
    }

    private async Task StopReminder()
    {
        var reminder = await this.GetReminder(DeadlineReminder);
        if (reminder is not null) await this.UnregisterReminder(reminder);
    }

    /// <summary>The doctors of the specialty with a free slot in the requested window: the only ones who can bid.</summary>
    private Task NotifyMatchingDoctors() =>
        SpecialtyNotices.Tell(GrainFactory, S.SpecialtyId,
            async doctorId => await GrainFactory.GetGrain<IDoctorGrain>(doctorId).GetFreeSlots(S.Spec!.WindowFrom, S.Spec.WindowTo) is { Slots.Count: > 0 },
            "auction.opened", "A patient is asking for your specialty", $"Bids close at {S.ClosesAt:yyyy-MM-dd HH:mm} UTC.", Id);

    private AuctionSummary Summary() => new(Id, S.PatientId, S.SpecialtyId, S.Status, S.ClosesAt, S.Spec!.MaxPrice, S.Spec.Currency,
        S.Spec.WindowFrom, S.Spec.WindowTo, S.Standing.Count, S.CreatedAt);

    private AuctionView View() => new(Id, S.PatientId, S.SpecialtyId, S.Spec!.Symptoms, S.Spec.MaxPrice, S.Spec.Currency, S.Spec.WindowFrom,
        S.Spec.WindowTo, S.ClosesAt, S.GraceUntil, S.Status, AuctionRules.Rank(S.Standing.Values.Select(s => s.Bid)), S.WinningBidId,
        S.AppointmentId, S.LastSeq, S.CreatedAt, S.RedFlags, S.Guidance);
}
