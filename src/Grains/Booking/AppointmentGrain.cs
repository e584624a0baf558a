using HealthActors.Grains.Telemetry;
using System.Security.Cryptography;
using System.Text;
using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Abstractions.Notifications;
using HealthActors.Grains.Abstractions.Patients;
using HealthActors.Grains.Audit;
using HealthActors.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace HealthActors.Grains.Booking;

[GenerateSerializer, Alias("ha.booking.AppointmentState")]
public sealed class AppointmentState
{
    [Id(0)] public AppointmentView? View { get; set; }
    [Id(1)] public bool ReminderSent { get; set; }
    [Id(2)] public DateTimeOffset? ReminderAt { get; set; }
    /// <summary>A cancellation decided and not yet carried through (the refund it owes included).</summary>
    [Id(3)] public CancelIntent? Cancelling { get; set; }
}

[GenerateSerializer, Immutable, Alias("ha.booking.CancelIntent")]
public sealed record CancelIntent(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] decimal RefundDue,
    /// <summary>Why the practice cancelled (then the patient is told); null when the patient, or an admin for them, did.</summary>
    [property: Id(2)] string? ByPractice = null);

/// <summary>
/// One appointment. Booking runs hold -> charge -> confirm against the doctor grain and the payment grain,
/// releasing the hold (and refunding) on any failure. Afterwards it owns the status, which only moves
/// forward, and the reminder, a durable Orleans reminder that survives silo restarts.
/// </summary>
public sealed class AppointmentGrain(
    [FromKeyedServices(StorageNames.Store)] IGrainStorage grainStorage,
    IBookingStore store,
    IAuditLog audit,
    IOptions<BookingOptions> options,
    TimeProvider time,
    ILogger<AppointmentGrain> log) : Grain, IAppointmentGrain, IRemindable
{
    private const string ReminderName = "appointment-reminder";
    private const string FinishCancelReminder = "appointment-finish-cancel";
    private Guid Id => this.GetPrimaryKey();
    private LazyGrainState<AppointmentState>? _state;
    /// <summary>Read on first use (<see cref="BookNew"/> needs no read); every other call reads it first.</summary>
    private LazyGrainState<AppointmentState> S => _state ??= new(grainStorage, "appointment", this.GetGrainId());

    /// <summary>
    /// The stored state, or, while this grain has written none, the appointment as its booking stored it in the
    /// appointments row (<see cref="IBookingStore.BookedViewOf"/>); an appointment booked before that column has its state.
    /// </summary>
    private ValueTask Load() =>
        S.ReadIfNeeded(async () => await store.BookedViewOf(Id) is { } booked ? new AppointmentState { View = booked } : null);

    public async Task<Outcome<AppointmentView>> Book(BookingCommand cmd)
    {
        await Load();
        return await Run(cmd, firstAttempt: false);
    }

    public Task<Outcome<AppointmentView>> BookNew(BookingCommand cmd)
    {
        S.StartNew();
        return Run(cmd, firstAttempt: true);
    }

    /// <param name="firstAttempt">
    /// This id was made by the caller for this call: nothing is stored under it, the payment (which shares it) included.
    /// </param>
    private async Task<Outcome<AppointmentView>> Run(BookingCommand cmd, bool firstAttempt)
    {
        if (S.State.View is { } existing) return Outcome.Ok(existing);
        var errors = BookingRules.Validate(cmd, time.GetUtcNow());
        if (!errors.IsValid) return Outcome.Invalid(errors);

        var doctor = GrainFactory.GetGrain<IDoctorGrain>(cmd.DoctorId);
        // An accepted bid already holds its slot; the booking takes that hold over instead of making one.
        var holdId = cmd.ExistingHoldId ?? Id;
        var ownHold = cmd.ExistingHoldId is null;
        var hold = await doctor.Hold(cmd.Start, holdId, cmd.PatientId, TimeSpan.FromSeconds(options.Value.HoldSeconds));
        switch (hold.Status)
        {
            case HoldStatus.NoSuchDoctor: return new Failure(FailureKind.NotFound, "No such doctor.", "doctorId", BookingReasons.DoctorNotFound);
            case HoldStatus.InPast: return Outcome.Conflict(BookingReasons.SlotInPast, "The slot has already started.", "start");
            case HoldStatus.OutsideAvailability: return Outcome.Conflict(BookingReasons.OutsideAvailability, "The doctor does not see patients at that time.", "start");
            case HoldStatus.Taken: return Outcome.Conflict(BookingReasons.SlotTaken, "That slot is already taken.", "start");
        }
        var profile = hold.Doctor!;
        var slot = hold.Slot!;
        var price = cmd.AgreedPrice ?? profile.Price;

        // The payment shares the appointment's id: a booking resumed after a crash finds the charge it
        // already made instead of making a second one.
        var paymentId = Id;
        var payment = GrainFactory.GetGrain<IPaymentGrain>(paymentId);
        PaymentView charged;
        try
        {
            // A first attempt's payment has no ledger rows to read; a resumed booking's may have its charge.
            charged = firstAttempt
                ? await payment.ChargeNew(cmd.PatientId, Id, price, cmd.Card)
                : await payment.Charge(cmd.PatientId, Id, price, cmd.Card);
        }
        catch
        {
            if (ownHold) await doctor.Release(holdId);
            throw;
        }
        if (charged.Status != PaymentStatus.Captured)
        {
            if (ownHold) await doctor.Release(holdId);
            return charged.Status == PaymentStatus.Declined
                ? Outcome.PaymentDeclined("The card was declined.")
                : Outcome.PaymentFailed("The payment processor failed; nothing was charged.");
        }

        var now = time.GetUtcNow();
        var booked = new AppointmentView(Id, cmd.PatientId, cmd.DoctorId, profile.Name, profile.SpecialtyId, slot.Start, slot.End,
            profile.Availability.TimeZone!, TextNormalization.Normalize(cmd.Reason).Trim(), AppointmentStatus.Booked, price, paymentId, now, null, 0);
        // The appointments row and this grain's state are one INSERT: the row carries the appointment as booked, which is
        // this grain's state until it first writes its own (Load). Once it is committed the booking is durable.
        if (!await doctor.ConfirmBooked(holdId, booked))
        {
            // The hold lapsed while the card was charged: give the money back.
            await payment.Refund(charged.Amount, "hold expired before confirmation");
            return Outcome.Conflict(BookingReasons.SlotTaken, "That slot is no longer available; the charge was refunded.", "start");
        }
        S.State.View = booked;
        var reminderAt = slot.Start - TimeSpan.FromMinutes(options.Value.ReminderMinutesBefore);
        S.State.ReminderAt = reminderAt;

        // No call to grant the doctor a read of the patient's record: the patient grain reads that grant from the
        // appointments row (PatientGrain.GrantOf), committed by ConfirmBooked above, so it costs no write of its own.
        // A reminder whose moment has already passed is never sent.
        // Orleans does not replay a tick that fell due while no silo was running (or whose delivery failed): it
        // waits a whole period. The first tick delivered unregisters the reminder, so the period is only that delay.
        if (reminderAt > now)
            await this.RegisterOrUpdateReminder(ReminderName, reminderAt - now, TimeSpan.FromMinutes(1));
        AppMetrics.Booked(fromBid: !ownHold);
        return Outcome.Ok(S.State.View);
    }

    public async Task<AppointmentView?> Get(Caller caller)
    {
        await Load();
        if (S.State.View is not { } v) return null;
        if (caller.UserId == v.PatientId || IsTheDoctor(caller, v)) return v;
        if (!caller.IsAdmin) return null;
        await audit.Record(new AuditEvent(time.GetUtcNow(), caller.UserId, caller.Role, "appointment.read", v.PatientId, Id.ToString()));
        return v;
    }

    public async Task<Outcome<AppointmentView>> Cancel(Caller caller)
    {
        await Load();
        if (S.State.View is not { } v || (caller.UserId != v.PatientId && !caller.IsAdmin)) return Outcome.NotFound();
        if (v.Status != AppointmentStatus.Booked && S.State.Cancelling is null)
            return Outcome.Conflict(BookingReasons.NotAllowed, $"An appointment that is {v.Status} cannot be cancelled.");
        if (caller.UserId != v.PatientId)
            await audit.Record(new AuditEvent(time.GetUtcNow(), caller.UserId, caller.Role, "appointment.cancel", v.PatientId, Id.ToString()));

        // The decision (and the refund it owes, fixed by the time of the request) is stored before any side
        // effect, with a durable reminder that finishes the job if this silo dies part-way or a step fails.
        // A retried cancel finds the same decision instead of re-deciding the refund.
        if (S.State.Cancelling is null)
        {
            var now = time.GetUtcNow();
            var refund = v.Start - now > TimeSpan.FromHours(options.Value.FullRefundHours) ? v.Price.Amount : 0m;
            S.State.Cancelling = new CancelIntent(now, refund);
            await S.WriteAsync();
            await this.RegisterOrUpdateReminder(FinishCancelReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        }
        await FinishCancel();
        return Outcome.Ok(S.State.View!);
    }

    public async Task<Outcome<AppointmentView>> CancelByPractice(string reason)
    {
        await Load();
        if (S.State.View is not { } v) return Outcome.NotFound();
        if (S.State.Cancelling is null)
        {
            // Over already (completed, no-show, cancelled): nothing left to cancel or refund, which also makes a repeat harmless.
            if (v.Status != AppointmentStatus.Booked) return Outcome.Ok(v);
            // The same durable decision as a patient's cancel, owing the whole price: the patient did nothing to lose it.
            S.State.Cancelling = new CancelIntent(time.GetUtcNow(), v.Price.Amount, reason);
            await S.WriteAsync();
            await this.RegisterOrUpdateReminder(FinishCancelReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        }
        await FinishCancel();
        return Outcome.Ok(S.State.View!);
    }

    /// <summary>Every step is idempotent, so this may run any number of times until the refund owed is paid.</summary>
    private async Task FinishCancel()
    {
        var intent = S.State.Cancelling!;
        var v = S.State.View!;
        // The table row first: until it reads cancelled, the exclusion constraint would refuse a new
        // booking of the slot that the doctor grain already offers again.
        await store.UpdateStatus(Id, AppointmentStatus.Cancelled);
        await GrainFactory.GetGrain<IDoctorGrain>(v.DoctorId).FreeBooking(Id);
        // A cancelled appointment is no reason for the doctor to read the patient's record.
        await GrainFactory.GetGrain<IPatientGrain>(v.PatientId).RevokeDoctorAccess(Id, v.DoctorId);
        await StopReminder();

        var refunded = v.RefundedAmount;
        if (intent.RefundDue > 0)
        {
            // The payment grain refunds at most what is left, under one gateway idempotency key: a repeat pays nothing twice.
            var payment = await GrainFactory.GetGrain<IPaymentGrain>(v.PaymentId).Refund(intent.RefundDue,
                intent.ByPractice is null ? "cancelled more than the refund window ahead" : "cancelled by the practice: " + intent.ByPractice);
            refunded = payment.RefundedAmount;
        }
        var settled = refunded >= intent.RefundDue;
        S.State.View = v with { Status = AppointmentStatus.Cancelled, CancelledAt = intent.At, RefundedAmount = refunded };
        if (settled) S.State.Cancelling = null;
        await S.WriteAsync();
        if (!settled)
        {
            log.LogWarning("Refund for a cancelled appointment not accepted by the gateway; retrying from the reminder");
            return;
        }
        await StopReminder(FinishCancelReminder);
        if (intent.ByPractice is { } why)
            await GrainFactory.GetGrain<IInboxGrain>(v.PatientId).Add("appointment.cancelled", "Appointment cancelled",
                $"Your appointment with {v.DoctorName} at {v.Start:yyyy-MM-dd HH:mm} UTC was cancelled because {why}. " +
                $"The full {refunded:0.##} {v.Price.Currency} is refunded to your card.", Id, Id);
        else
            await GrainFactory.GetGrain<IInboxGrain>(v.DoctorId).Add("appointment.cancelled", "Appointment cancelled",
                $"The appointment at {v.Start:yyyy-MM-dd HH:mm} UTC was cancelled.", Id, Id);
    }

    // Both only once the appointment has begun: completing one days ahead would take the patient's cancellation
    // and refund away, and a patient a few minutes late has not failed to turn up.
    public Task<Outcome<AppointmentView>> Complete(Caller caller) => DoctorMoves(caller, AppointmentStatus.Completed, TimeSpan.Zero,
        "An appointment can only be completed once it has started.");

    public Task<Outcome<AppointmentView>> MarkNoShow(Caller caller) => DoctorMoves(caller, AppointmentStatus.NoShow,
        TimeSpan.FromMinutes(options.Value.NoShowGraceMinutes),
        $"A no-show can only be recorded {options.Value.NoShowGraceMinutes:0.#} minutes after the appointment has started.");

    private async Task<Outcome<AppointmentView>> DoctorMoves(Caller caller, AppointmentStatus to, TimeSpan notBeforeStartPlus, string tooEarly)
    {
        await Load();
        if (S.State.View is not { } v || !IsTheDoctor(caller, v)) return Outcome.NotFound();
        if (v.Status != AppointmentStatus.Booked || S.State.Cancelling is not null)
            return Outcome.Conflict(BookingReasons.NotAllowed, $"An appointment that is {(S.State.Cancelling is null ? v.Status : AppointmentStatus.Cancelled)} cannot become {to}.");
        if (time.GetUtcNow() < v.Start + notBeforeStartPlus) return Outcome.Conflict(BookingReasons.NotYet, tooEarly);
        await store.UpdateStatus(Id, to);
        S.State.View = v with { Status = to };
        await S.WriteAsync();
        await StopReminder();
        return Outcome.Ok(S.State.View!);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        await Load();
        if (reminderName == FinishCancelReminder)
        {
            if (S.State.Cancelling is not null) await FinishCancel();
            else await StopReminder(FinishCancelReminder);
            return;
        }
        // A reminder for an appointment that has already started (the cluster was down past it) helps nobody.
        if (S.State.View is { Status: AppointmentStatus.Booked } v && S.State.Cancelling is null && !S.State.ReminderSent && time.GetUtcNow() < v.Start)
        {
            // The inbox de-duplicates on the appointment id, so a reminder delivered twice notifies once.
            await GrainFactory.GetGrain<IInboxGrain>(v.PatientId).Add("appointment.reminder", "Upcoming appointment",
                $"Your appointment with {v.DoctorName} starts at {v.Start:yyyy-MM-dd HH:mm} UTC.", Id, Id);
            S.State.ReminderSent = true;
            await S.WriteAsync();
            log.LogInformation("Appointment reminder sent");
        }
        await StopReminder();
    }

    /// <summary>The appointment's doctor, still holding the role: the role is checked against the account on every request.</summary>
    private static bool IsTheDoctor(Caller caller, AppointmentView v) => caller.UserId == v.DoctorId && caller.Role == Roles.Doctor;

    private async Task StopReminder(string name = ReminderName)
    {
        var reminder = await this.GetReminder(name);
        if (reminder is not null) await this.UnregisterReminder(reminder);
    }
}

/// <summary>One per (patient, Idempotency-Key). Non-reentrant, so concurrent retries queue and get the first answer.</summary>
public sealed class BookingRequestGrain(
    [FromKeyedServices(StorageNames.Store)] IGrainStorage grainStorage,
    TimeProvider time) : Grain, IBookingRequestGrain
{
    private LazyGrainState<BookingRequestState>? _state;
    /// <summary>
    /// Not read on activation: nearly every key is new, so the first call claims it by inserting its fingerprint, and
    /// reads what is stored only when storage refuses that insert because the key was used before (a retry).
    /// </summary>
    private LazyGrainState<BookingRequestState> S => _state ??= new(grainStorage, "booking-request", this.GetGrainId());

    public async Task<Outcome<AppointmentView>> Book(BookingCommand command)
    {
        var errors = BookingRules.Validate(command, time.GetUtcNow());
        if (!errors.IsValid) return Outcome.Invalid(errors);
        var minted = !S.IsKnown && await Claim(command);
        if (!minted)
        {
            if (S.State.Fingerprint is not { } known)
            {
                await Mint(command);
                minted = true;
            }
            else if (!SameRequest(known, command)) return Outcome.IdempotencyMismatch();
            else if ((S.State.First ?? S.State.Legacy?.ToOutcome()) is { } first) return first;
        }
        // Resumes with the same appointment id after a crash: the appointment grain answers what it already did.
        // An id made just now, in this call, has nothing stored under it (no appointment state, no ledger row), so the
        // appointment and its payment skip those reads; every later call for it (a retry, a resumed booking) reads.
        var appointment = GrainFactory.GetGrain<IAppointmentGrain>(S.State.AppointmentId);
        var outcome = minted ? await appointment.BookNew(command) : await appointment.Book(command);
        S.State.First = outcome;
        // A booking made is already durable in the appointment's own state, written before it answered, and a retry
        // that finds no stored outcome asks that grain, which answers the booking it holds: storing it here as well
        // was a commit per booking that told nothing new. A refusal is stored, because the appointment grain keeps
        // nothing of it and a retry asked again later could get another answer (the slot freed in between).
        if (!outcome.IsOk) await S.WriteAsync();
        return outcome;
    }

    /// <summary>
    /// Takes the key as new and inserts its fingerprint; false when storage refuses the insert (the key was used before),
    /// with what its first request stored read instead, exactly as if it had been read first.
    /// </summary>
    private async Task<bool> Claim(BookingCommand command)
    {
        S.StartNew();
        try
        {
            await Mint(command);
            return true;
        }
        catch (InconsistentStateException)
        {
            // The storage wrapper's retry after a lost answer takes a refused insert for its own only when the row holds
            // what it sent (a random salt and a new appointment id), so an earlier request's row never passes as new.
            await S.ReadAfterRefusal();
            return false;
        }
    }

    /// <summary>Stores the fingerprint and a new appointment id before anything is charged: a retry resumes with that id.</summary>
    private Task Mint(BookingCommand command)
    {
        var salt = RandomNumberGenerator.GetBytes(32);
        S.State.FingerprintSalt = salt;
        S.State.Fingerprint = command.Fingerprint(salt);
        S.State.AppointmentId = Guid.NewGuid();
        return S.WriteAsync();
    }

    /// <summary>A request stored without a salt was fingerprinted the old way (last four only) and is compared that way.</summary>
    private bool SameRequest(string known, BookingCommand command) =>
        S.State.FingerprintSalt is { } salt
            ? CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(known), Encoding.ASCII.GetBytes(command.Fingerprint(salt)))
            : known == command.LegacyFingerprint();
}

[GenerateSerializer, Alias("ha.booking.BookingRequestState")]
public sealed class BookingRequestState
{
    [Id(0)] public string? Fingerprint { get; set; }
    [Id(1)] public Guid AppointmentId { get; set; }
    /// <summary>The first answer as stored before the shared outcome type; read, never written.</summary>
    [Id(2)] public StoredBookingOutcome? Legacy { get; set; }
    [Id(3)] public Outcome<AppointmentView>? First { get; set; }
    /// <summary>The random key of <see cref="Fingerprint"/>'s HMAC; null for requests stored before it, whose fingerprint is the legacy one.</summary>
    [Id(4)] public byte[]? FingerprintSalt { get; set; }
}

[Orleans.Concurrency.StatelessWorker]
public sealed class AppointmentQueryGrain(IBookingStore store) : Grain, IAppointmentQueryGrain
{
    public Task<IReadOnlyList<AppointmentSummary>> ForPatient(Guid patientId, int page, int pageSize) => store.ForPatient(patientId, page, pageSize);
    public Task<IReadOnlyList<AppointmentSummary>> ForDoctor(Guid doctorId, int page, int pageSize) => store.ForDoctor(doctorId, page, pageSize);
}
