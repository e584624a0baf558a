using System.Net;
using System.Text.Json.Nodes;

namespace HealthActors.Tests.Booking;

[Collection(BookingCollection.Name)]
public sealed class CatalogTests(BookingApiFactory factory)
{
    private readonly BookingApi _api = new(factory);

    [Fact]
    public async Task Doctors_of_a_specialty_filter_sort_and_page()
    {
        var specialty = await _api.CreateSpecialtyAsync();
        var cheap = await _api.CreateDoctorAsync(specialty, price: 30m);
        var dear = await _api.CreateDoctorAsync(specialty, price: 70m);
        var middle = await _api.CreateDoctorAsync(specialty, price: 50m);

        var specialties = JsonNode.Parse(await _api.Http.GetStringAsync("/api/specialties"))!.AsArray();
        Assert.Contains(specialties, s => s!["id"]!.GetValue<Guid>() == specialty);

        async Task<(List<Guid> Ids, int Total)> Search(string query)
        {
            var page = JsonNode.Parse(await _api.Http.GetStringAsync($"/api/doctors?specialtyId={specialty}&{query}"))!;
            return (page["items"]!.AsArray().Select(d => d!["doctorId"]!.GetValue<Guid>()).ToList(), page["total"]!.GetValue<int>());
        }

        var (byPrice, all) = await Search("sort=price");
        Assert.Equal([cheap.Id, middle.Id, dear.Id], byPrice);
        Assert.Equal(3, all);
        var (cheapFirst, _) = await Search("sort=price&maxPrice=50");
        Assert.Equal([cheap.Id, middle.Id], cheapFirst);
        var (second, total) = await Search("sort=price&page=2&pageSize=1");
        Assert.Equal([middle.Id], second);
        Assert.Equal(3, total);
        var (french, none) = await Search("language=fr");
        Assert.Empty(french);
        Assert.Equal(0, none);
        Assert.Equal(3, (await Search("language=ES")).Total);

        // Prices in another currency are not compared with these: with currency=, only like with like.
        var dollars = await _api.CreateDoctorAsync(specialty, price: 20m, currency: "USD");
        Assert.Equal([dollars.Id, cheap.Id, middle.Id], (await Search("sort=price&maxPrice=50")).Ids);
        Assert.Equal([cheap.Id, middle.Id], (await Search("sort=price&maxPrice=50&currency=EUR")).Ids);
        Assert.Equal([dollars.Id], (await Search("sort=price&currency=usd")).Ids);
        Assert.Empty((await Search("currency=GBP")).Ids);

        var one = JsonNode.Parse(await _api.Http.GetStringAsync($"/api/doctors/{middle.Id}"))!;
        Assert.Equal(50m, one["price"]!["amount"]!.GetValue<decimal>());
        Assert.Equal("UTC", one["availability"]!["timeZone"]!.GetValue<string>());
    }

    [Fact]
    public async Task Slots_are_laid_out_in_the_doctors_own_time_zone()
    {
        var doctor = await _api.CreateDoctorAsync(timeZone: "Europe/Madrid");
        var madrid = TimeZoneInfo.FindSystemTimeZoneById("Europe/Madrid");
        var from = DateTimeOffset.UtcNow.AddHours(2);

        var response = JsonNode.Parse(await _api.Http.GetStringAsync(
            $"/api/doctors/{doctor.Id}/slots?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(from.AddDays(3).ToString("O"))}"))!;
        Assert.Equal("Europe/Madrid", response["timeZone"]!.GetValue<string>());
        var starts = response["slots"]!.AsArray().Select(s => s!["start"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.True(starts.Count > 100, $"expected three days of half-hour slots, got {starts.Count}");
        Assert.All(starts, s =>
        {
            var local = TimeZoneInfo.ConvertTime(s, madrid);
            Assert.True(local.TimeOfDay <= new TimeSpan(23, 0, 0) && local.Minute % 30 == 0 && local.Second == 0, $"slot at {local:O} local");
        });

        // 23:30 Madrid time is past the doctor's hours, whatever the hour in UTC.
        var patient = await _api.RegisterPatientAsync();
        var localDay = TimeZoneInfo.ConvertTime(from, madrid).Date.AddDays(1);
        var lateLocal = localDay.AddHours(23).AddMinutes(30);
        var late = new DateTimeOffset(lateLocal, madrid.GetUtcOffset(lateLocal));
        var closed = await (await _api.BookAsync(patient, doctor.Id, late)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("OutsideAvailability", closed["reason"]!.GetValue<string>());
        var booked = await _api.BookOkAsync(patient, doctor.Id, late.AddHours(-1));
        Assert.Equal("Europe/Madrid", booked.Body["doctorTimeZone"]!.GetValue<string>());
        Assert.Equal(late.AddHours(-1), booked.Start);
    }
}
