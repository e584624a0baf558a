using System.Collections;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Chat;
using Microsoft.AspNetCore.SignalR.Client;

namespace HealthActors.Tests.Api;

/// <summary>
/// The README's <c>dotnet run --project src/Api</c> walkthrough against the real Api process with nothing
/// configured: embedded silo, localhost clustering, every store in memory, the demo catalog seeded. No other test
/// runs this mode (they all bring PostgreSQL and Redis), so without this one the in-memory stores could rot unseen.
/// </summary>
public sealed class EmbeddedWalkthroughTests
{
    private const string AnaPassword = "river-lantern-47-quiet";
    private const string DoctorPassword = "coral-harbour-93-lantern";

    [Fact]
    public async Task Register_profile_book_bid_and_chat_work_with_no_database_and_no_redis()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("healthactors-embedded-");
        var url = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        // The walkthrough's step 7 signs in as the admin run.sh would have created (.data/secrets/admin.env).
        var adminEmail = $"admin.{Guid.NewGuid():N}@walkthrough.example.org";
        var adminPassword = "Adm1n-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        await using var api = ChildProcess.Start("api-embedded", Repository.ApiDll, ["--urls", url.ToString().TrimEnd('/')], WalkthroughEnvironment(new()
        {
            ["Admin__Email"] = adminEmail,
            ["Admin__Password"] = adminPassword,
            ["Api__DataDirectory"] = dataDirectory.FullName,
            // appsettings.json pins 11111 and 30000; other test runs on this machine may hold those.
            ["Orleans__SiloPort"] = FreePort.Next().ToString(),
            ["Orleans__GatewayPort"] = FreePort.Next().ToString(),
        }));
        try
        {
            await api.WaitReadyAsync(new Uri(url, "/health/ready"), TimeSpan.FromSeconds(90));
            // The start-up line naming the mode: had a connection string leaked in, it would name PostgreSQL or Redis instead.
            Assert.True(api.Lines.Any(l => l.Contains("clustering localhost, storage in memory", StringComparison.Ordinal)), "the Api should run on localhost clustering and in-memory storage");
            using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
            var driver = new ApiDriver(http);

            // 1-4: register, who am I, write and read back the profile.
            var ana = await driver.RegisterAsync(ApiDriver.NewEmail("ana.garcia"), AnaPassword, "Ana García");
            var me = await driver.ExpectAsync<Me>(HttpStatusCode.OK, HttpMethod.Get, "/api/me", ana.Tokens.AccessToken);
            Assert.Equal(("Ana García", "patient"), (me.Name, me.Role));
            await driver.PutProfileAsync(ana.Tokens.AccessToken, Profile());
            var profile = await driver.ExpectAsync<JsonNode>(HttpStatusCode.OK, HttpMethod.Get, "/api/patients/me/profile", ana.Tokens.AccessToken);
            Assert.Equal("García", profile["lastName"]!.GetValue<string>());
            Assert.Equal(["penicillin", "peanuts"], profile["allergies"]!.AsArray().Select(a => a!.GetValue<string>()));

            // 9-10: the demo catalog is there; book its first doctor's first free slot and pay.
            var specialties = await driver.ExpectAsync<List<Specialty>>(HttpStatusCode.OK, HttpMethod.Get, "/api/specialties", null);
            Assert.True(specialties.Count > 0, "the demo catalog should have been seeded");
            var specialty = specialties[0];
            var doctors = await driver.ExpectAsync<DoctorPage>(HttpStatusCode.OK, HttpMethod.Get, $"/api/doctors?specialtyId={specialty.Id}&page=1&pageSize=5", null);
            var demoDoctor = Assert.IsType<DoctorSummary>(doctors.Items.FirstOrDefault(), exactMatch: true);
            var slot = (await driver.FreeSlotsAsync(demoDoctor.DoctorId, DateTimeOffset.UtcNow.AddHours(2))).First();
            var booked = await driver.BookAsync(ana.Tokens.AccessToken, demoDoctor.DoctorId, slot);
            Assert.Equal(("booked", slot), (booked.Status, booked.Start));
            var mine = await driver.ExpectAsync<JsonArray>(HttpStatusCode.OK, HttpMethod.Get, "/api/appointments", ana.Tokens.AccessToken);
            Assert.Contains(mine, a => a!["id"]!.GetValue<Guid>() == booked.Id);

            // 12: Ana posts a request; a doctor of that specialty, made by the admin, bids; Ana accepts the bid.
            var admin = await driver.SignInAsync(adminEmail, adminPassword);
            var doctorProfile = ApiDriver.EveryDayDoctor(specialty.Id, DoctorPassword, currency: "USD");
            await driver.CreateDoctorAsync(admin.AccessToken, doctorProfile);
            var doctor = await driver.SignInAsync(doctorProfile.Email!, DoctorPassword);
            var from = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(2).AddHours(8);
            var auctionId = await driver.CreateAuctionAsync(ana.Tokens.AccessToken, specialty.Id, from, from.AddHours(10), DateTimeOffset.UtcNow.AddHours(1),
                maxPrice: 60, currency: "USD", symptoms: "itchy rash");
            var bidId = await driver.BidAsync(doctor.AccessToken, auctionId, 45, from.AddHours(1), "I can see you in the morning");
            var auction = await driver.ExpectAsync<Auction>(HttpStatusCode.OK, HttpMethod.Get, $"/api/auctions/{auctionId}", ana.Tokens.AccessToken);
            var bid = Assert.Single(auction.Bids);
            Assert.Equal((bidId, 45m, doctor.UserId), (bid.Id, bid.Price, bid.DoctorId));
            var accepted = await driver.ExpectAsync<Appointment>(HttpStatusCode.Created, HttpMethod.Post, $"/api/auctions/{auctionId}/accept", ana.Tokens.AccessToken,
                new { bidId, payment = new { cardNumber = TestCards.Visa, expMonth = 12, expYear = DateTime.UtcNow.Year + 3, cvc = "123", holderName = "Ana García" } },
                idempotencyKey: "accept-" + auctionId);
            Assert.Equal(("booked", from.AddHours(1)), (accepted.Status, accepted.Start));

            // 13: a glucose reading in mmol/L, then insights over the in-memory store, in mg/dL and Ana's zone.
            await driver.ExpectAsync<JsonNode>(HttpStatusCode.Created, HttpMethod.Post, "/api/patients/me/records/vitals", ana.Tokens.AccessToken,
                new { type = "glucose", value = 5.4m, unit = "mmol/L", recordedAt = DateTimeOffset.UtcNow.AddMinutes(-5) });
            var insights = await driver.ExpectAsync<JsonNode>(HttpStatusCode.OK, HttpMethod.Get, "/api/patients/me/insights?days=30", ana.Tokens.AccessToken);
            Assert.Equal("America/Argentina/Buenos_Aires", insights["timeZone"]!.GetValue<string>());
            Assert.Equal(97.29m, insights["vitals"]![0]!["average"]!.GetValue<decimal>());
            // 14: the FHIR export over the in-memory stores; the doctor Ana accepted now reads it through that booking.
            using var export = await http.SendAsync(driver.Request(HttpMethod.Get, "/api/patients/me/fhir", ana.Tokens.AccessToken));
            Assert.Equal((HttpStatusCode.OK, "application/fhir+json"), (export.StatusCode, export.Content.Headers.ContentType?.MediaType));
            var bundle = JsonNode.Parse(await export.Content.ReadAsStringAsync())!;
            var types = bundle["entry"]!.AsArray().Select(e => e!["resource"]!["resourceType"]!.GetValue<string>()).ToList();
            Assert.Equal((1, 2, 1, 1, 2), (types.Count(t => t == "Patient"), types.Count(t => t == "AllergyIntolerance"), types.Count(t => t == "Condition"),
                types.Count(t => t == "MedicationStatement"), types.Count(t => t == "Appointment")));
            using var byDoctor = await http.SendAsync(driver.Request(HttpMethod.Get, $"/api/patients/{ana.Id}/fhir", doctor.AccessToken));
            Assert.Equal(HttpStatusCode.OK, byDoctor.StatusCode);

            // The chat hub: with no model configured the offline assistant answers, and says so.
            await using var chat = await HubClients.ConnectAsync(new Uri(url, "/hubs/chat"), ana.Tokens.AccessToken);
            var conversationId = await chat.InvokeAsync<Guid>("StartConversation", "Rash");
            var chunks = new List<ChatChunk>();
            await foreach (var c in chat.StreamAsync<ChatChunk>("SendMessage", conversationId, "I have an itchy rash on my arm")) chunks.Add(c);
            Assert.True(chunks[^1].Final);
            Assert.Equal(AnswerSources.Offline, chunks[^1].Source);
            // Ana's profile prefers es-AR, so the offline assistant tells her in Spanish that it runs without the model.
            Assert.Contains("sin conexión con el modelo", string.Concat(chunks.Select(c => c.Text)));
            var messages = await driver.ExpectAsync<JsonNode>(HttpStatusCode.OK, HttpMethod.Get, $"/api/conversations/{conversationId}/messages?limit=50", ana.Tokens.AccessToken);
            Assert.Contains("itchy rash", messages.ToJsonString());

            Assert.False(api.HasExited, "the Api should still be running");
        }
        catch (Exception e)
        {
            throw new Exception(e.Message + "\n\n" + api.Output, e);
        }
        finally
        {
            await api.StopAsync(TimeSpan.FromSeconds(20));
            dataDirectory.Delete(recursive: true);
        }
    }

    /// <summary>
    /// What a developer's shell gives <c>dotnet run</c>: none of the settings this test process runs with. Every
    /// inherited configuration variable (ConnectionStrings__*, Orleans__*, anything with "__") and the environment
    /// name are removed, so nothing reaches PostgreSQL or Redis; <paramref name="settings"/> are added back.
    /// </summary>
    private static Dictionary<string, string?> WalkthroughEnvironment(Dictionary<string, string?> settings)
    {
        var env = new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = null, ["DOTNET_ENVIRONMENT"] = null };
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
            if (e.Key is string key && key.Contains("__", StringComparison.Ordinal)) env[key] = null;
        foreach (var (key, value) in settings) env[key] = value;
        return env;
    }

    private static JsonObject Profile() => new()
    {
        ["firstName"] = "Ana", ["lastName"] = "García", ["birthDate"] = "1987-04-12", ["sex"] = "female", ["phone"] = "+5491155550123",
        ["allergies"] = new JsonArray("penicillin", "peanuts"), ["conditions"] = new JsonArray("asthma"),
        ["medications"] = new JsonArray(new JsonObject { ["name"] = "levothyroxine", ["dose"] = "50 mcg", ["frequency"] = "once daily" }),
        ["preferredLanguage"] = "es-AR", ["timeZone"] = "America/Argentina/Buenos_Aires",
    };

    private sealed record Me(string Name, string Role);
    private sealed record Specialty(Guid Id, string Name);
    private sealed record DoctorSummary(Guid DoctorId);
    private sealed record DoctorPage(List<DoctorSummary> Items);
    private sealed record Bid(Guid Id, decimal Price, Guid DoctorId);
    private sealed record Auction(List<Bid> Bids);
}
