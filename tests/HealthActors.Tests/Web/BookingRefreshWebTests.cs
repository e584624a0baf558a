using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace HealthActors.Tests.Web;

/// <summary>The booking POST goes through the app's one request path, so an expired token is refreshed and the booking sent again as the same request.</summary>
[Collection(WebAppCollection.Name)]
public sealed class BookingRefreshWebTests(WebAppFixture app)
{
    [Fact]
    public async Task A_booking_answered_401_is_sent_again_after_a_silent_refresh_with_the_same_idempotency_key()
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var api = http.Driver();
        var admin = (await http.LoginAdminAsync()).Tokens.AccessToken;
        var specialty = await api.CreateSpecialtyAsync(admin);
        var doctor = await api.CreateDoctorAsync(admin, ApiDriver.EveryDayDoctor(specialty, ApiDriver.DefaultPassword));
        var patient = await http.RegisterAsync(name: "Refresh Patient");

        var (context, page, problems) = await app.NewPageAsync(1280, 900);
        await using var _ = context;
        await page.GotoAsync("/signin");
        await page.GetByLabel("Email").FillAsync(patient.Email);
        await page.GetByLabel("Password").FillAsync(patient.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync(new() { Timeout = 10_000 });

        var keys = new List<string?>();
        var refreshes = 0;
        await page.RouteAsync("**/api/auth/refresh", async route => { Interlocked.Increment(ref refreshes); await route.ContinueAsync(); });
        await page.RouteAsync("**/api/appointments", async route =>
        {
            if (route.Request.Method != "POST") { await route.ContinueAsync(); return; }
            lock (keys) keys.Add(route.Request.Headers.GetValueOrDefault("idempotency-key"));
            // The first attempt is answered as an expired access token is; the retry reaches the Api.
            if (keys.Count == 1) await route.FulfillAsync(new() { Status = 401 });
            else await route.ContinueAsync();
        });

        await page.GotoAsync($"/doctors/{doctor.DoctorId}");
        var slot = page.Locator("button.slot").First;
        await Assertions.Expect(slot).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await slot.ClickAsync();
        await page.GetByLabel("Reason for the visit").FillAsync("Follow-up");
        await page.GetByLabel("Name on the card").FillAsync("Rita Refresh");
        await page.GetByLabel("Card number").FillAsync("4242 4242 4242 4242");
        await page.GetByLabel("Expiry month").FillAsync("12");
        await page.GetByLabel("Expiry year").FillAsync((DateTime.UtcNow.Year + 3).ToString(CultureInfo.InvariantCulture));
        await page.GetByLabel("Security code (CVC)").FillAsync("123");
        await page.GetByRole(AriaRole.Button, new() { Name = "Book and pay" }).ClickAsync();
        await Assertions.Expect(page.Locator(".booked")).ToContainTextAsync("Appointment booked", new() { Timeout = 10_000 });

        Assert.Equal(2, keys.Count);
        Assert.False(string.IsNullOrEmpty(keys[0]));
        Assert.Equal(keys[0], keys[1]);
        Assert.True(refreshes >= 1, "the 401 was followed by a token refresh");
        var mine = await api.ExpectAsync<JsonArray>(HttpStatusCode.OK, HttpMethod.Get, "/api/appointments", patient.Tokens.AccessToken);
        Assert.Single(mine);
        Assert.Empty(problems);
    }
}
