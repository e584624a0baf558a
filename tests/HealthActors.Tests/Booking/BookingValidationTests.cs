using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace HealthActors.Tests.Booking;

[Collection(BookingCollection.Name)]
public sealed class BookingValidationTests(BookingApiFactory factory) : IAsyncLifetime
{
    private readonly BookingApi _api = new(factory);
    private Doctor _doctor = null!;
    private Actor _patient = null!;

    // xUnit builds this class once per case; the doctor and patient are made once, since registration is slow by design.
    public async Task InitializeAsync() =>
        (_doctor, _patient) = await factory.SharedAsync(nameof(BookingValidationTests), async () =>
            (await _api.CreateDoctorAsync(), await _api.RegisterPatientAsync()));

    public Task DisposeAsync() => Task.CompletedTask;

    public static TheoryData<string, string> BadBookings => new()
    {
        { "doctorId missing", "doctorId" },
        { "doctorId empty", "doctorId" },
        { "start missing", "start" },
        { "start not a date", "start" },
        { "reason empty", "reason" },
        { "reason too long", "reason" },
        { "reason with control characters", "reason" },
        { "payment missing", "payment" },
        { "card number not Luhn", "payment.cardNumber" },
        { "card number with letters", "payment.cardNumber" },
        { "card number missing", "payment.cardNumber" },
        { "expMonth 13", "payment.expMonth" },
        { "expMonth missing", "payment.expMonth" },
        { "expired card", "payment.expYear" },
        { "cvc 2 digits", "payment.cvc" },
        { "cvc with letters", "payment.cvc" },
        { "holderName missing", "payment.holderName" },
        { "holderName blank", "payment.holderName" },
    };

    private static void BreakBooking(JsonObject b, string bad)
    {
        var payment = b["payment"]!.AsObject();
        switch (bad)
        {
            case "doctorId missing": b.Remove("doctorId"); break;
            case "doctorId empty": b["doctorId"] = Guid.Empty; break;
            case "start missing": b.Remove("start"); break;
            case "start not a date": b["start"] = "next tuesday"; break;
            case "reason empty": b["reason"] = "   "; break;
            case "reason too long": b["reason"] = new string('r', 501); break;
            case "reason with control characters": b["reason"] = "cough\u0007"; break;
            case "payment missing": b.Remove("payment"); break;
            case "card number not Luhn": payment["cardNumber"] = "4242424242424241"; break;
            case "card number with letters": payment["cardNumber"] = "4242abcd42424242"; break;
            case "card number missing": payment.Remove("cardNumber"); break;
            case "expMonth 13": payment["expMonth"] = 13; break;
            case "expMonth missing": payment.Remove("expMonth"); break;
            case "expired card": payment["expMonth"] = 1; payment["expYear"] = DateTime.UtcNow.Year - 1; break;
            case "cvc 2 digits": payment["cvc"] = "12"; break;
            case "cvc with letters": payment["cvc"] = "1a3"; break;
            case "holderName missing": payment.Remove("holderName"); break;
            case "holderName blank": payment["holderName"] = " "; break;
            default: throw new ArgumentOutOfRangeException(nameof(bad), bad, null);
        }
    }

    [Theory]
    [MemberData(nameof(BadBookings))]
    public async Task A_bad_booking_field_is_400_naming_it_and_books_nothing(string bad, string field)
    {
        var slot = await _api.FreeSlotAsync(_doctor.Id);
        var body = BookingApi.BookingBody(_doctor.Id, slot);
        BreakBooking(body, bad);

        var r = await _api.Http.SendAsync(BookingApi.BookingRequest(await _patient.TokenAsync(), body, Guid.NewGuid().ToString()));

        await r.ValidationProblemAsync(field);
        Assert.Equal(0, await BookingDb.CountAsync("SELECT count(*) FROM payment_ledger WHERE payer_id = $1", _patient.Id));
        Assert.Contains(slot, await _api.FreeSlotsAsync(_doctor.Id, slot, slot.AddHours(1)));
    }

