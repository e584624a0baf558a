using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace HealthActors.Tests.Web;

/// <summary>Orientation, the doctor catalog and booking with payment, as a patient uses them in Chromium.</summary>
[Collection(WebAppCollection.Name)]
public sealed class BookingWebTests(WebAppFixture app)
{
    private const string PatientZone = "America/Mexico_City";
    private const string DoctorZone = "Europe/Madrid";

    [Fact]
    public async Task A_red_flag_text_gets_an_unmistakable_emergency_alert()
    {
        var (context, page, problems) = await app.NewPageAsync();
        await using var _ = context;
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        await SignInAsync(page, await http.RegisterAsync());

        await page.GotoAsync("/orientation");
        await Visible(page.GetByRole(AriaRole.Heading, new() { Name = "Which specialist?" }));
        await AssertAccessible(page, "orientation");
        await page.GetByLabel("Describe your symptoms").FillAsync("I have crushing chest pain and I'm sweating");
        await page.GetByRole(AriaRole.Button, new() { Name = "Orient me" }).ClickAsync();

        var alert = page.Locator(".emergency-alert[role=alert]");
        await Visible(alert);
        await Assertions.Expect(alert).ToContainTextAsync("Emergency");
        await Assertions.Expect(alert).ToContainTextAsync("Warning signs");
        await AssertAccessible(page, "orientation-emergency");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task A_declined_card_shows_the_reason_and_frees_the_slot_then_a_good_card_books_it_in_the_patients_time_zone()
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var driver = http.Driver();
        var admin = (await http.LoginAdminAsync()).Tokens.AccessToken;
        var specialtyId = await driver.CreateSpecialtyAsync(admin);
        var doctor = await driver.CreateDoctorAsync(admin, ApiDriver.EveryDayDoctor(specialtyId, ApiDriver.DefaultPassword, timeZone: DoctorZone));
        var patient = await http.RegisterAsync();
        // Neither UTC, nor the doctor's zone, nor the browser's (Buenos Aires): only the profile can explain what is shown.
        await driver.PutProfileAsync(patient.Tokens.AccessToken, new { firstName = "Ana", lastName = "García", preferredLanguage = "en", timeZone = PatientZone });

        var (context, page, problems) = await app.NewPageAsync();
        await using var _ = context;
        await SignInAsync(page, patient);

        // The catalog, filtered to the new specialty, lists the doctor; its page is one click away.
        await page.GotoAsync($"/doctors?specialtyId={specialtyId}");
        await Visible(page.GetByRole(AriaRole.Heading, new() { Name = "Doctors", Exact = true }));
        await Assertions.Expect(page.Locator(".doctor-list li")).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        await AssertAccessible(page, "doctors");
        await page.Locator(".doctor-list a").ClickAsync();
        await Visible(page.Locator("button.slot").First);
        await Assertions.Expect(page.GetByText($"Times shown in: {PatientZone}")).ToBeVisibleAsync();

        // A slot more than a day ahead, so that cancelling it later refunds the whole price.
        var startText = await page.EvaluateAsync<string>(
            "() => [...document.querySelectorAll('button.slot')].map(b => b.dataset.start).find(s => new Date(s) > Date.now() + 26 * 3600e3)");
        var start = DateTimeOffset.Parse(startText, CultureInfo.InvariantCulture);
        var local = TimeZoneInfo.ConvertTime(start, TimeZoneInfo.FindSystemTimeZoneById(PatientZone));
        var madrid = TimeZoneInfo.ConvertTime(start, TimeZoneInfo.FindSystemTimeZoneById(DoctorZone));
        Assert.NotEqual(local.ToString("HH:mm"), madrid.ToString("HH:mm"));
        var slot = page.Locator($"button.slot[data-start='{startText}']");
        await Assertions.Expect(slot).ToHaveTextAsync(local.ToString("HH:mm", CultureInfo.InvariantCulture));
        await Assertions.Expect(slot).ToHaveAttributeAsync("aria-label",
            local.ToString("dddd, MMMM d, yyyy HH:mm", CultureInfo.GetCultureInfo("en-US")));
        await AssertAccessible(page, "doctor");

        // Declined: the reason from the ProblemDetails, and the slot is offered again (and is free in the Api).
        await slot.ClickAsync();
        await page.GetByLabel("Reason for the visit").FillAsync("Persistent cough");
        await page.GetByLabel("Name on the card").FillAsync("Ana García");
        await page.GetByLabel("Card number").FillAsync("4000 0000 0000 0002");
        await page.GetByLabel("Expiry month").FillAsync("12");
        await page.GetByLabel("Expiry year").FillAsync((DateTime.UtcNow.Year + 3).ToString(CultureInfo.InvariantCulture));
        await page.GetByLabel("Security code (CVC)").FillAsync("123");
        var pay = page.GetByRole(AriaRole.Button, new() { Name = "Book and pay" });
        await pay.ClickAsync();
        var error = page.Locator("form.booking [role=alert]");
        await Assertions.Expect(error).ToContainTextAsync("The card was declined.", new() { Timeout = 10_000 });
        await Assertions.Expect(slot).ToBeVisibleAsync();
        Assert.Contains(start, await driver.FreeSlotsAsync(doctor.DoctorId, start.AddMinutes(-30), start.AddMinutes(30)));
        await AssertAccessible(page, "booking-declined");

        await page.GetByLabel("Card number").FillAsync("4242 4242 4242 4242");
        await pay.ClickAsync();
        var booked = page.Locator(".booked");
        await Assertions.Expect(booked).ToContainTextAsync("Appointment booked", new() { Timeout = 10_000 });
        await Assertions.Expect(booked).ToContainTextAsync(local.ToString("HH:mm", CultureInfo.InvariantCulture));
        await Assertions.Expect(slot).ToHaveCountAsync(0);
        Assert.DoesNotContain(start, await driver.FreeSlotsAsync(doctor.DoctorId, start.AddMinutes(-30), start.AddMinutes(30)));
        // The same screen axe already checked twice: a screenshot is enough here, and axe on a week of slots is slow.
        await WebAppFixture.ScreenshotAsync(page, "booking-done");

        // My appointments: cancelling more than 24 h ahead shows the full refund the Api answered.
        await page.GetByRole(AriaRole.Link, new() { Name = "My appointments" }).ClickAsync();
        await Visible(page.GetByRole(AriaRole.Heading, new() { Name = "My appointments" }));
        var row = page.Locator(".appointments li");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToContainTextAsync("Booked");
        await AssertAccessible(page, "appointments");
        await row.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Cancelled. Refunded" }))
            .ToContainTextAsync("€40.00", new() { Timeout = 10_000 });
        await Assertions.Expect(row).ToContainTextAsync("Cancelled");
        var mine = await driver.ExpectAsync<JsonArray>(HttpStatusCode.OK, HttpMethod.Get, "/api/appointments", patient.Tokens.AccessToken);
        Assert.Equal("cancelled", Assert.Single(mine)!["status"]!.GetValue<string>());
        Assert.Empty(problems);
    }

    private static async Task SignInAsync(IPage page, TestUser user)
    {
        await page.GotoAsync("/signin");
        await page.GetByLabel("Email").FillAsync(user.Email);
        await page.GetByLabel("Password").FillAsync(user.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).Last.ClickAsync();
        await Visible(page.GetByRole(AriaRole.Heading, new() { Name = "Medical profile" }));
    }

    private static Task Visible(ILocator locator) => Assertions.Expect(locator).ToBeVisibleAsync(new() { Timeout = 10_000 });

    private static async Task AssertAccessible(IPage page, string screen)
    {
        await WebAppFixture.ScreenshotAsync(page, screen);
        var violations = await WebAppFixture.SeriousA11yViolationsAsync(page);
        Assert.True(violations.Count == 0, $"{screen}: " + string.Join("\n", violations));
    }
}
