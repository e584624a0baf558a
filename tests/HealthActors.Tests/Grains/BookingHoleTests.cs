using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains;
using HealthActors.Grains.Abstractions.Patients;
using HealthActors.Grains.Booking;
using HealthActors.Grains.Patients;
using HealthActors.Tests.Booking;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using Orleans.Storage;
using Orleans.TestingHost;

namespace HealthActors.Tests.Grains;

/// <summary>Holes found by probing the running stack, each closed in the grain that owns the rule.</summary>
[Collection(RulesCollection.Name)]
public sealed class BookingHoleTests(RulesClusterFixture fx)
{
    private async Task<AppointmentView> BookAsync(Guid patientId, Guid doctorId, DateTimeOffset start)
    {
        var booked = await fx.Grains.GetGrain<IBookingRequestGrain>(Guid.NewGuid()).Book(RulesClusterFixture.Booking(patientId, doctorId, start));
        Assert.True(booked.IsOk, booked.Failure?.Detail);
        return booked.Value!;
    }

    private static void AssertConflict<T>(Outcome<T> outcome)
    {
        Assert.False(outcome.IsOk, "expected 409");
        Assert.Equal(FailureKind.Conflict, outcome.Failure!.Kind);
    }

    [Fact]
    public async Task A_doctor_completes_only_once_the_appointment_has_started_and_records_a_no_show_only_after_the_grace()
    {
        var doctor = await fx.DoctorAsync();
        var patient = new Caller(Guid.NewGuid(), Roles.Patient);
        var future = await BookAsync(patient.UserId, doctor.UserId, RulesClusterFixture.SlotAfter(DateTimeOffset.UtcNow.AddDays(17)));
        var grain = fx.Grains.GetGrain<IAppointmentGrain>(future.Id);

        AssertConflict(await grain.Complete(doctor));
        AssertConflict(await grain.MarkNoShow(doctor));
        Assert.Equal(AppointmentStatus.Booked, (await grain.Get(patient))!.Status);
        // Still the patient's to cancel, with the full refund.
        var cancelled = await grain.Cancel(patient);
        Assert.True(cancelled.IsOk);
        Assert.Equal(future.Price.Amount, cancelled.Value!.RefundedAmount);

        // The clock moves forward only for the one call, to a moment after the start (the runtime's own timers
        // cannot take a clock that goes back, and the appointment grain is already active, so nothing new is scheduled).
        var soon = await BookAsync(patient.UserId, doctor.UserId, RulesClusterFixture.SlotAfter(DateTimeOffset.UtcNow.AddMinutes(1)));
        var soonGrain = fx.Grains.GetGrain<IAppointmentGrain>(soon.Id);
        AssertConflict(await soonGrain.Complete(doctor));
        var completed = await RulesClusterFixture.Clock.At(soon.Start.AddMinutes(1), () => soonGrain.Complete(doctor));
        Assert.True(completed.IsOk, completed.Failure?.Detail);
        Assert.Equal(AppointmentStatus.Completed, completed.Value!.Status);
        // And from there nothing moves it back.
        AssertConflict(await soonGrain.Cancel(patient));
        AssertConflict(await soonGrain.Complete(doctor));

        // Five minutes in, the patient may just be late; twenty-five minutes in (past the 15-minute grace) it is a no-show.
        // The slot after the one just completed: "now + 31 minutes" fell on that same slot between 23:00 and 23:30 UTC,
        // when both skip the 23:30 gap to midnight.
        var late = await BookAsync(patient.UserId, doctor.UserId, RulesClusterFixture.SlotAfter(soon.Start));
        var lateGrain = fx.Grains.GetGrain<IAppointmentGrain>(late.Id);
        AssertConflict(await RulesClusterFixture.Clock.At(late.Start.AddMinutes(5), () => lateGrain.MarkNoShow(doctor)));
        Assert.Equal(AppointmentStatus.Booked, (await lateGrain.Get(patient))!.Status);
        var noShow = await RulesClusterFixture.Clock.At(late.Start.AddMinutes(25), () => lateGrain.MarkNoShow(doctor));
        Assert.True(noShow.IsOk, noShow.Failure?.Detail);
        Assert.Equal(AppointmentStatus.NoShow, noShow.Value!.Status);
    }