    public static TheoryData<string, string> BadDoctors => new()
    {
        { "email invalid", "email" },
        { "password short", "password" },
        { "name missing", "name" },
        { "specialtyId missing", "specialtyId" },
        { "specialtyId unknown", "specialtyId" },
        { "licenseNumber invalid", "licenseNumber" },
        { "yearsOfExperience -1", "yearsOfExperience" },
        { "price missing", "price" },
        { "price.amount 0", "price.amount" },
        { "price.amount three decimals", "price.amount" },
        { "price.currency XXX", "price.currency" },
        { "languages empty", "languages" },
        { "language not a code", "languages[1]" },
        { "photoUrl http", "photoUrl" },
        { "availability missing", "availability" },
        { "availability.timeZone bad", "availability.timeZone" },
        { "availability.days empty", "availability.days" },
        { "availability.days not a weekday", "availability.days[0]" },
        { "endTime before startTime", "availability.endTime" },
        { "slotMinutes 5", "availability.slotMinutes" },
    };

    private static void BreakDoctor(JsonObject d, string bad)
    {
        var availability = d["availability"]!.AsObject();
        var price = d["price"]!.AsObject();
        switch (bad)
        {
            case "email invalid": d["email"] = "not-an-email"; break;
            case "password short": d["password"] = "short"; break;
            case "name missing": d.Remove("name"); break;
            case "specialtyId missing": d.Remove("specialtyId"); break;
            case "specialtyId unknown": d["specialtyId"] = Guid.NewGuid(); break;
            case "licenseNumber invalid": d["licenseNumber"] = "#1"; break;
            case "yearsOfExperience -1": d["yearsOfExperience"] = -1; break;
            case "price missing": d.Remove("price"); break;
            case "price.amount 0": price["amount"] = 0; break;
            case "price.amount three decimals": price["amount"] = 10.005m; break;
            case "price.currency XXX": price["currency"] = "XXX"; break;
            case "languages empty": d["languages"] = new JsonArray(); break;
            case "language not a code": d["languages"] = new JsonArray("es", "Spanish!"); break;
            case "photoUrl http": d["photoUrl"] = "http://example.org/doctor.jpg"; break;
            case "availability missing": d.Remove("availability"); break;
            case "availability.timeZone bad": availability["timeZone"] = "Mars/Olympus_Mons"; break;
            case "availability.days empty": availability["days"] = new JsonArray(); break;
            case "availability.days not a weekday": availability["days"] = new JsonArray("someday"); break;
            case "endTime before startTime": availability["startTime"] = "17:00:00"; availability["endTime"] = "09:00:00"; break;
            case "slotMinutes 5": availability["slotMinutes"] = 5; break;
            default: throw new ArgumentOutOfRangeException(nameof(bad), bad, null);
        }
    }

    [Theory]
    [MemberData(nameof(BadDoctors))]
    public async Task A_bad_doctor_field_is_400_naming_it_and_creates_no_account(string bad, string field)
    {
        var body = BookingApi.DoctorBody(_doctor.SpecialtyId);
        BreakDoctor(body, bad);
        var admin = await _api.AdminAsync();

        var r = await _api.Http.SendAsync(ApiClientExtensions.RawJson(HttpMethod.Post, "/api/admin/doctors", await admin.TokenAsync(), body.ToJsonString()));

        await r.ValidationProblemAsync(field);
        if (body["email"]?.GetValue<string>() is { } email && email.Contains('@'))
            await (await _api.Http.PostAsJsonAsync("/api/auth/login", new { email, password = BookingApi.DoctorPassword })).ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("to-before-from", "to")]
    [InlineData("to-equals-from", "to")]
    [InlineData("sixty-three-days", "to")]
    public async Task A_bad_slot_range_is_400_naming_it(string bad, string field)
    {
        var from = DateTimeOffset.UtcNow.AddDays(1);
        var to = bad switch
        {
            "to-before-from" => from.AddHours(-1),
            "to-equals-from" => from,
            _ => from.AddDays(62).AddMinutes(1),
        };
        var r = await _api.Http.GetAsync($"/api/doctors/{_doctor.Id}/slots?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}");
        await r.ValidationProblemAsync(field);
    }

