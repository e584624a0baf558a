using System.Diagnostics;
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
    /// <summary>
    /// Standing bids by doctor, each with the id of the calendar hold that backs it. Stored as rows of their own
    /// (<see cref="StandingInRows"/>); only auctions stored before that carry them inside the serialized state.
    /// </summary>
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
    /// <summary>Set in every state stored since the standing bids became rows: <see cref="Standing"/> is then stored empty.</summary>
    [Id(17)] public bool StandingInRows { get; set; }
}

[GenerateSerializer, Alias("ha.market.StandingBid")]
public sealed record StandingBid([property: Id(0)] Bid Bid, [property: Id(1)] Guid HoldId);

/// <summary>
/// One live auction: owns the standing bids (each backed by a hold on the doctor's calendar) and its
/// deadline, an Orleans reminder so it closes even if the silo that held it is gone. Every change gets the
/// next sequence number and is stored with the grain's state, the summary row and the bid in one transaction
/// (<see cref="IMarketStore.Commit"/>), and only then sent to the Api nodes watching it.
/// Bids interleave (group commit): a bid is checked and applied to the in-memory state in one synchronous step,
/// queued, and stored with every other bid queued meanwhile in the next single commit; each bidder is answered
/// only after the commit that holds its bid. Every other change (create, withdraw, accept, cancel, the deadline)
/// runs alone: it stops new bids, waits until the bids already under way are stored, and only then starts.
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
    private readonly List<AuctionEvent> _unsavedEvents = [];
    // The standing bids were read from a state stored before they became rows: the next commit writes them all.
    private bool _standingUnwritten;
    private static readonly Dictionary<Guid, StandingBid> NoStanding = [];

    // Group commit. Bids applied to S but not yet in a commit, the loop that commits them, the barrier a change
    // that must run alone raises (bids wait at it), how many bids are between the barrier and their queueing,
    // and the doctors with a bid under way (a doctor's bids run one after another: each replaces the one before).
    private readonly List<QueuedBid> _queued = [];
    private Task? _flusher;
    private TaskCompletionSource? _barrier;
    private int _applying;
    private TaskCompletionSource? _noneApplying;
    private readonly Dictionary<Guid, Task> _doctorsBidding = [];
    // The last sequence number sent to the watchers: a relay that starts watching continues after it.
    private long _pushedSeq;
    // Set when a failed commit left memory that could not be read back from the store: every call fails until
    // the activation is gone and the next one reads the store afresh.
    private Exception? _broken;

    private sealed record QueuedBid(StandingBid Standing, bool Replaces, IReadOnlyList<AuctionEvent> Events)
    {
        public Bid Bid => Standing.Bid;
        public Guid HoldId => Standing.HoldId;
        public TaskCompletionSource Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private Watchers<IAuctionWatcher>? _watchers;
    private Watchers<IAuctionWatcher> LiveWatchers => _watchers ??= new(log, DelayDeactivation);

    // Activation reads pass no call filter: a database outage must still reach the caller as a 503 (StorageFaults).
    public override Task OnActivateAsync(CancellationToken cancellationToken) => StorageFaults.DuringActivation(() => Activate(cancellationToken));

    private async Task Activate(CancellationToken cancellationToken)
    {
        await LoadCommitted();
        _pushedSeq = S.LastSeq;
    }

    /// <summary>Replaces this activation's state with what is stored.</summary>
    private async Task LoadCommitted()
    {
        if (await store.LoadState(Id) is { } stored)
        {
            S = serializer.Deserialize<AuctionState>(stored.State) ?? new AuctionState();
            _etag = stored.Etag;
            if (S.StandingInRows)
            {
                S.Standing = [];
                foreach (var row in stored.Standing)
                {
                    var standing = serializer.Deserialize<StandingBid>(row) ?? throw new InvalidDataException($"Auction {Id}: an empty standing bid row.");
                    S.Standing[standing.Bid.DoctorId] = standing;
                }
            }
            _standingUnwritten = !S.StandingInRows;
            return;
        }
        S = new AuctionState();
        _etag = null;
        _standingUnwritten = false;
        // An auction stored before its state moved into its row: read it from grain storage once; the next change
        // stores it in the row (whose token is still empty, which is what that first write expects).
        var legacy = new GrainState<AuctionState>(new AuctionState());
        await grainStorage.ReadStateAsync(LegacyStateName, this.GetGrainId(), legacy);
        if (legacy.RecordExists && legacy.State is not null)
        {
            S = legacy.State;
            _standingUnwritten = true;
        }
    }

    public Task<Outcome<AuctionView>> Create(Caller patient, AuctionSpec spec) => Alone(() => CreateAlone(patient, spec));

    private async Task<Outcome<AuctionView>> CreateAlone(Caller patient, AuctionSpec spec)
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
        // Bids applied but not yet stored are not shown: the view waits for their commit, with new bids held back.
        return await Alone(() => Task.FromResult<AuctionView?>(View()));
    }

    public async Task<bool> CanWatch(Caller caller) => Exists && await MayWatch(caller);

    public Task<Outcome<Bid>> PlaceBid(Caller caller, decimal price, DateTimeOffset slotStart, string? message) =>
        options.Value.GroupCommit
            ? Bid(caller, price, slotStart, message, alone: false)
            : Alone(() => Bid(caller, price, slotStart, message, alone: true));

    private async Task<Outcome<Bid>> Bid(Caller caller, decimal price, DateTimeOffset slotStart, string? message, bool alone)
    {
        var turn = await TakeDoctorTurn(caller.UserId);
        try
        {
            // Nothing awaited between passing the barrier and CheckAndQueue counting itself in: a change that raises
            // the barrier next waits for this bid.
            if (!alone) await PassBarrier();
            ThrowIfBroken();
            if (!Exists) return Outcome.NotFound();
            if (caller.Role != Roles.Doctor) return Outcome.Forbidden("Only doctors bid.");
            var errors = AuctionRules.ValidateBid(price, slotStart, message, S.Spec!.Currency);
            if (!errors.IsValid) return Outcome.Invalid(errors);
            var placed = await CheckAndQueue(caller, price, slotStart, message);
            if (placed.Failure is not null) return placed.Failure;
            var (queued, doctor, replaced) = placed.Value;
            try
            {
                await queued.Stored.Task;
            }
            catch (Exception e)
            {
                // The commit failed and S is what is stored again: a hold this bid took that no stored bid uses is freed.
                if (_broken is null && !(S.Standing.TryGetValue(caller.UserId, out var kept) && kept.HoldId == queued.HoldId))
                    await doctor.Release(queued.HoldId);
                throw StorageFaults.ForCaller(e);
            }
            // Another slot: the previous hold is let go only once the bid that replaces it is stored.
            if (replaced is not null && replaced.HoldId != queued.HoldId) await doctor.Release(replaced.HoldId);
            if (queued.Events.Any(e => e.Type == AuctionEventTypes.AuctionExtended))
            {
                await this.RegisterOrUpdateReminder(DeadlineReminder, Due(S.ClosesAt), TimeSpan.FromMinutes(1));
                await GrainFactory.GetGrain<IAuctionBoardGrain>(S.SpecialtyId).Update(Summary());
            }
            return Outcome.Ok(queued.Bid);
        }
        finally
        {
            _doctorsBidding.Remove(caller.UserId);
            turn.SetResult();
        }
    }

    /// <summary>
    /// The bid's checks, its calendar hold and its change to S. Counted in <see cref="_applying"/> until it is queued
    /// or refused, so that a change that must run alone waits for it.
    /// </summary>
    private async Task<Outcome<(QueuedBid Queued, IDoctorGrain Doctor, StandingBid? Replaced)>> CheckAndQueue(
        Caller caller, decimal price, DateTimeOffset slotStart, string? message)
    {
        _applying++;
        try
        {
            var doctor = GrainFactory.GetGrain<IDoctorGrain>(caller.UserId);
            var profile = await doctor.GetProfile();
            if (profile is null || profile.SpecialtyId != S.SpecialtyId) return Outcome.Forbidden("This auction is for another specialty.");
            if (!await doctor.IsVerified()) return DoctorVerification.NotVerified();
            if (Refusal(caller.UserId, price, time.GetUtcNow()) is { } refused) return refused;
            slotStart = slotStart.ToUniversalTime();
            var slot = SlotCalendar.SlotAt(profile.Availability, slotStart);
            if (slot is null) return Outcome.Conflict(MarketReasons.SlotUnavailable, "That is not one of your slots.", "slotStart");
            if (slot.Start < S.Spec!.WindowFrom || slot.End > S.Spec.WindowTo) return Outcome.Invalid("slotStart", "must lie inside the requested window");

            S.Standing.TryGetValue(caller.UserId, out var standing);
            if (standing is not null && !AuctionRules.Replaces(standing.Bid, price, slot.Start)) return NotBetter();

            // Same slot: the standing hold carries over. Another slot: hold it first; the old one goes after the commit.
            var holdId = standing is not null && standing.Bid.SlotStart == slot.Start ? standing.HoldId : Guid.NewGuid();
            // Sized for the latest grace end, not the current one: a bid's hold lasting only to today's grace would
            // lapse while later extensions keep the bid standing, and the slot could be booked from under it.
            var hold = await doctor.Hold(slot.Start, holdId, S.PatientId, AuctionRules.HoldUntil(S.OriginalClosesAt, Grace) - time.GetUtcNow());
            if (hold.Status != HoldStatus.Held)
                return Outcome.Conflict(MarketReasons.SlotUnavailable, hold.Status == HoldStatus.InPast ? "That slot has already started." : "That slot is not free in your calendar.", "slotStart");

            // From here to the queueing there is no await: what other bids (or a failed commit) may have changed while
            // the hold was taken is checked again against the very state the bid is applied to.
            var now = time.GetUtcNow();
            S.Standing.TryGetValue(caller.UserId, out var current);
            var late = Refusal(caller.UserId, price, now)
                ?? (!ReferenceEquals(current, standing) && current is not null && !AuctionRules.Replaces(current.Bid, price, slot.Start) ? NotBetter() : null);
            if (late is not null)
            {
                if (holdId != current?.HoldId) await doctor.Release(holdId);
                return late;
            }

            var bid = new Bid(Guid.NewGuid(), caller.UserId, profile.Name, profile.Rating, price, slot.Start, slot.End,
                string.IsNullOrWhiteSpace(message) ? null : TextNormalization.Normalize(message).Trim(), now, ++S.NextOrder);
            var placed = S.Standing[caller.UserId] = new StandingBid(bid, holdId);
            RecordBid(caller.UserId, now);
            List<AuctionEvent> events = [Next(current is null ? AuctionEventTypes.BidPlaced : AuctionEventTypes.BidReplaced, bid, current?.Bid.Id, null)];
            if (AuctionRules.Extend(S.ClosesAt, S.OriginalClosesAt, now) is { } closes)
            {
                S.ClosesAt = closes;
                S.GraceUntil = closes + Grace;
                events.Add(Next(AuctionEventTypes.AuctionExtended, null, null, "bid in the last minutes"));
            }
            var queued = new QueuedBid(placed, current is not null, events);
            _queued.Add(queued);
            if (_flusher is null || _flusher.IsCompleted) _flusher = Flush();
            return Outcome.Ok((queued, doctor, current));
        }
        finally
        {
            if (--_applying == 0 && _noneApplying is { } waiting)
            {
                _noneApplying = null;
                waiting.SetResult();
            }
        }
    }

    /// <summary>What refuses any bid at this moment, whatever its slot: the auction's status and deadline, the doctor's rate, the price cap.</summary>
    private Failure? Refusal(Guid doctorId, decimal price, DateTimeOffset now)
    {
        if (S.Status != AuctionStatus.Open || now >= S.ClosesAt) return Outcome.Conflict(MarketReasons.Closed, "The auction no longer takes bids.");
        if (!BidBudget(doctorId, now))
            return Outcome.TooMany($"At most {options.Value.MaxBidsPerDoctorPerMinute} bids per minute on one auction; wait a moment.");
        if (S.Spec!.MaxPrice is { } max && price > max) return Outcome.Invalid("price", $"must be at most {max}");
        return null;
    }

    private static Failure NotBetter() =>
        Outcome.Conflict(MarketReasons.NotBetter, $"A new bid must be at least {AuctionRules.MinImprovement} lower than your standing bid, or for another slot.", "price");

    /// <summary>Waits until no other bid of this doctor is under way, then marks this one as under way.</summary>
    private async Task<TaskCompletionSource> TakeDoctorTurn(Guid doctorId)
    {
        while (_doctorsBidding.TryGetValue(doctorId, out var before)) await before;
        var turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _doctorsBidding[doctorId] = turn.Task;
        return turn;
    }

    public Task<Outcome<Bid>> WithdrawBid(Caller caller, Guid bidId) => Alone(() => WithdrawBidAlone(caller, bidId));

    private async Task<Outcome<Bid>> WithdrawBidAlone(Caller caller, Guid bidId)
    {
        if (!Exists || !S.Standing.TryGetValue(caller.UserId, out var standing) || standing.Bid.Id != bidId)
            return Outcome.NotFound();
        if (S.Status is not (AuctionStatus.Open or AuctionStatus.Closed)) return Outcome.Conflict(MarketReasons.AlreadyDecided, "The auction is over.");
        await RemoveStanding(standing, null);
        return Outcome.Ok(standing.Bid);
    }

    public Task<Outcome<AppointmentView>> Accept(Caller caller, Guid bidId, CardDetails card, string idempotencyKey) =>
        Alone(() => AcceptAlone(caller, bidId, card, idempotencyKey));

    private async Task<Outcome<AppointmentView>> AcceptAlone(Caller caller, Guid bidId, CardDetails card, string idempotencyKey)
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

    public Task<Outcome<AuctionView>> Cancel(Caller caller) => Alone(() => CancelAlone(caller));

    private async Task<Outcome<AuctionView>> CancelAlone(Caller caller)
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
        await Alone(() => WithdrawRetiredDoctorAlone(doctorId));
    }

    private async Task<bool> WithdrawRetiredDoctorAlone(Guid doctorId)
    {
        if (!Exists || S.Status is not (AuctionStatus.Open or AuctionStatus.Closed) || !S.Standing.TryGetValue(doctorId, out var standing)) return false;
        await RemoveStanding(standing, "doctor retired");
        if (S.Status == AuctionStatus.Open) await GrainFactory.GetGrain<IAuctionBoardGrain>(S.SpecialtyId).Update(Summary());
        return true;
    }

    // The last event sent, not S.LastSeq: events of bids not yet stored have numbers but must still reach this watcher.
    public Task<long> Watch(IAuctionWatcher watcher) => Task.FromResult(LiveWatchers.Watch(watcher, _pushedSeq));

    public Task Unwatch(IAuctionWatcher watcher)
    {
        LiveWatchers.Unwatch(watcher);
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<AuctionEvent>> EventsAfter(long afterSeq, int limit) =>
        Exists ? await store.Events(Id, afterSeq, limit) : [];

    public Task ReceiveReminder(string reminderName, TickStatus status) => Alone(() => DeadlineAlone());

    private async Task<bool> DeadlineAlone()
    {
        var now = time.GetUtcNow();
        if (!Exists || S.Status is AuctionStatus.Accepted or AuctionStatus.Cancelled or AuctionStatus.Expired)
        {
            await StopReminder();
            return true;
        }
        if (S.Status == AuctionStatus.Open && now >= S.ClosesAt)
        {
            S.Status = AuctionStatus.Closed;
            Record(AuctionEventTypes.AuctionClosed, null, null, "deadline");
            await Push(await Save());
            await GrainFactory.GetGrain<IAuctionBoardGrain>(S.SpecialtyId).Remove(Id);
            await this.RegisterOrUpdateReminder(DeadlineReminder, Due(S.GraceUntil), TimeSpan.FromMinutes(1));
            await GrainFactory.GetGrain<IPatientAuctionsGrain>(S.PatientId).Release(Id);
            return true;
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
        return true;
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
    private void Record(string type, Bid? bid, Guid? previousBidId, string? reason) => _unsavedEvents.Add(Next(type, bid, previousBidId, reason));

    private AuctionEvent Next(string type, Bid? bid, Guid? previousBidId, string? reason) =>
        new(Id, ++S.LastSeq, type, bid, previousBidId, S.ClosesAt, S.Status, S.WinningBidId, reason, time.GetUtcNow());

    /// <summary>
    /// Stores the state, the summary row and the new events of a change that runs alone (and the standing bid it
    /// <paramref name="removed"/>, if any), in one transaction, and returns the events. If that fails, memory is ahead of the store: it is read back from the store before the
    /// failure goes to the caller, so that the bids let in afterwards start from what is stored.
    /// </summary>
    private async Task<IReadOnlyList<AuctionEvent>> Save(Guid? removed = null)
    {
        var events = _unsavedEvents.ToList();
        _unsavedEvents.Clear();
        var failure = await Commit([], events, removed is null ? [] : [removed.Value]);
        if (failure is null) return events;
        await ReadBack(failure);
        throw StorageFaults.ForCaller(failure);
    }

    /// <summary>One commit of S with these bids and events; null when stored, else why not (nothing was stored then).</summary>
    private async Task<Exception?> Commit(IReadOnlyList<StandingBid> placed, IReadOnlyList<AuctionEvent> events, IReadOnlyList<Guid> removed)
    {
        var etag = Guid.NewGuid();
        // A doctor's bids run one after another (TakeDoctorTurn), so a group holds at most one standing bid per doctor.
        // A state read in the old shape writes every standing bid once (S has them all, this commit's included); if
        // this commit fails, the read-back finds the old shape again.
        var standing = _standingUnwritten ? S.Standing.Values.ToList() : placed;
        _standingUnwritten = false;
        var commit = new AuctionCommit(Summary(), StateWithoutStanding(), _etag, etag, [.. placed.Select(s => s.Bid)], events,
            [.. standing.Select(s => new StandingRow(s.Bid.DoctorId, serializer.SerializeToArray(s)))], removed);
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (!await store.Commit(commit))
                return new InconsistentStateException($"Auction {Id} was written by another activation.", _etag?.ToString(), "unknown");
        }
        catch (Exception e)
        {
            return e;
        }
        AppMetrics.AuctionCommitted(Stopwatch.GetElapsedTime(started), placed.Count);
        _etag = etag;
        return null;
    }

    /// <summary>S serialized without its standing bids, which are stored as rows.</summary>
    private byte[] StateWithoutStanding()
    {
        var standing = S.Standing;
        S.StandingInRows = true;
        S.Standing = NoStanding;
        try
        {
            return serializer.SerializeToArray(S);
        }
        finally
        {
            S.Standing = standing;
        }
    }

    /// <summary>
    /// The group commit loop: stores every queued bid in one commit, sends their events, then answers their bidders;
    /// bids queued meanwhile go into the next commit. Runs while there is something queued.
    /// </summary>
    private async Task Flush()
    {
        while (_queued.Count > 0)
        {
            // S holds exactly the queued bids' changes on top of the last commit: a bid is applied and queued in one step.
            var group = _queued.ToList();
            _queued.Clear();
            var events = group.SelectMany(q => q.Events).ToList();
            var failure = await Commit([.. group.Select(q => q.Standing)], events, []);
            if (failure is null)
            {
                foreach (var q in group) AppMetrics.BidStored(q.Replaces);
                await Push(events);
                foreach (var q in group) q.Stored.SetResult();
                continue;
            }
            log.LogWarning(failure, "Auction {AuctionId}: a commit of {Bids} bids failed; all of them fail and the state is read back", Id, group.Count);
            // Bids applied after this group were checked against state that includes it: they fail with it.
            var ownBarrier = _barrier is null ? _barrier = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
            try
            {
                await NoneApplying();
                group.AddRange(_queued);
                _queued.Clear();
                await ReadBack(failure);
            }
            finally
            {
                foreach (var q in group) q.Stored.SetException(failure);
                if (ownBarrier is not null)
                {
                    _barrier = null;
                    ownBarrier.SetResult();
                }
            }
        }
    }

    /// <summary>
    /// After a failed commit: S and the write token become what is stored. A token another activation wrote means
    /// this one is stale, so it also goes; if the store cannot be read, every call fails until it has gone.
    /// </summary>
    private async Task ReadBack(Exception failure)
    {
        if (failure is InconsistentStateException) DeactivateOnIdle();
        try
        {
            await LoadCommitted();
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Auction {AuctionId}: the state could not be read back after a failed commit; the activation is dropped", Id);
            _broken = e;
            DeactivateOnIdle();
        }
    }

    private void ThrowIfBroken()
    {
        if (_broken is { } e) throw StorageFaults.ForCaller(e);
    }

    /// <summary>
    /// Runs a change with no bid beside it: raises the barrier (bids wait there), waits for the bids already past it
    /// to be applied and for their commit, then runs the change on state that is all stored.
    /// </summary>
    private async Task<T> Alone<T>(Func<Task<T>> change)
    {
        await PassBarrier();
        var barrier = _barrier = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await NoneApplying();
            while (_flusher is { IsCompleted: false } flusher) await flusher;
            ThrowIfBroken();
            return await change();
        }
        finally
        {
            _barrier = null;
            barrier.SetResult();
        }
    }

    private async Task PassBarrier()
    {
        while (_barrier is { } barrier) await barrier.Task;
    }

    private async Task NoneApplying()
    {
        while (_applying > 0) await (_noneApplying ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
    }

    /// <summary>
    /// Sends stored events to the watching Api nodes, in order, one message per node. One-way calls: a node that is slow or gone costs the
    /// auction nothing, and a node that misses an event sees the gap in the sequence numbers and reads it back
    /// through EventsAfter.
    /// </summary>
    private async Task Push(IReadOnlyList<AuctionEvent> events)
    {
        if (events.Count == 0) return;
        _pushedSeq = events[^1].Seq;
        await LiveWatchers.Push(w => w.OnAuctionEvents(events));
    }

    private async Task RemoveStanding(StandingBid standing, string? reason)
    {
        S.Standing.Remove(standing.Bid.DoctorId);
        Record(AuctionEventTypes.BidWithdrawn, standing.Bid, null, reason);
        var saved = await Save(removed: standing.Bid.DoctorId);
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
