using System.Net;
using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Tests.Marketplace;
using Microsoft.Extensions.DependencyInjection;

namespace HealthActors.Tests.Booking;

/// <summary>
/// An admin takes a doctor's role away: the doctor leaves the catalog and the auction boards, their access
/// ends, and their future appointments are cancelled with a full refund and the patients told.
/// </summary>
[Collection(BookingCollection.Name)]
public sealed class DoctorRetirementTests(BookingApiFactory factory)
{
    private readonly BookingApi _api = new(factory);

    private async Task<HttpResponseMessage> SetRole(Guid userId, string role) =>
        await _api.SendAsync(HttpMethod.Post, $"/api/admin/users/{userId}/role", await _api.AdminAsync(), new { role });

    private async Task<Actor> SignInAgain(Actor who, string password) =>
        new(_api.Http, who.Email, password, await _api.Http.LoginAsync(who.Email, password));

    [Fact]
    public async Task A_demoted_doctor_leaves_the_catalog_loses_access_and_their_patients_are_refunded_in_full()
    {
        var doctor = await _api.CreateDoctorAsync(price: 61.25m);
        var patient = await _api.RegisterPatientAsync();
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Put, "/api/patients/me/profile", patient, new
        {
            firstName = "Ana", lastName = "García", birthDate = "1990-04-01", sex = "female", allergies = new[] { "penicillin" },
        })).StatusCode);
        // Inside the 24-hour window, where a patient's own cancel refunds nothing: the practice's cancel still refunds all.
        var booked = await _api.BookOkAsync(patient, doctor.Id, await _api.FreeSlotAsync(doctor.Id, TimeSpan.FromHours(2), TimeSpan.FromHours(20)));

        // A standing bid of the doctor in another patient's auction.
        var market = new MarketApi(_api.Http);
        var asker = await _api.RegisterPatientAsync();
        var windowFrom = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(2).AddHours(8);
        var auctionId = await market.CreateAuction(await asker.TokenAsync(), doctor.SpecialtyId, windowFrom, windowFrom.AddHours(4), DateTimeOffset.UtcNow.AddHours(1));
        var bidId = await market.Bid(auctionId, await doctor.Account.TokenAsync(), 45m, windowFrom.AddHours(1));

        // Before: the doctor reads the appointment and the patient's profile.
        await _api.GetJsonAsync($"/api/appointments/{booked.Id}", doctor.Account);
        await _api.GetJsonAsync($"/api/patients/{patient.Id}/profile", doctor.Account);

        Assert.Equal(HttpStatusCode.OK, (await SetRole(doctor.Id, Roles.Patient)).StatusCode);

        // Out of the catalog: not listed, not found, not bookable.
        var listed = await _api.Http.GetStringAsync($"/api/doctors?specialtyId={doctor.SpecialtyId}&pageSize=100");
        Assert.DoesNotContain(doctor.Id.ToString(), listed);
        await (await _api.Http.GetAsync($"/api/doctors/{doctor.Id}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await _api.Http.GetAsync($"/api/doctors/{doctor.Id}/slots")).ProblemAsync(HttpStatusCode.NotFound);
        var latecomer = await _api.RegisterPatientAsync();
        await (await _api.BookAsync(latecomer, doctor.Id, booked.Start.AddHours(1))).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty(await BookingDb.LedgerEventsAsync(latecomer.Id));

        // Access ends: signed in again (now a patient), the same user id reads nothing of the patient's.
        var exDoctor = await SignInAgain(doctor.Account, BookingApi.DoctorPassword);
        await (await _api.SendAsync(HttpMethod.Get, $"/api/appointments/{booked.Id}", exDoctor)).ProblemAsync(HttpStatusCode.NotFound);
        await (await _api.SendAsync(HttpMethod.Get, $"/api/patients/{patient.Id}/profile", exDoctor)).ProblemAsync(HttpStatusCode.NotFound);

        // The future appointment is cancelled with the full price back, and the patient is told.
        var appointment = await _api.GetJsonAsync($"/api/appointments/{booked.Id}", patient);
        Assert.Equal("cancelled", appointment["status"]!.GetValue<string>());
        Assert.Equal(61.25m, appointment["refundedAmount"]!.GetValue<decimal>());
        var payment = await _api.GetJsonAsync($"/api/payments/{booked.PaymentId}", patient);
        Assert.Equal("refunded", payment["status"]!.GetValue<string>());
        Assert.Equal(1, await BookingDb.CountAsync("SELECT count(*) FROM appointments WHERE id = $1 AND status = 'cancelled'", booked.Id));
        var inbox = await _api.GetJsonAsync("/api/notifications", patient);
        Assert.Contains(inbox["items"]!.AsArray(), n => n!["kind"]!.GetValue<string>() == "appointment.cancelled" && n["subjectId"]!.GetValue<Guid>() == booked.Id);

        // The standing bid is gone from the auction, announced as withdrawn, and its slot no longer held.
        var auction = await market.Get(auctionId, await asker.TokenAsync());
        Assert.Empty(auction["bids"]!.AsArray());
        var events = await market.Events(auctionId, await asker.TokenAsync());
        Assert.Contains(events, e => e!["type"]!.GetValue<string>() == "BidWithdrawn" && e["bid"]!["id"]!.GetValue<Guid>() == bidId);

        // The retirement is audited, with the admin as actor.
        var admin = await _api.AdminAsync();
        Assert.Equal(1, await BookingDb.CountAsync(
            "SELECT count(*) FROM audit_events WHERE actor_id = $1 AND action = 'doctor.retired' AND subject_id = $2", admin.Id, doctor.Id));

        // Retiring again (promoted, then demoted once more) refunds nothing twice and lists nothing again.
        Assert.Equal(HttpStatusCode.OK, (await SetRole(doctor.Id, Roles.Doctor)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SetRole(doctor.Id, Roles.Patient)).StatusCode);
        Assert.Equal(["captured", "refunded"], await BookingDb.LedgerEventsAsync(booked.PaymentId));
        await (await _api.Http.GetAsync($"/api/doctors/{doctor.Id}")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_doctor_whose_role_changed_cannot_complete_or_read_with_a_new_token_of_another_role()
    {
        var doctor = await _api.CreateDoctorAsync();
        var patient = await _api.RegisterPatientAsync();
        var booked = await _api.BookOkAsync(patient, doctor.Id, await _api.FreeSlotAsync(doctor.Id, TimeSpan.FromHours(30)));

        // Made an admin: an admin may read (audited), but the doctor's own paths are closed to them.
        Assert.Equal(HttpStatusCode.OK, (await SetRole(doctor.Id, Roles.Admin)).StatusCode);
        var asAdmin = await SignInAgain(doctor.Account, BookingApi.DoctorPassword);
        await (await _api.SendAsync(HttpMethod.Post, $"/api/appointments/{booked.Id}/complete", asAdmin)).ProblemAsync(HttpStatusCode.Forbidden);
        var appointment = await _api.GetJsonAsync($"/api/appointments/{booked.Id}", asAdmin);
        Assert.Equal("cancelled", appointment["status"]!.GetValue<string>());
        Assert.Equal(1, await BookingDb.CountAsync(
            "SELECT count(*) FROM audit_events WHERE actor_id = $1 AND action = 'appointment.read' AND detail = $2", doctor.Id, booked.Id.ToString()));
    }

    [Fact]
    public async Task Retiring_a_doctor_twice_through_the_grain_cancels_and_refunds_once()
    {
        var doctor = await _api.CreateDoctorAsync(price: 30m);
        var patient = await _api.RegisterPatientAsync();
        var booked = await _api.BookOkAsync(patient, doctor.Id, await _api.FreeSlotAsync(doctor.Id, TimeSpan.FromHours(3)));
        var admin = await _api.AdminAsync();
        var grain = factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IDoctorGrain>(doctor.Id);

        await grain.Retire(new Caller(admin.Id, Roles.Admin));
        await grain.Retire(new Caller(admin.Id, Roles.Admin));

        Assert.Equal(["captured", "refunded"], await BookingDb.LedgerEventsAsync(booked.PaymentId));
        Assert.Equal(1, await BookingDb.CountAsync(
            "SELECT count(*) FROM audit_events WHERE action = 'doctor.retired' AND subject_id = $1", doctor.Id));
        var inbox = await _api.GetJsonAsync("/api/notifications", patient);
        Assert.Single(inbox["items"]!.AsArray(), n => n!["kind"]!.GetValue<string>() == "appointment.cancelled");
        // Only an admin's decision retires a doctor.
        await Assert.ThrowsAsync<HealthActors.Grains.Abstractions.Common.AccessDeniedException>(() => grain.Retire(new Caller(patient.Id, Roles.Patient)));
    }
}
