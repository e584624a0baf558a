using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace HealthActors.Tests.Web;

/// <summary>The marketplace as a patient and a doctor meet it: two browser contexts against the Api on a real port.</summary>
[Collection(WebAppCollection.Name)]
public sealed class MarketplaceWebTests(WebAppFixture app)
{
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 10_000 };

    /// <summary>A fresh specialty (so its board starts empty) and a doctor of it who works every day, all hours (UTC).</summary>
    private static async Task<(ApiDriver Api, string AdminToken, Guid SpecialtyId, string SpecialtyName)> SpecialtyAsync(HttpClient http)
    {
        var api = http.Driver();
        var admin = await http.LoginAdminAsync();
        var name = "Web market " + Guid.NewGuid().ToString("N")[..8];
        var specialtyId = await api.CreateSpecialtyAsync(admin.Tokens.AccessToken, name);
        return (api, admin.Tokens.AccessToken, specialtyId, name);
    }

    private static async Task<(Guid Id, string Email, string Token)> DoctorAsync(ApiDriver api, string adminToken, Guid specialtyId, string name)
    {
        var profile = ApiDriver.EveryDayDoctor(specialtyId, ApiDriver.DefaultPassword) with { Name = name };
        var created = await api.CreateDoctorAsync(adminToken, profile);
        var tokens = await api.SignInAsync(profile.Email!, ApiDriver.DefaultPassword);
        return (created.DoctorId, profile.Email!, tokens.AccessToken);
    }

    [Fact]
    public async Task The_patient_posts_the_doctor_sees_it_live_and_undercuts_the_patient_accepts_and_both_see_the_appointment()
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var (api, adminToken, specialtyId, specialtyName) = await SpecialtyAsync(http);
        var doctor = await DoctorAsync(api, adminToken, specialtyId, "Dr. Web Ruiz");
        var patient = await http.RegisterAsync(name: "Web Market Patient");

        var (patientContext, patientPage, patientProblems) = await app.NewPageAsync();
        await using var _ = patientContext;
        var (doctorContext, doctorPage, doctorProblems) = await app.NewPageAsync(1280, 800);
        await using var __ = doctorContext;

        // The doctor's board is open and live before the request exists: it can only appear through the push.
        await WebAppFixture.SignInAsync(doctorPage, doctor.Email);
        await WebAppFixture.NavigateAsync(doctorPage, "Marketplace");
        await Assertions.Expect(doctorPage.GetByText("No open requests right now.")).ToBeVisibleAsync(Visible);
        await doctorPage.Locator(".doctor-board[data-live=Connected]").WaitForAsync(new() { Timeout = 10_000 });

        await WebAppFixture.SignInAsync(patientPage, patient.Email);
        await WebAppFixture.NavigateAsync(patientPage, "Marketplace");
        await Assertions.Expect(patientPage.GetByRole(AriaRole.Heading, new() { Name = "Ask doctors for offers" })).ToBeVisibleAsync(Visible);
        await AssertAccessible(patientPage, "market-patient");

        // Bad input comes back from the Api and is shown at its field, and nothing is posted.
        await patientPage.GetByLabel("What is wrong (symptoms)").FillAsync("itchy rash on both arms for a week");
        await patientPage.GetByLabel("Specialty").SelectOptionAsync(new SelectOptionValue { Label = specialtyName });
        await patientPage.GetByLabel("Highest price").FillAsync("80");
        await patientPage.GetByLabel("Currency (ISO code, e.g. EUR)").FillAsync("XYZ");
        await patientPage.GetByRole(AriaRole.Button, new() { Name = "Post request" }).ClickAsync();
        await Assertions.Expect(patientPage.Locator("[data-error-for=currency]")).ToBeVisibleAsync(Visible);
        await Assertions.Expect(patientPage.GetByLabel("Currency (ISO code, e.g. EUR)")).ToHaveAttributeAsync("aria-invalid", "true");
        Assert.Empty(await api.ExpectAsync<JsonArray>(HttpStatusCode.OK, HttpMethod.Get, "/api/auctions", patient.Tokens.AccessToken));

        await patientPage.GetByLabel("Currency (ISO code, e.g. EUR)").FillAsync("EUR");
        await patientPage.GetByRole(AriaRole.Button, new() { Name = "Post request" }).ClickAsync();
        await Assertions.Expect(patientPage.GetByRole(AriaRole.Heading, new() { Name = "Request for offers" })).ToBeVisibleAsync(Visible);
        await Assertions.Expect(patientPage.GetByText("No offers yet.")).ToBeVisibleAsync(Visible);
        await patientPage.Locator(".auction[data-live=Connected]").WaitForAsync(new() { Timeout = 10_000 });
        var auctionId = patientPage.Url.Split('/')[^1];

        // The doctor sees it without reloading, opens it and bids, then undercuts with a lower one.
        var row = doctorPage.Locator($".doctor-board li[data-auction='{auctionId}']");
        await Assertions.Expect(row).ToBeVisibleAsync(Visible);
        await AssertAccessible(doctorPage, "market-doctor-board");
        await row.GetByRole(AriaRole.Link).ClickAsync();
        await doctorPage.Locator(".auction[data-live=Connected]").WaitForAsync(new() { Timeout = 10_000 });
        await doctorPage.GetByLabel("Price (EUR)").FillAsync("60");
        await doctorPage.GetByLabel("Message to the patient (optional)").FillAsync("I can see you soon");
        await doctorPage.GetByRole(AriaRole.Button, new() { Name = "Send offer" }).ClickAsync();
        var patientBids = patientPage.Locator(".bids li.bid");
        await Assertions.Expect(patientBids).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        await Assertions.Expect(patientBids.First).ToContainTextAsync("60");

        // Over the highest price: the Api's reason is shown under the price, and the standing bid is unchanged.
        await doctorPage.GetByLabel("Price (EUR)").FillAsync("95");
        await doctorPage.GetByRole(AriaRole.Button, new() { Name = "Send offer" }).ClickAsync();
        await Assertions.Expect(doctorPage.Locator("[data-error-for=price]")).ToContainTextAsync("at most 80", new() { Timeout = 10_000 });

        await doctorPage.GetByLabel("Price (EUR)").FillAsync("45");
        await doctorPage.GetByRole(AriaRole.Button, new() { Name = "Send offer" }).ClickAsync();
        // The replacement takes the old bid's place: still one offer, now at the lower price.
        await Assertions.Expect(patientBids.First).ToContainTextAsync("45", new() { Timeout = 10_000 });
        await Assertions.Expect(patientBids).ToHaveCountAsync(1);
        await Assertions.Expect(doctorPage.Locator(".bids li.bid.mine")).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        await AssertAccessible(doctorPage, "market-doctor-auction");
        await AssertAccessible(patientPage, "market-auction-live");

        // The patient accepts with the test card; the appointment is shown.
        await patientBids.First.GetByRole(AriaRole.Button).ClickAsync();
        await patientPage.GetByLabel("Card number").FillAsync("4242 4242 4242 4242");
        await patientPage.GetByLabel("Name on card").FillAsync("Ana García");
        await patientPage.GetByLabel("Expiry month").FillAsync("12");
        await patientPage.GetByLabel("Expiry year").FillAsync((DateTime.UtcNow.Year + 3).ToString());
        await patientPage.GetByLabel("Security code (CVC)").FillAsync("123");
        await AssertAccessible(patientPage, "market-pay");
        await patientPage.GetByRole(AriaRole.Button, new() { Name = "Pay and accept" }).ClickAsync();
        var appointment = patientPage.Locator(".appointment[data-appointment]");
        await Assertions.Expect(appointment).ToContainTextAsync("Dr. Web Ruiz", new() { Timeout = 10_000 });
        await Assertions.Expect(appointment).ToContainTextAsync("booked");
        var appointmentId = await appointment.GetAttributeAsync("data-appointment");
        await Assertions.Expect(patientPage.Locator(".status-line")).ToContainTextAsync("accepted", new() { Timeout = 10_000 });
        await WebAppFixture.ScreenshotAsync(patientPage, "market-accepted");

        // The doctor's offer can no longer be withdrawn, and the appointment is on their board.
        await Assertions.Expect(doctorPage.GetByRole(AriaRole.Button, new() { Name = "Withdraw my offer" })).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        await WebAppFixture.NavigateAsync(doctorPage, "Marketplace");
        var booked = doctorPage.Locator($"li[data-appointment='{appointmentId}']");
        await Assertions.Expect(booked).ToContainTextAsync("booked", new() { Timeout = 10_000 });
        await Assertions.Expect(doctorPage.Locator($".doctor-board li[data-auction='{auctionId}']")).ToHaveCountAsync(0);
        await WebAppFixture.ScreenshotAsync(doctorPage, "market-doctor-appointments");
        Assert.Empty(patientProblems);
        Assert.Empty(doctorProblems);
    }

    [Fact]
    public async Task A_dropped_connection_during_an_auction_recovers_and_shows_every_bid_once_with_the_withdrawal_applied()
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var (api, adminToken, specialtyId, _) = await SpecialtyAsync(http);
        var doctors = new List<(Guid Id, string Email, string Token)>();
        for (var i = 0; i < 2; i++) doctors.Add(await DoctorAsync(api, adminToken, specialtyId, $"Dr. Drop {i}"));
        var patient = await http.RegisterAsync(name: "Web Drop Patient");
        var now = DateTimeOffset.UtcNow;
        var auctionId = await api.CreateAuctionAsync(patient.Tokens.AccessToken, specialtyId, now.AddHours(2), now.AddDays(2), now.AddMinutes(30), 200, "EUR");
        // Each doctor's own free slots inside the window, so every bid is one the calendar accepts.
        var slots = new List<IReadOnlyList<DateTimeOffset>>();
        foreach (var d in doctors) slots.Add(await api.FreeSlotsAsync(d.Id, now.AddHours(3), now.AddDays(1)));
        await api.BidAsync(doctors[0].Token, auctionId, 90, slots[0][0]);

        var (context, page, problems) = await app.NewPageAsync();
        await using var _ = context;
        var cut = await HubCut.RouteAsync(page, "marketplace");

        await WebAppFixture.SignInAsync(page, patient.Email);
        await page.GotoAsync($"/market/{auctionId}");
        var live = page.Locator(".auction[data-live=Connected]");
        await live.WaitForAsync(new() { Timeout = 10_000 });
        var bids = page.Locator(".bids li.bid");
        await Assertions.Expect(bids).ToHaveCountAsync(1, new() { Timeout = 10_000 });

        await cut.DropAsync();
        await Assertions.Expect(page.Locator("#banner")).ToHaveTextAsync("Connection lost. Reconnecting…", new() { Timeout = 10_000 });
        // While away: a new bid, an undercut and a withdrawal; only the catch-up can show them.
        var second = await api.BidAsync(doctors[1].Token, auctionId, 70, slots[1][1]);
        await api.BidAsync(doctors[0].Token, auctionId, 60, slots[0][0]);
        Assert.Equal(HttpStatusCode.NoContent, (await api.SendAsync(HttpMethod.Delete, $"/api/auctions/{auctionId}/bids/{second}", doctors[1].Token)).StatusCode);

        cut.Restore();
        await Assertions.Expect(page.Locator("#banner")).ToHaveTextAsync("Connection restored.", new() { Timeout = 10_000 });
        await page.Locator(".auction[data-seq='4']").WaitForAsync(new() { Timeout = 10_000 });
        // And live again after the return.
        await api.BidAsync(doctors[1].Token, auctionId, 50, slots[1][2]);
        await page.Locator(".auction[data-seq='5']").WaitForAsync(new() { Timeout = 10_000 });

        var shown = await bids.EvaluateAllAsync<string[]>("els => els.map(e => e.querySelector('.bid-doctor').textContent)");
        Assert.Equal(["Dr. Drop 1", "Dr. Drop 0"], shown);
        var ids = await bids.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.bid)");
        Assert.Equal(ids.Length, ids.Distinct().Count());
        await Assertions.Expect(bids.First).ToContainTextAsync("50");
        await WebAppFixture.ScreenshotAsync(page, "market-after-drop");
        Assert.Empty(problems);
    }

    private static async Task AssertAccessible(IPage page, string screen)
    {
        await WebAppFixture.ScreenshotAsync(page, screen);
        var violations = await WebAppFixture.SeriousA11yViolationsAsync(page);
        Assert.True(violations.Count == 0, $"{screen}: " + string.Join("\n", violations));
    }
}
