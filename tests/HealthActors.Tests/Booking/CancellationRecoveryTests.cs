using System.Net;
using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Booking;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace HealthActors.Tests.Booking;

/// <summary>
/// The shipped test gateway, except that its refunds can be made to fail: first by timing out (the
/// cancel request dies half-way, as it would with a silo lost mid-call), then with a processor error.
/// </summary>
public sealed class FlakyRefundGateway : IPaymentGateway
{
    private readonly TestPaymentGateway _inner = new();
    public Queue<Func<GatewayResult>> RefundFailures { get; } = new();
    public int RefundAttempts;

    public Task<GatewayResult> Charge(Money amount, CardDetails card, string idempotencyKey, CancellationToken ct) =>
        _inner.Charge(amount, card, idempotencyKey, ct);

    public Task<GatewayResult> Refund(string transactionId, Money amount, string idempotencyKey, CancellationToken ct)
    {
        Interlocked.Increment(ref RefundAttempts);
        lock (RefundFailures)
            if (RefundFailures.TryDequeue(out var fail)) return Task.FromResult(fail());
        return _inner.Refund(transactionId, amount, idempotencyKey, ct);
    }
}

public sealed class FlakyRefundApiFactory : BookingApiFactory
{
    public FlakyRefundGateway Gateway { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IPaymentGateway>(Gateway));
    }
}

public sealed class CancellationRecoveryTests(FlakyRefundApiFactory factory) : IClassFixture<FlakyRefundApiFactory>
{
    private readonly BookingApi _api = new(factory);

