using System.Net;
using System.Text.Json.Nodes;

namespace HealthActors.Tests.Booking;

[Collection(BookingCollection.Name)]
public sealed class BookingConcurrencyTests(BookingApiFactory factory)
{
    private readonly BookingApi _api = new(factory);

    [Fact]
    public async Task A_hundred_patients_racing_for_one_slot_get_one_booking_one_charge_and_ninety_nine_409s()
    {
        // A doctor of its own, so "live appointments of this doctor" counts only this race.
        var doctor = await _api.CreateDoctorAsync();
        var patients = await _api.RegisterPatientsAsync(100);
        var slot = await _api.FreeSlotAsync(doctor.Id);
        var requests = new List<HttpRequestMessage>();
        foreach (var p in patients)
            requests.Add(BookingApi.BookingRequest(await p.TokenAsync(), BookingApi.BookingBody(doctor.Id, slot), Guid.NewGuid().ToString()));

        var responses = await Task.WhenAll(requests.Select(r => _api.Http.SendAsync(r)));

        var statuses = responses.GroupBy(r => r.StatusCode).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.Created) == 1 && statuses.GetValueOrDefault(HttpStatusCode.Conflict) == 99,
            "statuses: " + string.Join(", ", statuses.Select(s => $"{(int)s.Key}x{s.Value}")));
        var winner = JsonNode.Parse(await responses.Single(r => r.StatusCode == HttpStatusCode.Created).Content.ReadAsStringAsync())!;
        var loser = await responses.First(r => r.StatusCode == HttpStatusCode.Conflict).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("SlotTaken", loser["reason"]!.GetValue<string>());

        var payers = patients.Select(p => p.Id).ToArray();
        Assert.Equal(1, await BookingDb.CountAsync(
            "SELECT count(*) FROM payment_ledger WHERE payer_id = ANY($1) AND event = 'captured'", payers));
        // Every loser was turned away at the hold, before any card was touched.
        Assert.Equal(0, await BookingDb.CountAsync(
            "SELECT count(*) FROM payment_ledger WHERE payer_id = ANY($1) AND event <> 'captured'", payers));
        Assert.Equal(1, await BookingDb.CountAsync(
            "SELECT count(*) FROM payment_ledger l JOIN appointments a ON a.id = l.appointment_id WHERE a.doctor_id = $1 AND l.event = 'captured'", doctor.Id));
        Assert.Equal(1, await BookingDb.CountAsync(
            "SELECT count(*) FROM appointments WHERE doctor_id = $1 AND status <> 'cancelled'", doctor.Id));
        Assert.Equal(1, await BookingDb.CountAsync(
            "SELECT count(*) FROM appointments WHERE id = $1 AND lower(during) = $2 AND patient_id = $3",
            winner["id"]!.GetValue<Guid>(), slot.UtcDateTime, winner["patientId"]!.GetValue<Guid>()));
        Assert.DoesNotContain(slot, await _api.FreeSlotsAsync(doctor.Id, slot.AddMinutes(-1), slot.AddHours(1)));
    }

    [Fact]
    public async Task Concurrent_retries_with_one_idempotency_key_book_and_charge_once()
    {
        var doctor = await _api.CreateDoctorAsync();
        var patient = await _api.RegisterPatientAsync();
        var slot = await _api.FreeSlotAsync(doctor.Id);
        var key = Guid.NewGuid().ToString();
        var token = await patient.TokenAsync();
        var body = BookingApi.BookingBody(doctor.Id, slot);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _api.Http.SendAsync(BookingApi.BookingRequest(token, body, key))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var ids = new HashSet<Guid>();
        foreach (var r in responses) ids.Add(JsonNode.Parse(await r.Content.ReadAsStringAsync())!["id"]!.GetValue<Guid>());
        var id = Assert.Single(ids);

        // A retry after the first answer was stored gets that answer too.
        var late = await _api.Http.SendAsync(BookingApi.BookingRequest(token, body, key));
        Assert.Equal(HttpStatusCode.Created, late.StatusCode);
        Assert.Equal(id, JsonNode.Parse(await late.Content.ReadAsStringAsync())!["id"]!.GetValue<Guid>());

        Assert.Equal(1, await BookingDb.CountAsync("SELECT count(*) FROM appointments WHERE patient_id = $1", patient.Id));
        Assert.Equal(1, await BookingDb.CountAsync("SELECT count(*) FROM appointments WHERE doctor_id = $1", doctor.Id));
        Assert.Equal(["captured"], await BookingDb.LedgerEventsAsync(patient.Id));
        var mine = (await _api.GetJsonAsync("/api/appointments", patient)).AsArray();
        Assert.Equal(id, Assert.Single(mine)!["id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task The_same_key_with_a_different_body_is_422_and_changes_nothing()
    {
        var doctor = await _api.CreateDoctorAsync();
        var patient = await _api.RegisterPatientAsync();
        var slot = await _api.FreeSlotWithNextAsync(doctor.Id);
        var key = Guid.NewGuid().ToString();
        var token = await patient.TokenAsync();
        var first = await _api.Http.SendAsync(BookingApi.BookingRequest(token, BookingApi.BookingBody(doctor.Id, slot), key));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        var otherSlot = BookingApi.BookingBody(doctor.Id, slot.AddMinutes(30));
        await (await _api.Http.SendAsync(BookingApi.BookingRequest(token, otherSlot, key))).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        var otherReason = BookingApi.BookingBody(doctor.Id, slot, reason: "Something else entirely");
        await (await _api.Http.SendAsync(BookingApi.BookingRequest(token, otherReason, key))).ProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Equal(1, await BookingDb.CountAsync("SELECT count(*) FROM appointments WHERE patient_id = $1", patient.Id));
        Assert.Equal(["captured"], await BookingDb.LedgerEventsAsync(patient.Id));
        Assert.Contains(slot.AddMinutes(30), await _api.FreeSlotsAsync(doctor.Id, slot, slot.AddHours(1)));
    }

    [Fact]
    public async Task Two_patients_using_the_same_key_do_not_share_a_booking()
    {
        var doctor = await _api.CreateDoctorAsync();
        var first = await _api.RegisterPatientAsync();
        var second = await _api.RegisterPatientAsync();
        var slot = await _api.FreeSlotWithNextAsync(doctor.Id);
        const string key = "booking-1";

        var a = await _api.Http.SendAsync(BookingApi.BookingRequest(await first.TokenAsync(), BookingApi.BookingBody(doctor.Id, slot), key));
        var b = await _api.Http.SendAsync(BookingApi.BookingRequest(await second.TokenAsync(), BookingApi.BookingBody(doctor.Id, slot.AddMinutes(30)), key));

        Assert.Equal(HttpStatusCode.Created, a.StatusCode);
        Assert.Equal(HttpStatusCode.Created, b.StatusCode);
        var ja = JsonNode.Parse(await a.Content.ReadAsStringAsync())!;
        var jb = JsonNode.Parse(await b.Content.ReadAsStringAsync())!;
        Assert.Equal(first.Id, ja["patientId"]!.GetValue<Guid>());
        Assert.Equal(second.Id, jb["patientId"]!.GetValue<Guid>());
        Assert.NotEqual(ja["id"]!.GetValue<Guid>(), jb["id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task A_booking_without_an_idempotency_key_is_400_naming_the_header()
    {
        var doctor = await _api.CreateDoctorAsync();
        var patient = await _api.RegisterPatientAsync();
        var slot = await _api.FreeSlotAsync(doctor.Id);
        var token = await patient.TokenAsync();

        await (await _api.Http.SendAsync(BookingApi.BookingRequest(token, BookingApi.BookingBody(doctor.Id, slot), null)))
            .ValidationProblemAsync("Idempotency-Key");
        await (await _api.Http.SendAsync(BookingApi.BookingRequest(token, BookingApi.BookingBody(doctor.Id, slot), "   ")))
            .ValidationProblemAsync("Idempotency-Key");
        await (await _api.Http.SendAsync(BookingApi.BookingRequest(token, BookingApi.BookingBody(doctor.Id, slot), new string('k', 129))))
            .ValidationProblemAsync("Idempotency-Key");

        Assert.Equal(0, await BookingDb.CountAsync("SELECT count(*) FROM appointments WHERE patient_id = $1", patient.Id));
        Assert.Contains(slot, await _api.FreeSlotsAsync(doctor.Id, slot, slot.AddHours(1)));
    }
}