    [Fact]
    public async Task A_cancelled_appointment_grants_the_doctor_nothing_but_another_live_one_still_does()
    {
        var doctor = await fx.DoctorAsync();
        var patient = new Caller(Guid.NewGuid(), Roles.Patient);
        var record = fx.Grains.GetGrain<IPatientGrain>(patient.UserId);
        await record.UpdateProfile(new PatientProfile { FirstName = "Ana", LastName = "García", Allergies = ["penicillin"] }, patient);

        var only = await BookAsync(patient.UserId, doctor.UserId, RulesClusterFixture.SlotAfter(DateTimeOffset.UtcNow.AddDays(3)));
        Assert.NotNull(await record.GetProfile(doctor));
        Assert.True((await fx.Grains.GetGrain<IAppointmentGrain>(only.Id).Cancel(patient)).IsOk);
        Assert.Null(await record.GetProfile(doctor));

        // Two appointments: cancelling one leaves the other's grant standing, cancelling both ends it.
        var first = await BookAsync(patient.UserId, doctor.UserId, RulesClusterFixture.SlotAfter(DateTimeOffset.UtcNow.AddDays(4)));
        var second = await BookAsync(patient.UserId, doctor.UserId, RulesClusterFixture.SlotAfter(DateTimeOffset.UtcNow.AddDays(5)));
        Assert.True((await fx.Grains.GetGrain<IAppointmentGrain>(first.Id).Cancel(patient)).IsOk);
        Assert.NotNull(await record.GetProfile(doctor));
        Assert.True((await fx.Grains.GetGrain<IAppointmentGrain>(second.Id).Cancel(patient)).IsOk);
        Assert.Null(await record.GetProfile(doctor));
    }

    [Fact]
    public async Task An_idempotency_key_answers_only_the_very_same_request_card_number_and_cvc_included()
    {
        var doctor = await fx.DoctorAsync();
        var patientId = Guid.NewGuid();
        var command = RulesClusterFixture.Booking(patientId, doctor.UserId, RulesClusterFixture.SlotAfter(DateTimeOffset.UtcNow.AddDays(2)));
        var request = fx.Grains.GetGrain<IBookingRequestGrain>(Guid.NewGuid());
        var first = await request.Book(command);
        Assert.True(first.IsOk, first.Failure?.Detail);

        // Same last four (4242), another card: not the same request.
        var otherCard = await request.Book(command with { Card = RulesClusterFixture.Card("4111000000084242") });
        Assert.Equal(FailureKind.IdempotencyMismatch, otherCard.Failure?.Kind);
        var otherCvc = await request.Book(command with { Card = RulesClusterFixture.Card(cvc: "999") });
        Assert.Equal(FailureKind.IdempotencyMismatch, otherCvc.Failure?.Kind);

        var retry = await request.Book(command with { Card = RulesClusterFixture.Card() });
        Assert.True(retry.IsOk);
        Assert.Equal(first.Value!.Id, retry.Value!.Id);
        Assert.Single(await fx.Grains.GetGrain<IAppointmentQueryGrain>(0).ForPatient(patientId, 1, 20));
    }

    [Fact]
    public async Task A_request_stored_before_the_salt_is_still_compared_the_old_way()
    {
        var doctor = await fx.DoctorAsync();
        var command = RulesClusterFixture.Booking(Guid.NewGuid(), doctor.UserId, RulesClusterFixture.SlotAfter(DateTimeOffset.UtcNow.AddDays(2)));
        var key = Guid.NewGuid();
        var request = fx.Grains.GetGrain<IBookingRequestGrain>(key);
        // The state as an older build wrote it: a last-four fingerprint, no salt, and its first answer.
        var stored = new BookingRequestState
        {
            Fingerprint = command.LegacyFingerprint(), AppointmentId = Guid.NewGuid(),
            First = Outcome<AppointmentView>.Fail(FailureKind.Conflict, "That slot is already taken.", "start", "SlotTaken"),
        };
        var storage = ((InProcessSiloHandle)fx.Cluster.Primary!).ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Store);
        await storage.WriteStateAsync("booking-request", request.GetGrainId(), new GrainState<BookingRequestState>(stored));

