using System.Net;
using HealthActors.Tests.Marketplace;

namespace HealthActors.Tests.Booking;

/// <summary>An admin's reads of an auction (the patient's symptoms) and an admin's cancellations leave an audit row, as profile reads do.</summary>
[Collection(BookingCollection.Name)]
public sealed class AdminAuditTests(BookingApiFactory factory)
{
    private readonly BookingApi _api = new(factory);

    private static Task<long> AuditRows(Guid actorId, string action, Guid subjectId, Guid detail) =>
        BookingDb.CountAsync("SELECT count(*) FROM audit_events WHERE actor_id = $1 AND action = $2 AND subject_id = $3 AND detail = $4",
            actorId, action, subjectId, detail.ToString());

    [Fact]
    public async Task An_admin_reading_an_auction_or_its_events_is_audited_and_the_patient_reading_it_is_not()
    {
        var doctor = await _api.CreateDoctorAsync();
        var patient = await _api.RegisterPatientAsync();
        var admin = await _api.AdminAsync();
        var market = new MarketApi(_api.Http);
        var from = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(3);
        var auctionId = await market.CreateAuction(await patient.TokenAsync(), doctor.SpecialtyId, from, from.AddHours(6), DateTimeOffset.UtcNow.AddHours(1));

        await market.Get(auctionId, await patient.TokenAsync());
        await market.Events(auctionId, await patient.TokenAsync());
        Assert.Equal(0, await BookingDb.CountAsync("SELECT count(*) FROM audit_events WHERE detail = $1", auctionId.ToString()));

        var view = await market.Get(auctionId, await admin.TokenAsync());
        Assert.Equal("persistent cough and mild fever", view["symptoms"]!.GetValue<string>());
        Assert.Equal(1, await AuditRows(admin.Id, "auction.read", patient.Id, auctionId));
        await market.Events(auctionId, await admin.TokenAsync());
        Assert.Equal(1, await AuditRows(admin.Id, "auction.events.read", patient.Id, auctionId));
    }

    [Fact]
    public async Task An_admin_cancelling_an_appointment_is_audited_and_the_patient_cancelling_is_not()
    {
        var doctor = await _api.CreateDoctorAsync();
        var patient = await _api.RegisterPatientAsync();
        var admin = await _api.AdminAsync();
        var byAdmin = await _api.BookOkAsync(patient, doctor.Id, await _api.FreeSlotAsync(doctor.Id, TimeSpan.FromHours(30)));
        var byPatient = await _api.BookOkAsync(patient, doctor.Id, await _api.FreeSlotAsync(doctor.Id, TimeSpan.FromHours(40)));

        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"/api/appointments/{byAdmin.Id}/cancel", admin)).StatusCode);
        Assert.Equal(1, await AuditRows(admin.Id, "appointment.cancel", patient.Id, byAdmin.Id));

        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"/api/appointments/{byPatient.Id}/cancel", patient)).StatusCode);
        Assert.Equal(0, await BookingDb.CountAsync("SELECT count(*) FROM audit_events WHERE detail = $1", byPatient.Id.ToString()));
    }
}