    [Fact]
    public async Task A_cancellation_cut_short_is_finished_later_with_exactly_one_refund()
    {
        var doctor = await _api.CreateDoctorAsync(price: 70m);
        var patient = await _api.RegisterPatientAsync();
        var booked = await _api.BookOkAsync(patient, doctor.Id, await _api.FreeSlotAsync(doctor.Id, TimeSpan.FromHours(30)));
        var grain = factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IAppointmentGrain>(booked.Id);
        var reminders = factory.Services.GetRequiredService<IReminderTable>();
        async Task<IReadOnlyList<string>> ReminderNames() =>
            (await reminders.ReadRows(grain.GetGrainId())).Reminders.Select(r => r.ReminderName).ToList();

        // 1. The refund call times out: the request fails, but the decision and what was done stand.
        factory.Gateway.RefundFailures.Enqueue(() => throw new TimeoutException("processor did not answer"));
        var first = await _api.SendAsync(HttpMethod.Post, $"/api/appointments/{booked.Id}/cancel", patient);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal(1, await BookingDb.CountAsync("SELECT count(*) FROM appointments WHERE id = $1 AND status = 'cancelled'", booked.Id));
        Assert.Contains(booked.Start, await _api.FreeSlotsAsync(doctor.Id, booked.Start, booked.Start.AddHours(1)));
        Assert.Equal(["captured"], await BookingDb.LedgerEventsAsync(booked.PaymentId));
        Assert.Contains("appointment-finish-cancel", await ReminderNames());
        // Half-cancelled is not bookable as done by the doctor.
        Assert.Equal(HttpStatusCode.Conflict, (await _api.SendAsync(HttpMethod.Post, $"/api/appointments/{booked.Id}/complete", doctor.Account)).StatusCode);

        // 2. The patient retries; the processor now refuses. The cancellation stands, the refund is still owed.
        factory.Gateway.RefundFailures.Enqueue(() => new GatewayResult(GatewayOutcome.ProcessorError, null, "processing_error"));
        var second = await _api.SendAsync(HttpMethod.Post, $"/api/appointments/{booked.Id}/cancel", patient);
        var secondBody = JsonNode.Parse(await second.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("cancelled", secondBody["status"]!.GetValue<string>());
        Assert.Equal(0m, secondBody["refundedAmount"]!.GetValue<decimal>());
        Assert.Contains("appointment-finish-cancel", await ReminderNames());

        // 3. The durable reminder's next tick (delivered here directly rather than waiting a minute) pays it.
        await grain.AsReference<IRemindable>().ReceiveReminder("appointment-finish-cancel", default);
        var view = await _api.GetJsonAsync($"/api/appointments/{booked.Id}", patient);
        Assert.Equal("cancelled", view["status"]!.GetValue<string>());
        Assert.Equal(70m, view["refundedAmount"]!.GetValue<decimal>());
        Assert.Equal(["captured", "refunded"], await BookingDb.LedgerEventsAsync(booked.PaymentId));
        Assert.DoesNotContain("appointment-finish-cancel", await ReminderNames());

        // Once settled, nothing repeats: another tick, another cancel and a stray tick refund nothing more.
        await grain.AsReference<IRemindable>().ReceiveReminder("appointment-finish-cancel", default);
        Assert.Equal(HttpStatusCode.Conflict, (await _api.SendAsync(HttpMethod.Post, $"/api/appointments/{booked.Id}/cancel", patient)).StatusCode);
        Assert.Equal(["captured", "refunded"], await BookingDb.LedgerEventsAsync(booked.PaymentId));
        var payment = await _api.GetJsonAsync($"/api/payments/{booked.PaymentId}", patient);
        Assert.Equal("refunded", payment["status"]!.GetValue<string>());
        Assert.Equal(70m, payment["refundedAmount"]!.GetValue<decimal>());
        var inbox = await _api.GetJsonAsync("/api/notifications", doctor.Account);
        Assert.Single(inbox["items"]!.AsArray(), n => n!["kind"]!.GetValue<string>() == "appointment.cancelled" && n["subjectId"]!.GetValue<Guid>() == booked.Id);
        Assert.Equal(3, factory.Gateway.RefundAttempts);
    }
    [Fact]
    public async Task A_retirement_cut_short_by_a_failed_refund_is_finished_by_the_doctors_reminder_with_one_refund()
    {
        var doctor = await _api.CreateDoctorAsync(price: 35m);
        var patient = await _api.RegisterPatientAsync();
        var booked = await _api.BookOkAsync(patient, doctor.Id, await _api.FreeSlotAsync(doctor.Id, TimeSpan.FromHours(5), TimeSpan.FromHours(20)));
        var doctorGrain = factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IDoctorGrain>(doctor.Id);
        var reminders = factory.Services.GetRequiredService<IReminderTable>();
        async Task<IReadOnlyList<string>> ReminderNames() =>
            (await reminders.ReadRows(doctorGrain.GetGrainId())).Reminders.Select(r => r.ReminderName).ToList();

        // The refund times out during the demotion: the demotion and the retirement stand, the rest is owed.
        factory.Gateway.RefundFailures.Enqueue(() => throw new TimeoutException("processor did not answer"));
        var admin = await _api.AdminAsync();
        var demote = await _api.SendAsync(HttpMethod.Post, $"/api/admin/users/{doctor.Id}/role", admin, new { role = "patient" });
        Assert.Equal(HttpStatusCode.OK, demote.StatusCode);
        await (await _api.Http.GetAsync($"/api/doctors/{doctor.Id}")).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(["captured"], await BookingDb.LedgerEventsAsync(booked.PaymentId));
        Assert.Contains("doctor-finish-retirement", await ReminderNames());

        // The reminders' next ticks (delivered directly rather than waiting a minute) finish it: the doctor's ends the
        // retirement, the appointment's (its cancellation was decided before the refund failed) pays in full, once.
        await doctorGrain.AsReference<IRemindable>().ReceiveReminder("doctor-finish-retirement", default);
        Assert.DoesNotContain("doctor-finish-retirement", await ReminderNames());
        var appointment = factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IAppointmentGrain>(booked.Id);
        await appointment.AsReference<IRemindable>().ReceiveReminder("appointment-finish-cancel", default);
        var view = await _api.GetJsonAsync($"/api/appointments/{booked.Id}", patient);
        Assert.Equal("cancelled", view["status"]!.GetValue<string>());
        Assert.Equal(35m, view["refundedAmount"]!.GetValue<decimal>());
        var inbox = await _api.GetJsonAsync("/api/notifications", patient);
        Assert.Single(inbox["items"]!.AsArray(), n => n!["kind"]!.GetValue<string>() == "appointment.cancelled" && n["subjectId"]!.GetValue<Guid>() == booked.Id);

        // A stray tick and another retirement pay nothing more.
        await doctorGrain.AsReference<IRemindable>().ReceiveReminder("doctor-finish-retirement", default);
        await appointment.AsReference<IRemindable>().ReceiveReminder("appointment-finish-cancel", default);
        await doctorGrain.Retire(new HealthActors.Grains.Abstractions.Identity.Caller(admin.Id, "admin"));
        Assert.Equal(["captured", "refunded"], await BookingDb.LedgerEventsAsync(booked.PaymentId));
    }
}
