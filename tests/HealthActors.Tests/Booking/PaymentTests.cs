using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Booking;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;

namespace HealthActors.Tests.Booking;

[Collection(BookingCollection.Name)]
public sealed class PaymentTests(BookingApiFactory factory)
{
    private readonly BookingApi _api = new(factory);

    [Fact]
    public async Task A_declined_card_is_402_and_the_slot_is_free_again_at_once()
    {
        var doctor = await _api.CreateDoctorAsync();
        var declined = await _api.RegisterPatientAsync();
        var next = await _api.RegisterPatientAsync();
        var slot = await _api.FreeSlotAsync(doctor.Id);

        var problem = await (await _api.BookAsync(declined, doctor.Id, slot, Cards.Declined)).ProblemAsync(HttpStatusCode.PaymentRequired);
        Assert.Contains("declined", problem["title"]!.GetValue<string>());
        Assert.Contains(slot, await _api.FreeSlotsAsync(doctor.Id, slot, slot.AddHours(1)));
        Assert.Equal(["declined"], await BookingDb.LedgerEventsAsync(declined.Id));
        Assert.Equal(0, await BookingDb.CountAsync("SELECT count(*) FROM appointments WHERE patient_id = $1", declined.Id));

        var booked = await _api.BookOkAsync(next, doctor.Id, slot);
        Assert.Equal(slot, booked.Start);
    }

    [Fact]
    public async Task A_processor_error_is_502_frees_the_slot_and_leaves_one_failed_row_and_no_charge()
    {
        var doctor = await _api.CreateDoctorAsync();
        var unlucky = await _api.RegisterPatientAsync();
        var next = await _api.RegisterPatientAsync();
        var slot = await _api.FreeSlotAsync(doctor.Id);

        await (await _api.BookAsync(unlucky, doctor.Id, slot, Cards.ProcessorError)).ProblemAsync(HttpStatusCode.BadGateway);

        Assert.Contains(slot, await _api.FreeSlotsAsync(doctor.Id, slot, slot.AddHours(1)));
        // The grain retries the processor a few times under one idempotency key, then records a single failure.
        Assert.Equal(["failed"], await BookingDb.LedgerEventsAsync(unlucky.Id));
        var paymentId = Assert.Single(await BookingDb.PaymentIdsAsync(unlucky.Id));
        Assert.Same(factory.Payments, factory.Services.GetRequiredService<IPaymentGateway>());
        Assert.Equal(3, factory.Payments.ChargeKeys.Count(k => k == "charge-" + paymentId.ToString("N")));
        Assert.Equal(0, await BookingDb.CountAsync("SELECT count(*) FROM appointments WHERE patient_id = $1", unlucky.Id));
        await _api.BookOkAsync(next, doctor.Id, slot);
    }

