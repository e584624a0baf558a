using System.Net;
using System.Text.Json.Nodes;

namespace HealthActors.Tests.Booking;

[Collection(BookingCollection.Name)]
public sealed class AppointmentLifecycleTests(BookingApiFactory factory)
{
    private readonly BookingApi _api = new(factory);

    private async Task<HttpResponseMessage> Post(string url, Actor caller) => await _api.SendAsync(HttpMethod.Post, url, caller);

    private static async Task<JsonObject> OkAsync(HttpResponseMessage r)
    {
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)r.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    [Fact]
    public async Task The_reason_is_stored_normalized_as_the_doctor_will_read_it()
    {
        var doctor = await _api.CreateDoctorAsync();
        var patient = await _api.RegisterPatientAsync();
        var body = BookingApi.BookingBody(doctor.Id, await _api.FreeSlotAsync(doctor.Id), reason: "c\u200bhest\u00a0pain when climbing\u2009stairs");
        var r = await _api.Http.SendAsync(BookingApi.BookingRequest(await patient.TokenAsync(), body, Guid.NewGuid().ToString()));
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var id = JsonNode.Parse(await r.Content.ReadAsStringAsync())!["id"]!.GetValue<Guid>();
        var stored = await _api.GetJsonAsync($"/api/appointments/{id}", doctor.Account);
        Assert.Equal("chest pain when climbing stairs", stored["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cancelling_more_than_a_day_ahead_refunds_in_full_and_frees_the_slot()
    {
        var doctor = await _api.CreateDoctorAsync(price: 55.50m);
        var patient = await _api.RegisterPatientAsync();
        var booked = await _api.BookOkAsync(patient, doctor.Id, await _api.FreeSlotAsync(doctor.Id, TimeSpan.FromHours(25)));

        var cancelled = await OkAsync(await Post($"/api/appointments/{booked.Id}/cancel", patient));
        Assert.Equal("cancelled", cancelled["status"]!.GetValue<string>());
        Assert.Equal(55.50m, cancelled["refundedAmount"]!.GetValue<decimal>());
        Assert.NotNull(cancelled["cancelledAt"]);

        var payment = await _api.GetJsonAsync($"/api/payments/{booked.PaymentId}", patient);
        Assert.Equal("refunded", payment["status"]!.GetValue<string>());
        Assert.Equal(55.50m, payment["refundedAmount"]!.GetValue<decimal>());
        Assert.Equal(["captured", "refunded"], await BookingDb.LedgerEventsAsync(booked.PaymentId));
        Assert.Equal(1, await BookingDb.CountAsync(
            "SELECT count(*) FROM payment_ledger WHERE payment_id = $1 AND event = 'refunded' AND amount = 55.50", booked.PaymentId));
        Assert.Equal(1, await BookingDb.CountAsync("SELECT count(*) FROM appointments WHERE id = $1 AND status = 'cancelled'", booked.Id));

        // The doctor hears about it, and the slot is anybody's again.
        var inbox = await _api.GetJsonAsync("/api/notifications", doctor.Account);
        Assert.Contains(inbox["items"]!.AsArray(), n => n!["kind"]!.GetValue<string>() == "appointment.cancelled" && n["subjectId"]!.GetValue<Guid>() == booked.Id);
        Assert.Contains(booked.Start, await _api.FreeSlotsAsync(doctor.Id, booked.Start, booked.Start.AddHours(1)));
        var next = await _api.RegisterPatientAsync();
        await _api.BookOkAsync(next, doctor.Id, booked.Start);
    }

    [Fact]
    public async Task Cancelling_less_than_a_day_ahead_refunds_nothing()
    {
        var doctor = await _api.CreateDoctorAsync();
        var patient = await _api.RegisterPatientAsync();
        var booked = await _api.BookOkAsync(patient, doctor.Id, await _api.FreeSlotAsync(doctor.Id, TimeSpan.FromHours(1), TimeSpan.FromHours(23)));

        var cancelled = await OkAsync(await Post($"/api/appointments/{booked.Id}/cancel", patient));
        Assert.Equal("cancelled", cancelled["status"]!.GetValue<string>());
        Assert.Equal(0m, cancelled["refundedAmount"]!.GetValue<decimal>());
        var payment = await _api.GetJsonAsync($"/api/payments/{booked.PaymentId}", patient);
        Assert.Equal("captured", payment["status"]!.GetValue<string>());
        Assert.Equal(0m, payment["refundedAmount"]!.GetValue<decimal>());
        Assert.Equal(["captured"], await BookingDb.LedgerEventsAsync(booked.PaymentId));
        Assert.Contains(booked.Start, await _api.FreeSlotsAsync(doctor.Id, booked.Start, booked.Start.AddHours(1)));
    }

    [Fact]
    public async Task Cancelling_twice_is_409_and_another_patient_cannot_cancel_at_all()
    {
        var doctor = await _api.CreateDoctorAsync();
        var patient = await _api.RegisterPatientAsync();
        var stranger = await _api.RegisterPatientAsync();
        var booked = await _api.BookOkAsync(patient, doctor.Id, await _api.FreeSlotAsync(doctor.Id, TimeSpan.FromHours(25)));

        await (await Post($"/api/appointments/{booked.Id}/cancel", stranger)).ProblemAsync(HttpStatusCode.NotFound);
        await (await Post($"/api/appointments/{Guid.NewGuid()}/cancel", patient)).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("booked", (await _api.GetJsonAsync($"/api/appointments/{booked.Id}", patient))["status"]!.GetValue<string>());

        await OkAsync(await Post($"/api/appointments/{booked.Id}/cancel", patient));
        await (await Post($"/api/appointments/{booked.Id}/cancel", patient)).ProblemAsync(HttpStatusCode.Conflict);
        // Refunded once, not twice.
        Assert.Equal(["captured", "refunded"], await BookingDb.LedgerEventsAsync(booked.PaymentId));
    }

    [Fact]
    public async Task Status_only_moves_forward_from_booked_and_not_before_the_start()
    {
        var doctor = await _api.CreateDoctorAsync();
        var patient = await _api.RegisterPatientAsync();
        var booked = await _api.BookOkAsync(patient, doctor.Id, await _api.FreeSlotAsync(doctor.Id, TimeSpan.FromHours(25)));

        // Nothing can be completed, nor anybody have failed to turn up, before it has started (the grain tests
        // move the clock to check the moves after the start).
        var early = await (await Post($"/api/appointments/{booked.Id}/complete", doctor.Account)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("NotYet", early["reason"]!.GetValue<string>());
        await (await Post($"/api/appointments/{booked.Id}/no-show", doctor.Account)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("booked", (await _api.GetJsonAsync($"/api/appointments/{booked.Id}", patient))["status"]!.GetValue<string>());
        Assert.Equal(1, await BookingDb.CountAsync("SELECT count(*) FROM appointments WHERE id = $1 AND status = 'booked'", booked.Id));

        // So the patient can still cancel with the full refund; after that the doctor can change nothing.
        await OkAsync(await Post($"/api/appointments/{booked.Id}/cancel", patient));
        await (await Post($"/api/appointments/{booked.Id}/complete", doctor.Account)).ProblemAsync(HttpStatusCode.Conflict);
        await (await Post($"/api/appointments/{booked.Id}/no-show", doctor.Account)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("cancelled", (await _api.GetJsonAsync($"/api/appointments/{booked.Id}", patient))["status"]!.GetValue<string>());
        Assert.Equal(["captured", "refunded"], await BookingDb.LedgerEventsAsync(booked.PaymentId));
    }

    [Fact]
    public async Task Only_the_appointments_own_doctor_may_complete_it()
    {
        var doctor = await _api.CreateDoctorAsync();
        var otherDoctor = await _api.CreateDoctorAsync(doctor.SpecialtyId);
        var patient = await _api.RegisterPatientAsync();
        var booked = await _api.BookOkAsync(patient, doctor.Id, await _api.FreeSlotAsync(doctor.Id));

        await (await Post($"/api/appointments/{booked.Id}/complete", otherDoctor.Account)).ProblemAsync(HttpStatusCode.NotFound);
        await (await Post($"/api/appointments/{booked.Id}/complete", patient)).ProblemAsync(HttpStatusCode.Forbidden);
        await (await Post($"/api/appointments/{booked.Id}/complete", await _api.AdminAsync())).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal("booked", (await _api.GetJsonAsync($"/api/appointments/{booked.Id}", patient))["status"]!.GetValue<string>());

        var mine = (await _api.GetJsonAsync("/api/doctors/me/appointments", doctor.Account)).AsArray();
        Assert.Equal(booked.Id, Assert.Single(mine)!["id"]!.GetValue<Guid>());
        Assert.Empty((await _api.GetJsonAsync("/api/doctors/me/appointments", otherDoctor.Account)).AsArray());
    }

    [Fact]
    public async Task A_booking_lets_that_doctor_read_the_patients_profile_audited_and_no_other_doctor()
    {
        var doctor = await _api.CreateDoctorAsync();
        var otherDoctor = await _api.CreateDoctorAsync(doctor.SpecialtyId);
        var patient = await _api.RegisterPatientAsync();
        var put = await _api.SendAsync(HttpMethod.Put, "/api/patients/me/profile", patient, new
        {
            firstName = "Ana", lastName = "García", birthDate = "1990-04-01", sex = "female",
            allergies = new[] { "penicillin" }, conditions = new[] { "asthma" },
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var url = $"/api/patients/{patient.Id}/profile";

        // Before any booking the doctor is a stranger.
        await (await _api.SendAsync(HttpMethod.Get, url, doctor.Account)).ProblemAsync(HttpStatusCode.NotFound);
        await _api.BookOkAsync(patient, doctor.Id, await _api.FreeSlotAsync(doctor.Id));

        var profile = await _api.GetJsonAsync(url, doctor.Account);
        Assert.Equal("Ana", profile["firstName"]!.GetValue<string>());
        Assert.Contains("penicillin", profile["allergies"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(1, await BookingDb.CountAsync(
            "SELECT count(*) FROM audit_events WHERE actor_id = $1 AND actor_role = 'doctor' AND action = 'patient.profile.read' AND subject_id = $2",
            doctor.Id, patient.Id));

        await (await _api.SendAsync(HttpMethod.Get, url, otherDoctor.Account)).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, await BookingDb.CountAsync(
            "SELECT count(*) FROM audit_events WHERE actor_id = $1 AND action = 'patient.profile.read' AND subject_id = $2", otherDoctor.Id, patient.Id));
        Assert.Equal(1, await BookingDb.CountAsync(
            "SELECT count(*) FROM audit_events WHERE actor_id = $1 AND action = 'patient.profile.read.denied' AND subject_id = $2", otherDoctor.Id, patient.Id));
    }
}