        var retry = await request.Book(command);
        Assert.Equal("SlotTaken", retry.Failure?.Reason);
        var otherCard = await request.Book(command with { Card = RulesClusterFixture.Card("4000056655665556") });
        Assert.Equal(FailureKind.IdempotencyMismatch, otherCard.Failure?.Kind);
    }

    private IGrainStorage Storage => ((InProcessSiloHandle)fx.Cluster.Primary!).ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Store);

    private async Task<GrainState<T>> StoredAsync<T>(string stateName, IAddressable grain) where T : new()
    {
        var stored = new GrainState<T>(new T());
        await Storage.ReadStateAsync(stateName, grain.GetGrainId(), stored);
        return stored;
    }

    private static ValueTask Deactivate(IAddressable grain) => grain.AsReference<IGrainManagementExtension>().DeactivateOnIdle();

    /// <summary>
    /// A booking made stores no outcome in its request grain (the appointment's state is the record of it); a retry
    /// that reaches a new activation of the request grain must still get the same appointment and charge nothing more.
    /// A refusal is stored, so a retry after the slot came free is still refused.
    /// </summary>
    [Fact]
    public async Task A_retry_reaching_a_new_request_activation_answers_the_first_outcome_and_charges_once()
    {
        var doctor = await fx.DoctorAsync();
        var patientId = Guid.NewGuid();
        var start = RulesClusterFixture.SlotAfter(DateTimeOffset.UtcNow.AddDays(6));
        var command = RulesClusterFixture.Booking(patientId, doctor.UserId, start);
        var request = fx.Grains.GetGrain<IBookingRequestGrain>(Guid.NewGuid());
        var first = await request.Book(command);
        Assert.True(first.IsOk, first.Failure?.Detail);
        var stored = await StoredAsync<BookingRequestState>("booking-request", request);
        Assert.NotNull(stored.State!.Fingerprint);
        Assert.Null(stored.State.First);

        await Deactivate(request);
        var retry = await request.Book(command with { Card = RulesClusterFixture.Card() });
        Assert.True(retry.IsOk, retry.Failure?.Detail);
        Assert.Equal(first.Value!.Id, retry.Value!.Id);
        Assert.Equal(first.Value.PaymentId, retry.Value.PaymentId);
        Assert.Single(await fx.Grains.GetGrain<IAppointmentQueryGrain>(0).ForPatient(patientId, 1, 20));
        Assert.Equal(["captured"], await BookingDb.LedgerEventsAsync(first.Value.PaymentId));
        // The same key with another body is still refused after the reactivation: the fingerprint was stored first.
        await Deactivate(request);
        Assert.Equal(FailureKind.IdempotencyMismatch, (await request.Book(command with { Reason = "Another reason" })).Failure?.Kind);

        // Refused (taken by the booking above), then the slot comes free: the retry keeps the first answer.
        var otherPatient = Guid.NewGuid();
        var refusedRequest = fx.Grains.GetGrain<IBookingRequestGrain>(Guid.NewGuid());
        var refusedCommand = RulesClusterFixture.Booking(otherPatient, doctor.UserId, start);
        var refused = await refusedRequest.Book(refusedCommand);
        Assert.Equal(BookingReasons.SlotTaken, refused.Failure?.Reason);
        Assert.True((await fx.Grains.GetGrain<IAppointmentGrain>(first.Value.Id).Cancel(new Caller(patientId, Roles.Patient))).IsOk);
        await Deactivate(refusedRequest);
        Assert.Equal(BookingReasons.SlotTaken, (await refusedRequest.Book(refusedCommand)).Failure?.Reason);
        Assert.Empty(await fx.Grains.GetGrain<IAppointmentQueryGrain>(0).ForPatient(otherPatient, 1, 20));
        Assert.Empty(await BookingDb.LedgerEventsAsync(otherPatient));
    }

    /// <summary>
    /// The doctor's read grant comes from the appointments row: a booking writes nothing into the patient's state,
    /// the grant holds across a reactivation of the patient grain, and a cancellation ends it there too.
    /// </summary>
    [Fact]
    public async Task A_booking_grants_its_doctor_a_read_from_the_appointments_row_without_a_patient_state_write()
    {
        var doctor = await fx.DoctorAsync();
        var stranger = await fx.DoctorAsync();
        var patient = new Caller(Guid.NewGuid(), Roles.Patient);
        var record = fx.Grains.GetGrain<IPatientGrain>(patient.UserId);
        await record.UpdateProfile(new PatientProfile { FirstName = "Ana", LastName = "García" }, patient);
        // Asked before the booking, so the grain has read the (empty) table once: the booking must still be seen.
        Assert.Null(await record.GetProfile(doctor));
        var before = (await StoredAsync<PatientState>("patient-profile", record)).ETag;

        var booked = await BookAsync(patient.UserId, doctor.UserId, RulesClusterFixture.SlotAfter(DateTimeOffset.UtcNow.AddDays(8)));
        Assert.Equal(before, (await StoredAsync<PatientState>("patient-profile", record)).ETag);
        Assert.NotNull(await record.GetProfile(doctor));
        Assert.Null(await record.GetProfile(stranger));
        var grant = await record.AuthorizeRead(doctor, "profile");
        Assert.Equal(booked.Id, grant?.AppointmentId);
        Assert.Equal(booked.End + DoctorAccess.AfterAppointment, grant?.Until);
        var listed = await record.Consents(patient);
        Assert.Contains(listed.Value!, c => c.AppointmentId == booked.Id && c.DoctorId == doctor.UserId);

        await Deactivate(record);
        Assert.NotNull(await record.GetProfile(doctor));
        Assert.True((await fx.Grains.GetGrain<IAppointmentGrain>(booked.Id).Cancel(patient)).IsOk);
        Assert.Null(await record.GetProfile(doctor));
        await Deactivate(record);
        Assert.Null(await record.GetProfile(doctor));
        Assert.DoesNotContain((await record.Consents(patient)).Value!, c => c.AppointmentId == booked.Id);
    }

    /// <summary>
    /// A booking's own short hold is kept in the doctor grain's memory: taking it writes nothing, it blocks the slot
    /// while the grain lives, and if the activation is lost the confirmation fails (the booking then refunds, as for a
    /// lapsed hold). A bid's long hold is stored and outlives the activation.
    /// </summary>
    [Fact]
    public async Task A_short_hold_is_kept_in_memory_and_a_long_one_is_stored()
    {
        var doctor = fx.Grains.GetGrain<IDoctorGrain>((await fx.DoctorAsync()).UserId);
        var (short1, long1) = (RulesClusterFixture.SlotAfter(DateTimeOffset.UtcNow.AddDays(9)), RulesClusterFixture.SlotAfter(DateTimeOffset.UtcNow.AddDays(10)));
        var (shortHold, longHold) = (Guid.NewGuid(), Guid.NewGuid());
        var before = (await StoredAsync<HealthActors.Grains.Catalog.DoctorState>("doctor", doctor)).ETag;
        Assert.Equal(HoldStatus.Held, (await doctor.Hold(long1, longHold, Guid.NewGuid(), TimeSpan.FromHours(6))).Status);
        var withLong = (await StoredAsync<HealthActors.Grains.Catalog.DoctorState>("doctor", doctor)).ETag;
        Assert.NotEqual(before, withLong);
        Assert.Equal(HoldStatus.Held, (await doctor.Hold(short1, shortHold, Guid.NewGuid(), TimeSpan.FromMinutes(2))).Status);
        Assert.Equal(withLong, (await StoredAsync<HealthActors.Grains.Catalog.DoctorState>("doctor", doctor)).ETag);
        Assert.Equal(HoldStatus.Taken, (await doctor.Hold(short1, Guid.NewGuid(), Guid.NewGuid(), TimeSpan.FromMinutes(2))).Status);

        await Deactivate(doctor);
        Assert.False(await doctor.Confirm(shortHold, Guid.NewGuid()));
        Assert.Equal(HoldStatus.Taken, (await doctor.Hold(long1, Guid.NewGuid(), Guid.NewGuid(), TimeSpan.FromMinutes(2))).Status);
        Assert.True(await doctor.Confirm(longHold, Guid.NewGuid()));
        // The lost short hold's slot is free again for someone else.
        var other = Guid.NewGuid();
        Assert.Equal(HoldStatus.Held, (await doctor.Hold(short1, other, Guid.NewGuid(), TimeSpan.FromMinutes(2))).Status);
        Assert.True(await doctor.Confirm(other, Guid.NewGuid()));
    }

    /// <summary>
    /// A request's first booking makes the appointment id (which the payment shares) in the same call, so nothing can be
    /// stored under it: the new appointment reads neither its state nor its payment's ledger. The request itself inserts
    /// its fingerprint unread and reads only when that insert is refused. Every later activation reads
    /// both, so a retry after all three grains were deactivated still answers the first booking and charges nothing more.
    /// </summary>
    [Fact]
    public async Task A_new_booking_reads_neither_its_request_nor_its_appointment_state_nor_its_ledger_and_a_retry_after_reactivation_still_charges_once()
    {
        var doctor = await fx.DoctorAsync();
        var patient = new Caller(Guid.NewGuid(), Roles.Patient);
        var command = RulesClusterFixture.Booking(patient.UserId, doctor.UserId, RulesClusterFixture.SlotAfter(DateTimeOffset.UtcNow.AddDays(11)));
        var request = fx.Grains.GetGrain<IBookingRequestGrain>(Guid.NewGuid());
        var first = await request.Book(command);
        Assert.True(first.IsOk, first.Failure?.Detail);
        var appointment = fx.Grains.GetGrain<IAppointmentGrain>(first.Value!.Id);
        var payment = fx.Grains.GetGrain<IPaymentGrain>(first.Value.PaymentId);
        // The request's key is new too: its fingerprint is inserted without a read of the request's state.
        Assert.Equal(0, ReadCounts.StateReadsOf("booking-request", request.GetGrainId()));
        Assert.Equal(0, ReadCounts.StateReadsOf("appointment", appointment.GetGrainId()));
        Assert.Equal(0, ReadCounts.LedgerReadsOf(first.Value.PaymentId));
        Assert.Equal(PaymentStatus.Captured, (await payment.Get(patient))!.Status);

        await Deactivate(request);
        await Deactivate(appointment);
        await Deactivate(payment);
        var retry = await request.Book(command with { Card = RulesClusterFixture.Card() });
        Assert.True(retry.IsOk, retry.Failure?.Detail);
        Assert.Equal(first.Value.Id, retry.Value!.Id);
        // The reactivated request's insert is refused (the key was used), and it reads what the first one stored.
        Assert.Equal(1, ReadCounts.StateReadsOf("booking-request", request.GetGrainId()));
        Assert.Equal(1, ReadCounts.StateReadsOf("appointment", appointment.GetGrainId()));
        Assert.Equal(["captured"], await BookingDb.LedgerEventsAsync(first.Value.PaymentId));
        // The reactivated payment reads its ledger before it answers.
        Assert.Equal(PaymentStatus.Captured, (await payment.Get(patient))!.Status);
        Assert.Equal(1, ReadCounts.LedgerReadsOf(first.Value.PaymentId));
        Assert.Single(await fx.Grains.GetGrain<IAppointmentQueryGrain>(0).ForPatient(patient.UserId, 1, 20));
    }

    /// <summary>
    /// What a crash between the charge and the appointment's state write leaves: the request's fingerprint and appointment
    /// id stored, a captured ledger row, no appointment state. The retry resumes with that id, finds the charge in the
    /// ledger and books without a second one (a charge taken as new would append a second row).
    /// </summary>
    [Fact]
    public async Task A_booking_resumed_after_its_charge_finds_that_charge_and_charges_nothing_more()
    {
        var doctor = await fx.DoctorAsync();
        var patientId = Guid.NewGuid();
        var command = RulesClusterFixture.Booking(patientId, doctor.UserId, RulesClusterFixture.SlotAfter(DateTimeOffset.UtcNow.AddDays(12)));
        var appointmentId = Guid.NewGuid();
        var payment = fx.Grains.GetGrain<IPaymentGrain>(appointmentId);
        Assert.Equal(PaymentStatus.Captured, (await payment.Charge(patientId, appointmentId, new Money(40m, "EUR"), command.Card)).Status);
        await Deactivate(payment);
        var request = await RequestThatMadeAsync(command, appointmentId);

        var resumed = await request.Book(command);
        Assert.True(resumed.IsOk, resumed.Failure?.Detail);
        Assert.Equal(appointmentId, resumed.Value!.Id);
        Assert.Equal(appointmentId, resumed.Value.PaymentId);
        Assert.Equal(["captured"], await BookingDb.LedgerEventsAsync(appointmentId));
        Assert.Single(await fx.Grains.GetGrain<IAppointmentQueryGrain>(0).ForPatient(patientId, 1, 20));
    }

    /// <summary>
    /// The appointments row and the appointment's state are one INSERT: a booking writes no grain state for the
    /// appointment; a new activation answers from the row, and from the first write of its own (here a cancellation)
    /// the grain's stored state is what it answers.
    /// </summary>
    [Fact]
    public async Task A_booking_stores_the_appointment_with_its_row_and_writes_no_appointment_state()
    {
        var doctor = await fx.DoctorAsync();
        var patient = new Caller(Guid.NewGuid(), Roles.Patient);
        var booked = await BookAsync(patient.UserId, doctor.UserId, RulesClusterFixture.SlotAfter(DateTimeOffset.UtcNow.AddDays(13)));
        var appointment = fx.Grains.GetGrain<IAppointmentGrain>(booked.Id);
        Assert.False((await StoredAsync<AppointmentState>("appointment", appointment)).RecordExists);

        await Deactivate(appointment);
        Assert.Equal(booked, await appointment.Get(patient));
        Assert.Equal(booked, await appointment.Get(doctor));
        var cancelled = await appointment.Cancel(patient);
        Assert.True(cancelled.IsOk, cancelled.Failure?.Detail);
        Assert.True((await StoredAsync<AppointmentState>("appointment", appointment)).RecordExists);
        await Deactivate(appointment);
        Assert.Equal(AppointmentStatus.Cancelled, (await appointment.Get(patient))!.Status);
        Assert.Equal(AppointmentStatus.Cancelled, (await fx.Grains.GetGrain<IAppointmentQueryGrain>(0).ForPatient(patient.UserId, 1, 20)).Single().Status);
    }

    /// <summary>
    /// What a crash right after the booking's INSERT leaves (row committed, no answer): the retry reaches a new
    /// activation, which finds the appointment in its row and answers it, instead of trying the slot again and
    /// finding it taken by its own booking.
    /// </summary>
    [Fact]
    public async Task A_booking_resumed_after_its_row_was_committed_answers_that_booking()
    {
        var doctorCaller = await fx.DoctorAsync();
        var doctor = fx.Grains.GetGrain<IDoctorGrain>(doctorCaller.UserId);
        var patientId = Guid.NewGuid();
        var command = RulesClusterFixture.Booking(patientId, doctorCaller.UserId, RulesClusterFixture.SlotAfter(DateTimeOffset.UtcNow.AddDays(14)));
        var appointmentId = Guid.NewGuid();
        var hold = await doctor.Hold(command.Start, appointmentId, patientId, TimeSpan.FromMinutes(2));
        Assert.Equal(HoldStatus.Held, hold.Status);
        var price = hold.Doctor!.Price;
        Assert.Equal(PaymentStatus.Captured, (await fx.Grains.GetGrain<IPaymentGrain>(appointmentId).Charge(patientId, appointmentId, price, command.Card)).Status);
        var view = new AppointmentView(appointmentId, patientId, doctorCaller.UserId, hold.Doctor.Name, hold.Doctor.SpecialtyId, hold.Slot!.Start, hold.Slot.End,
            "UTC", command.Reason, AppointmentStatus.Booked, price, appointmentId, DateTimeOffset.UtcNow, null, 0);
        Assert.True(await doctor.ConfirmBooked(appointmentId, view));
        var request = await RequestThatMadeAsync(command, appointmentId);

        var resumed = await request.Book(command);
        Assert.True(resumed.IsOk, resumed.Failure?.Detail);
        Assert.Equal(view, resumed.Value);
        Assert.Equal(["captured"], await BookingDb.LedgerEventsAsync(appointmentId));
    }

    /// <summary>A booking request as stored when its grain had made the appointment id and then lost its activation.</summary>
    private async Task<IBookingRequestGrain> RequestThatMadeAsync(BookingCommand command, Guid appointmentId)
    {
        var request = fx.Grains.GetGrain<IBookingRequestGrain>(Guid.NewGuid());
        var salt = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var stored = new BookingRequestState { FingerprintSalt = salt, Fingerprint = command.Fingerprint(salt), AppointmentId = appointmentId };
        await Storage.WriteStateAsync("booking-request", request.GetGrainId(), new GrainState<BookingRequestState>(stored));
        return request;
    }
}