    [Fact]
    public async Task An_abandoned_hold_blocks_the_slot_until_it_expires_by_itself()
    {
        var doctor = await _api.CreateDoctorAsync();
        var patient = await _api.RegisterPatientAsync();
        var slot = await _api.FreeSlotAsync(doctor.Id);
        await _api.FreeSlotsAsync(doctor.Id, slot, slot.AddHours(1));
        var grains = factory.Services.GetRequiredService<IGrainFactory>();

        // Long enough for two quick HTTP calls on a loaded machine, short enough to wait out.
        var ttl = TimeSpan.FromSeconds(3);
        var clock = Stopwatch.StartNew();
        var hold = await grains.GetGrain<IDoctorGrain>(doctor.Id).Hold(slot, Guid.NewGuid(), Guid.NewGuid(), ttl);
        Assert.Equal(HoldStatus.Held, hold.Status);

        Assert.DoesNotContain(slot, await _api.FreeSlotsAsync(doctor.Id, slot, slot.AddHours(1)));
        var taken = await (await _api.BookAsync(patient, doctor.Id, slot)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("SlotTaken", taken["reason"]!.GetValue<string>());
        Assert.True(clock.Elapsed < ttl, $"the checks under the hold took {clock.Elapsed}, longer than the hold itself");

        var freed = false;
        while (!freed && clock.Elapsed < ttl + TimeSpan.FromSeconds(10))
        {
            await Task.Delay(250);
            freed = (await _api.FreeSlotsAsync(doctor.Id, slot, slot.AddHours(1))).Contains(slot);
        }
        Assert.True(freed, "the slot did not come back after the hold expired");
        Assert.True(clock.Elapsed >= ttl);
        await _api.BookOkAsync(patient, doctor.Id, slot);
    }

    [Fact]
    public async Task The_payment_shows_brand_and_last_four_to_the_payer_and_an_admin_only()
    {
        var doctor = await _api.CreateDoctorAsync();
        var payer = await _api.RegisterPatientAsync();
        var other = await _api.RegisterPatientAsync();
        var booked = await _api.BookOkAsync(payer, doctor.Id, await _api.FreeSlotAsync(doctor.Id));

        var payment = await _api.GetJsonAsync($"/api/payments/{booked.PaymentId}", payer);
        Assert.Equal("visa", payment["brand"]!.GetValue<string>());
        Assert.Equal("4242", payment["last4"]!.GetValue<string>());
        Assert.Equal("captured", payment["status"]!.GetValue<string>());
        Assert.Equal(doctor.Price, payment["amount"]!.GetValue<decimal>());
        Assert.Equal(booked.Id, payment["appointmentId"]!.GetValue<Guid>());
        Assert.DoesNotContain(Cards.Visa, payment.ToJsonString());

        await (await _api.SendAsync(HttpMethod.Get, $"/api/payments/{booked.PaymentId}", other)).ProblemAsync(HttpStatusCode.NotFound);
        await (await _api.SendAsync(HttpMethod.Get, $"/api/payments/{booked.PaymentId}", doctor.Account)).ProblemAsync(HttpStatusCode.NotFound);
        var asAdmin = await _api.GetJsonAsync($"/api/payments/{booked.PaymentId}", await _api.AdminAsync());
        Assert.Equal("4242", asAdmin["last4"]!.GetValue<string>());
    }

    [Fact]
    public async Task No_full_card_number_or_cvc_is_stored_or_logged_anywhere()
    {
        var since = DateTime.UtcNow.AddMinutes(-1);
        var doctor = await _api.CreateDoctorAsync();
        var patient = await _api.RegisterPatientAsync();
        // Unusual CVCs, so a match in the logs would mean the CVC itself and not some unrelated number.
        const string visaCvc = "739";
        const string declinedCvc = "618";
        var booked = await _api.BookOkAsync(patient, doctor.Id, await _api.FreeSlotAsync(doctor.Id, TimeSpan.FromHours(25)), Cards.Visa, visaCvc);
        await (await _api.BookAsync(patient, doctor.Id, await _api.FreeSlotAsync(doctor.Id), Cards.Declined, declinedCvc))
            .ProblemAsync(HttpStatusCode.PaymentRequired);
        // A bad card must not be echoed back in the validation answer either.
        var invalid = BookingApi.BookingBody(doctor.Id, await _api.FreeSlotAsync(doctor.Id), "4242424242424241", visaCvc);
        var refused = await _api.Http.SendAsync(BookingApi.BookingRequest(await patient.TokenAsync(), invalid, Guid.NewGuid().ToString()));
        var problem = await refused.ValidationProblemAsync("payment.cardNumber");
        Assert.DoesNotContain("4242424242424241", problem.ToJsonString());
        // Cancelling more than a day ahead refunds, which rewrites the stored payment and appointment.
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"/api/appointments/{booked.Id}/cancel", patient)).StatusCode);

        foreach (var number in new[] { Cards.Visa, Cards.Declined })
        {
            Assert.Equal(0, await BookingDb.CountAsync("SELECT count(*) FROM payment_ledger t WHERE t.at >= $1 AND t::text LIKE $2", since, $"%{number}%"));
            Assert.Equal(0, await BookingDb.CountAsync("SELECT count(*) FROM appointments t WHERE t.created_at >= $1 AND t::text LIKE $2", since, $"%{number}%"));
            Assert.Equal(0, await BookingDb.CountAsync("SELECT count(*) FROM audit_events t WHERE t.at >= $1 AND t::text LIKE $2", since, $"%{number}%"));
            Assert.Equal(0, await BookingDb.CountAsync(
                "SELECT count(*) FROM orleans_grain_state WHERE service_id = $1 AND position($2 in payload_binary) > 0",
                factory.ServiceId, Encoding.ASCII.GetBytes(number)));
        }
        // The search above is only meaningful if the state rows carry readable strings: the visit reason is one.
        Assert.True(await BookingDb.CountAsync(
            "SELECT count(*) FROM orleans_grain_state WHERE service_id = $1 AND position($2 in payload_binary) > 0",
            factory.ServiceId, Encoding.UTF8.GetBytes(booked.Body["reason"]!.GetValue<string>())) > 0);
        Assert.Equal(["captured", "declined", "refunded"], await BookingDb.LedgerEventsAsync(patient.Id));

        var logs = factory.Logs.ToArray();
        Assert.NotEmpty(logs);
        var digitGroups = new Regex(@"4242\D?4242\D?4242\D?4242|4000\D?0000\D?0000\D?0002");
        Assert.DoesNotContain(logs, line => digitGroups.IsMatch(line));
        var cvc = new Regex($@"(?<![0-9A-Fa-f]){visaCvc}(?![0-9A-Fa-f])|(?<![0-9A-Fa-f]){declinedCvc}(?![0-9A-Fa-f])");
        Assert.DoesNotContain(logs, line => cvc.IsMatch(line));
        Assert.DoesNotContain(logs, line => line.Contains("cvc", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The payment grain keeps no grain state: each charge and refund is one ledger row, and a new activation reads the
    /// payment back from those rows alone.
    /// </summary>
    [Fact]
    public async Task A_payment_is_its_ledger_rows_and_reads_back_the_same_after_a_deactivation()
    {
        var doctor = await _api.CreateDoctorAsync(price: 64m);
        var payer = await _api.RegisterPatientAsync();
        var booked = await _api.BookOkAsync(payer, doctor.Id, await _api.FreeSlotAsync(doctor.Id, TimeSpan.FromHours(30)));
        var before = await _api.GetJsonAsync($"/api/payments/{booked.PaymentId}", payer);
        Assert.Equal("captured", before["status"]!.GetValue<string>());
        var grains = factory.Services.GetRequiredService<IGrainFactory>();

        await grains.GetGrain<IPaymentGrain>(booked.PaymentId).AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        var again = await _api.GetJsonAsync($"/api/payments/{booked.PaymentId}", payer);
        foreach (var field in new[] { "paymentId", "payerId", "appointmentId", "amount", "currency", "brand", "last4", "status", "transactionId", "refundedAmount" })
            Assert.Equal(before[field]!.ToJsonString(), again[field]!.ToJsonString());

        // Cancelled more than a day ahead: refunded in full, one more row.
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"/api/appointments/{booked.Id}/cancel", payer)).StatusCode);
        await grains.GetGrain<IPaymentGrain>(booked.PaymentId).AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        var refunded = await _api.GetJsonAsync($"/api/payments/{booked.PaymentId}", payer);
        Assert.Equal("refunded", refunded["status"]!.GetValue<string>());
        Assert.Equal(64m, refunded["refundedAmount"]!.GetValue<decimal>());
        Assert.Equal(before["transactionId"]!.GetValue<string>(), refunded["transactionId"]!.GetValue<string>());
        Assert.Equal(["captured", "refunded"], await BookingDb.LedgerEventsAsync(booked.PaymentId));
        Assert.Equal(0, await BookingDb.CountAsync(
            "SELECT count(*) FROM orleans_grain_state WHERE service_id = $1 AND grain_type_string = 'payment'", factory.ServiceId));

        // A repeated refund (the cancellation's reminder firing again) pays nothing more and writes no row.
        var repeat = await grains.GetGrain<IPaymentGrain>(booked.PaymentId).Refund(64m, "again");
        Assert.Equal(PaymentStatus.Refunded, repeat.Status);
        Assert.Equal(["captured", "refunded"], await BookingDb.LedgerEventsAsync(booked.PaymentId));
    }
}