    [Fact]
    public async Task Sixty_two_days_of_slots_is_the_most_one_may_ask_for()
    {
        var from = DateTimeOffset.UtcNow.AddDays(1);
        var slots = await _api.FreeSlotsAsync(_doctor.Id, from, from.AddDays(62));
        Assert.True(slots.Count > 61 * 40, $"expected about 62 days of half-hour slots, got {slots.Count}");
        Assert.All(slots, s => Assert.True(s >= from && s < from.AddDays(62)));
    }

    [Theory]
    [InlineData("sort=bogus", "sort")]
    [InlineData("minRating=6", "minRating")]
    [InlineData("minRating=-1", "minRating")]
    [InlineData("minRating=NaN", "minRating")]
    [InlineData("minRating=Infinity", "minRating")]
    [InlineData("minRating=-Infinity", "minRating")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("page=0", "page")]
    [InlineData("maxPrice=-5", "maxPrice")]
    [InlineData("currency=XXX", "currency")]
    [InlineData("currency=dollars", "currency")]
    [InlineData("language=e", "language")]
    public async Task A_bad_doctor_search_is_400_naming_it(string query, string field) =>
        await (await _api.Http.GetAsync("/api/doctors?" + query)).ValidationProblemAsync(field);

    [Fact]
    public async Task A_doctor_priced_finer_than_the_currency_is_400_naming_the_amount()
    {
        var admin = await _api.AdminAsync();
        var body = BookingApi.DoctorBody(_doctor.SpecialtyId, price: 0.5m);
        body["price"]!["currency"] = "JPY";
        var r = await _api.Http.SendAsync(ApiClientExtensions.RawJson(HttpMethod.Post, "/api/admin/doctors", await admin.TokenAsync(), body.ToJsonString()));
        await r.ValidationProblemAsync("price.amount");
    }

    [Fact]
    public async Task Booking_an_unknown_doctor_is_404()
    {
        var slot = await _api.FreeSlotAsync(_doctor.Id);
        var r = await _api.Http.SendAsync(BookingApi.BookingRequest(await _patient.TokenAsync(), BookingApi.BookingBody(Guid.NewGuid(), slot), Guid.NewGuid().ToString()));
        await r.ProblemAsync(HttpStatusCode.NotFound);
        await (await _api.Http.GetAsync($"/api/doctors/{Guid.NewGuid()}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await _api.Http.GetAsync($"/api/doctors/{Guid.NewGuid()}/slots")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Booking_outside_the_doctors_hours_is_409()
    {
        // Slots start on the hour and the half hour, and 23:30-24:00 is outside the hours.
        var slot = await _api.FreeSlotAsync(_doctor.Id);
        var offGrid = await (await _api.BookAsync(_patient, _doctor.Id, slot.AddMinutes(15))).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("OutsideAvailability", offGrid["reason"]!.GetValue<string>());
        var lateNight = new DateTimeOffset(slot.UtcDateTime.Date.AddDays(2).AddHours(23).AddMinutes(30), TimeSpan.Zero);
        var closed = await (await _api.BookAsync(_patient, _doctor.Id, lateNight)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("OutsideAvailability", closed["reason"]!.GetValue<string>());
        Assert.Equal(0, await BookingDb.CountAsync("SELECT count(*) FROM payment_ledger WHERE payer_id = $1", _patient.Id));
    }

    [Fact]
    public async Task Booking_a_slot_in_the_past_is_409()
    {
        var yesterday = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-1).AddHours(10), TimeSpan.Zero);
        var past = await (await _api.BookAsync(_patient, _doctor.Id, yesterday)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("SlotInPast", past["reason"]!.GetValue<string>());
        Assert.Equal(0, await BookingDb.CountAsync("SELECT count(*) FROM payment_ledger WHERE payer_id = $1", _patient.Id));
    }
}
