using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using HealthActors.Tests.Infrastructure;
using Microsoft.Playwright;

namespace HealthActors.Tests.Web;

/// <summary>The doctor's screens in Chromium: credentials, clinical cases with a live thread between two doctors, and their appointments.</summary>
[Collection(WebAppCollection.Name)]
public sealed class DoctorWebTests(WebAppFixture app)
{
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 10_000 };

    [Fact]
    public async Task A_doctor_gets_verified_publishes_a_case_a_colleagues_comment_appears_live_and_is_accepted()
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var api = http.Driver();
        var admin = (await http.LoginAdminAsync()).Tokens.AccessToken;
        var specialty = await api.CreateSpecialtyAsync(admin, "Web cases " + Guid.NewGuid().ToString("N")[..8]);
        var authorProfile = ApiDriver.EveryDayDoctor(specialty, ApiDriver.DefaultPassword) with { Verified = false };
        var author = await api.CreateDoctorAsync(admin, authorProfile);
        var authorTokens = await api.SignInAsync(authorProfile.Email!, ApiDriver.DefaultPassword);
        var colleagueProfile = ApiDriver.EveryDayDoctor(specialty, ApiDriver.DefaultPassword);
        await api.CreateDoctorAsync(admin, colleagueProfile);
        var colleagueTokens = await api.SignInAsync(colleagueProfile.Email!, ApiDriver.DefaultPassword);

        var (authorContext, page, problems) = await app.NewPageAsync(1280, 900);
        await using var _ = authorContext;
        // The author's case connection can be cut by the test, and kept from coming back until it says so.
        var down = false;
        IWebSocketRoute? socket = null;
        await page.RouteWebSocketAsync(new System.Text.RegularExpressions.Regex("/hubs/cases"), ws => { socket = ws; ws.ConnectToServer(); });
        await page.RouteAsync("**/hubs/cases/negotiate**", route => down ? route.AbortAsync() : route.ContinueAsync());
        await WebAppFixture.SignInAsync(page, authorProfile.Email!);

        // Not verified yet: the cases screen says why it is closed and where to go.
        await WebAppFixture.NavigateAsync(page, "Cases");
        var closed = page.Locator("[data-not-verified]");
        await Assertions.Expect(closed).ToContainTextAsync("verified doctors only", new() { Timeout = 10_000 });
        await AssertAccessible(page, "cases-not-verified");
        await closed.GetByRole(AriaRole.Link).ClickAsync();

        // Credentials: a bad year is shown at its field and nothing is stored; then a good submission is listed as pending.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "My credentials" })).ToBeVisibleAsync(Visible);
        var license = "MN-" + Random.Shared.Next(10_000, 99_999);
        await page.GetByLabel("License number").FillAsync(license);
        await page.GetByLabel("Issuing authority").FillAsync("Colegio de Médicos");
        await page.GetByLabel("Institution").FillAsync("Universidad de Buenos Aires");
        await page.GetByLabel("Degree (e.g. MD)").FillAsync("MD");
        await page.GetByLabel("Graduation year").FillAsync((DateTime.UtcNow.Year + 1).ToString(CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Submit credentials" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-error-for=graduationYear]")).ToContainTextAsync("must be between", new() { Timeout = 10_000 });
        await Assertions.Expect(page.GetByLabel("Graduation year")).ToHaveAttributeAsync("aria-invalid", "true");
        Assert.Empty(await api.ExpectAsync<JsonArray>(HttpStatusCode.OK, HttpMethod.Get, "/api/doctors/me/credentials", authorTokens.AccessToken));

        await page.GetByLabel("Graduation year").FillAsync("2009");
        await page.GetByLabel("Scans of your documents (PDF, PNG or JPEG, optional)").SetInputFilesAsync(new FilePayload
        {
            Name = "diploma.png", MimeType = "image/png", Buffer = SampleFiles.Png(),
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Submit credentials" }).ClickAsync();
        var submission = page.Locator(".credentials li[data-status=pending]");
        await Assertions.Expect(submission).ToContainTextAsync(license, new() { Timeout = 10_000 });
        await Assertions.Expect(submission).ToContainTextAsync("pending review");
        await AssertAccessible(page, "doctor-credentials");
        var stored = Assert.Single(await api.ExpectAsync<JsonArray>(HttpStatusCode.OK, HttpMethod.Get, "/api/doctors/me/credentials", authorTokens.AccessToken))!;
        Assert.Single(stored["attachmentIds"]!.AsArray());

        // The admin approves through the Api (the admin screen has its own test); the doctor sees it on the next visit.
        await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Post, $"/api/admin/credentials/{stored["id"]!.GetValue<string>()}/approve", admin);
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator(".credentials li[data-status=approved]")).ToContainTextAsync("approved", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("[data-verified=true]")).ToHaveTextAsync("You are verified.");

        // A case with a phone number in the history: the Api's reason is shown under that field, and no case exists.
        await WebAppFixture.NavigateAsync(page, "Cases");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Clinical cases" })).ToBeVisibleAsync(Visible);
        await Assertions.Expect(page.Locator("ul.following")).ToContainTextAsync("You follow no case yet.", new() { Timeout = 10_000 });
        await AssertAccessible(page, "cases-search");
        await page.GetByRole(AriaRole.Link, new() { Name = "New case" }).ClickAsync();
        var title = "Hip fracture after a fall " + Guid.NewGuid().ToString("N")[..6];
        await page.GetByLabel("Title").FillAsync(title);
        await page.GetByLabel("Age band").SelectOptionAsync("80-89");
        await page.GetByLabel("Sex").SelectOptionAsync("female");
        await page.GetByLabel("Specialty").SelectOptionAsync(specialty.ToString());
        await page.GetByLabel("Presenting complaint").FillAsync("Groin pain, cannot bear weight.");
        await page.GetByLabel("History").FillAsync("Osteoporosis. Daughter asks to be called on +34 612 345 678.");
        await page.GetByLabel("Question to colleagues").FillAsync("Surgery or conservative management?");
        await page.GetByLabel("Tags (comma separated, e.g. trauma, hip)").FillAsync("trauma, hip");
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish case" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-error-for=history]")).ToContainTextAsync("phone number", new() { Timeout = 10_000 });
        await Assertions.Expect(page.GetByLabel("History")).ToHaveAttributeAsync("aria-invalid", "true");
        await AssertAccessible(page, "case-new-error");
        var none = await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, "/api/cases/following?page=1&pageSize=20", authorTokens.AccessToken);
        Assert.Empty(none["items"]!.AsArray());

        await page.GetByLabel("History").FillAsync("Osteoporosis, lives alone.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish case" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = title })).ToBeVisibleAsync(Visible);
        await page.Locator(".case[data-live=Connected]").WaitForAsync(new() { Timeout = 10_000 });
        var caseId = page.Url.Split('/')[^1];
        // The author follows their own case from the start.
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Unfollow" })).ToBeVisibleAsync(Visible);

        // A verified colleague, in another browser context, finds it by search and comments; the author's page shows it live.
        var (colleagueContext, colleaguePage, colleagueProblems) = await app.NewPageAsync();
        await using var __ = colleagueContext;
        await WebAppFixture.SignInAsync(colleaguePage, colleagueProfile.Email!);
        await WebAppFixture.NavigateAsync(colleaguePage, "Cases");
        await colleaguePage.GetByLabel("Specialty").SelectOptionAsync(specialty.ToString());
        await colleaguePage.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        // The specialty is new, so this case is the only one it finds.
        await Assertions.Expect(colleaguePage.Locator("ul.cases:not(.following) > li")).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        Assert.Contains($"specialtyId={specialty}", colleaguePage.Url);
        await colleaguePage.Locator($"li[data-case='{caseId}'] a").ClickAsync();
        await colleaguePage.Locator(".case[data-live=Connected]").WaitForAsync(new() { Timeout = 10_000 });
        await colleaguePage.GetByRole(AriaRole.Button, new() { Name = "Follow", Exact = true }).ClickAsync();
        await Assertions.Expect(colleaguePage.GetByRole(AriaRole.Button, new() { Name = "Unfollow" })).ToBeVisibleAsync(Visible);
        await colleaguePage.GetByLabel("Comment", new() { Exact = true }).FillAsync("Consider a CT of the hip before deciding.");
        await colleaguePage.GetByRole(AriaRole.Button, new() { Name = "Send comment" }).ClickAsync();
        // The form empties itself once the Api took the comment; typing before that would be wiped.
        await Assertions.Expect(colleaguePage.GetByText("Comment sent.")).ToBeVisibleAsync(Visible);
        var thread = page.Locator(".thread > li.comment");
        await Assertions.Expect(thread).ToHaveCountAsync(1, new() { Timeout = 10_000 });

        // The author's connection drops; the second comment is posted while it is away, so only the catch-up can show it.
        down = true;
        await socket!.CloseAsync(new() { Code = 4000, Reason = "dropped by the test" });
        await Assertions.Expect(page.Locator("#banner")).ToHaveTextAsync("Connection lost. Reconnecting…", new() { Timeout = 10_000 });
        await colleaguePage.GetByLabel("Comment", new() { Exact = true }).FillAsync("Check vitamin D as well.");
        await colleaguePage.GetByRole(AriaRole.Button, new() { Name = "Send comment" }).ClickAsync();
        await Assertions.Expect(colleaguePage.Locator(".thread > li.comment")).ToHaveCountAsync(2, new() { Timeout = 10_000 });
        down = false;
        await Assertions.Expect(page.Locator("#banner")).ToHaveTextAsync("Connection restored.", new() { Timeout = 15_000 });
        await Assertions.Expect(thread).ToHaveCountAsync(2, new() { Timeout = 10_000 });
        Assert.Equal(["1", "2"], await thread.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.seq)"));
        await Assertions.Expect(thread.First).ToContainTextAsync("Consider a CT of the hip");
        await AssertAccessible(colleaguePage, "case-colleague");

        // The author upvotes and accepts the first comment, replies to it (one level), and closes the case.
        await thread.First.GetByRole(AriaRole.Button, new() { Name = "Upvote" }).ClickAsync();
        await Assertions.Expect(thread.First.GetByRole(AriaRole.Button, new() { Name = "Upvote" })).ToHaveTextAsync("Upvote (1)", new() { Timeout = 10_000 });
        await thread.First.GetByRole(AriaRole.Button, new() { Name = "Accept as answer" }).ClickAsync();
        await Assertions.Expect(thread.First.Locator(".accepted-mark")).ToHaveTextAsync("Accepted answer", new() { Timeout = 10_000 });
        await thread.First.GetByRole(AriaRole.Button, new() { Name = "Reply" }).ClickAsync();
        await page.GetByLabel("Comment", new() { Exact = true }).FillAsync("CT booked, thanks.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send comment" }).ClickAsync();
        await Assertions.Expect(thread.First.Locator(".replies li.comment")).ToContainTextAsync("CT booked", new() { Timeout = 10_000 });
        // The reply reaches the colleague live, under the comment it answers.
        await Assertions.Expect(colleaguePage.Locator(".thread > li.comment").First.Locator(".replies li.comment")).ToContainTextAsync("CT booked", new() { Timeout = 10_000 });
        await AssertAccessible(page, "case-author");
        await page.GetByRole(AriaRole.Button, new() { Name = "Close case" }).ClickAsync();
        await Assertions.Expect(page.Locator(".case[data-status=closed]")).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Send comment" })).ToBeHiddenAsync();
        await WebAppFixture.ScreenshotAsync(page, "case-closed");

        var saved = await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, $"/api/cases/{caseId}", colleagueTokens.AccessToken);
        Assert.Equal("closed", saved["status"]!.GetValue<string>());
        var comments = await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, $"/api/cases/{caseId}/comments?after=0&limit=50", colleagueTokens.AccessToken);
        var first = comments["items"]!.AsArray()[0]!;
        Assert.Equal(first["id"]!.GetValue<string>(), saved["acceptedCommentId"]!.GetValue<string>());
        Assert.Equal(1, first["upvotes"]!.GetValue<int>());
        Assert.Equal(3, comments["items"]!.AsArray().Count);
        var followed = await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, "/api/cases/following?page=1&pageSize=20", colleagueTokens.AccessToken);
        Assert.Contains(followed["items"]!.AsArray(), c => c!["id"]!.GetValue<string>() == caseId);
        Assert.Equal(author.DoctorId, Guid.Parse(saved["authorId"]!.GetValue<string>()));
        Assert.Empty(problems);
        Assert.Empty(colleagueProblems);
    }

    [Fact]
    public async Task The_doctors_appointments_are_in_their_zone_and_complete_and_no_show_show_the_Apis_reasons()
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var api = http.Driver();
        var admin = (await http.LoginAdminAsync()).Tokens.AccessToken;
        var specialty = await api.CreateSpecialtyAsync(admin);
        // Kolkata is UTC+5:30 and the browser is in Buenos Aires (UTC-3): the minutes alone tell which zone is shown.
        const string zone = "Asia/Kolkata";
        var profile = ApiDriver.EveryDayDoctor(specialty, ApiDriver.DefaultPassword, timeZone: zone);
        var doctor = await api.CreateDoctorAsync(admin, profile);
        var patient = await http.RegisterAsync(name: "Schedule Patient");
        var slots = await api.FreeSlotsAsync(doctor.DoctorId, DateTimeOffset.UtcNow.AddHours(26), DateTimeOffset.UtcNow.AddDays(3));
        var first = await api.BookAsync(patient.Tokens.AccessToken, doctor.DoctorId, slots[0]);
        var second = await api.BookAsync(patient.Tokens.AccessToken, doctor.DoctorId, slots[1]);

        var (context, page, problems) = await app.NewPageAsync();
        await using var _ = context;
        await WebAppFixture.SignInAsync(page, profile.Email!);
        await WebAppFixture.NavigateAsync(page, "My appointments");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "My appointments" })).ToBeVisibleAsync(Visible);
        await Assertions.Expect(page.GetByText($"Times shown in: {zone}")).ToBeVisibleAsync();
        var row = page.Locator($"li[data-appointment='{first.Id}']");
        var local = TimeZoneInfo.ConvertTime(first.Start, TimeZoneInfo.FindSystemTimeZoneById(zone));
        await Assertions.Expect(row).ToContainTextAsync(local.ToString("h:mm", CultureInfo.InvariantCulture), new() { Timeout = 10_000 });
        await Assertions.Expect(row).ToContainTextAsync("booked");
        await AssertAccessible(page, "doctor-appointments");

        // Before the start the grain refuses to complete it: the 409's reason is shown in the row, and nothing changed.
        await row.GetByRole(AriaRole.Button, new() { Name = "Mark completed" }).ClickAsync();
        await Assertions.Expect(row.GetByRole(AriaRole.Alert)).ToHaveTextAsync("An appointment can only be completed once it has started.", new() { Timeout = 10_000 });
        Assert.Equal("booked", (await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, $"/api/appointments/{first.Id}", patient.Tokens.AccessToken))["status"]!.GetValue<string>());

        // The patient cancels the other one while the doctor's page still shows it booked: the 409 says why.
        await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Post, $"/api/appointments/{second.Id}/cancel", patient.Tokens.AccessToken);
        var cancelled = page.Locator($"li[data-appointment='{second.Id}']");
        await cancelled.GetByRole(AriaRole.Button, new() { Name = "Mark no-show" }).ClickAsync();
        await Assertions.Expect(cancelled.GetByRole(AriaRole.Alert)).ToContainTextAsync("cannot become", new() { Timeout = 10_000 });
        // The stale row now shows the appointment as it is, without buttons that can only fail.
        await Assertions.Expect(cancelled.Locator(".appt-status")).ToHaveTextAsync("cancelled");
        await Assertions.Expect(cancelled.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        await Assertions.Expect(row.Locator(".appt-status")).ToHaveTextAsync("booked");
        await WebAppFixture.ScreenshotAsync(page, "doctor-appointments-409");
        Assert.Empty(problems);
    }

    private static async Task AssertAccessible(IPage page, string screen)
    {
        await WebAppFixture.ScreenshotAsync(page, screen);
        var violations = await WebAppFixture.SeriousA11yViolationsAsync(page);
        Assert.True(violations.Count == 0, $"{screen}: " + string.Join("\n", violations));
    }
}
