using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace HealthActors.Tests.Web;

/// <summary>Quick consultations as a patient and a doctor meet them: two browser contexts against the Api on a real port.</summary>
[Collection(WebAppCollection.Name)]
public sealed class ConsultationWebTests(WebAppFixture app)
{
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 10_000 };

    private static async Task<TestUser> DoctorAsync(ApiDriver api, string adminToken, Guid specialtyId, bool verified)
    {
        // Created through the admin endpoint: an admin-made doctor is verified unless the admin says otherwise.
        var profile = ApiDriver.EveryDayDoctor(specialtyId, ApiDriver.DefaultPassword) with { Name = verified ? "Dr. Consult Vega" : "Dr. Not Yet", Verified = verified };
        await api.CreateDoctorAsync(adminToken, profile);
        return await api.SignInUserAsync(profile.Email!, ApiDriver.DefaultPassword);
    }

    [Fact]
    public async Task The_patient_asks_the_doctor_sees_it_live_claims_and_answers_live_closes_and_the_patient_rates()
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var api = http.Driver();
        var admin = (await http.LoginAdminAsync()).Tokens.AccessToken;
        // A fresh specialty, so the doctor's board starts empty and only this test's questions reach it.
        var specialtyName = "Web consult " + Guid.NewGuid().ToString("N")[..8];
        var specialtyId = await api.CreateSpecialtyAsync(admin, specialtyName);
        var doctor = await DoctorAsync(api, admin, specialtyId, verified: true);
        var colleague = await DoctorAsync(api, admin, specialtyId, verified: true);
        var patient = await http.RegisterAsync(name: "Web Consult Patient");
        var otherPatient = await http.RegisterAsync(name: "Web Consult Other");

        var (patientContext, patientPage, patientProblems) = await app.NewPageAsync();
        await using var _ = patientContext;
        var (doctorContext, doctorPage, doctorProblems) = await app.NewPageAsync(1280, 800);
        await using var __ = doctorContext;
        // The patient's thread connection passes through the test, which can cut it and refuse its reconnect.
        var down = false;
        IWebSocketRoute? socket = null;
        await patientPage.RouteWebSocketAsync(new System.Text.RegularExpressions.Regex("/hubs/consultations"), ws => { socket = ws; ws.ConnectToServer(); });
        await patientPage.RouteAsync("**/hubs/consultations/negotiate**", route => down ? route.AbortAsync() : route.ContinueAsync());

        // The board is open and live before any question exists: a question can only reach it through the push.
        await WebAppFixture.SignInAsync(doctorPage, doctor.Email);
        await WebAppFixture.NavigateAsync(doctorPage, "Consultations");
        await Assertions.Expect(doctorPage.GetByText("No open questions right now.")).ToBeVisibleAsync(Visible);
        await Assertions.Expect(doctorPage.GetByRole(AriaRole.List, new() { Name = "Questions I took" })).ToHaveTextAsync("You have not taken any questions yet.");
        await doctorPage.Locator(".consult-board[data-live=Connected]").WaitForAsync(new() { Timeout = 10_000 });

        await WebAppFixture.SignInAsync(patientPage, patient.Email);
        // Patients have the link too; at 390 px the nav may fold it into a menu, so the page is opened by its address.
        await Assertions.Expect(patientPage.Locator("#nav a[href='/consultations']")).ToHaveCountAsync(1);
        await patientPage.GotoAsync("/consultations");
        await Assertions.Expect(patientPage.GetByRole(AriaRole.Heading, new() { Name = "Ask a doctor" })).ToBeVisibleAsync(Visible);
        await AssertAccessible(patientPage, "consult-patient");

        // An empty question: the Api's 400 is shown at the field, and nothing is created.
        await patientPage.GetByLabel("Specialty").SelectOptionAsync(new SelectOptionValue { Label = specialtyName });
        await patientPage.GetByRole(AriaRole.Button, new() { Name = "Ask", Exact = true }).ClickAsync();
        await Assertions.Expect(patientPage.Locator("[data-error-for=question]")).ToBeVisibleAsync(Visible);
        await Assertions.Expect(patientPage.GetByLabel("Your question")).ToHaveAttributeAsync("aria-invalid", "true");
        await WebAppFixture.ScreenshotAsync(patientPage, "consult-patient-error");
        var none = await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, "/api/consultations/mine?page=1&pageSize=20", patient.Tokens.AccessToken);
        Assert.Equal(0, none["total"]!.GetValue<int>());

        await patientPage.GetByLabel("Your question").FillAsync("An itchy rash on my forearm since last week, worse at night");
        await patientPage.GetByLabel("Attachment (PNG, JPEG or PDF, optional)").SetInputFilesAsync(
            new FilePayload { Name = "rash.png", MimeType = "image/png", Buffer = SampleFiles.Png() });
        await patientPage.GetByRole(AriaRole.Button, new() { Name = "Ask", Exact = true }).ClickAsync();
        var patientThread = patientPage.Locator(".consult-thread");
        await Assertions.Expect(patientThread).ToHaveAttributeAsync("data-status", "open", new() { Timeout = 10_000 });
        await Assertions.Expect(patientThread).ToContainTextAsync("1 attachment(s)");
        await patientPage.Locator(".consult-thread[data-live=Connected]").WaitForAsync(new() { Timeout = 10_000 });
        var consultationId = await patientThread.GetAttributeAsync("data-consultation");

        // The doctor sees it without reloading.
        var row = doctorPage.Locator($".consult-board li[data-consultation='{consultationId}']");
        await Assertions.Expect(row).ToContainTextAsync("itchy rash", new() { Timeout = 10_000 });
        await AssertAccessible(doctorPage, "consult-doctor-board");

        // A second question that a colleague takes first (through the Api) while it is on this doctor's board:
        // the late claim shows the Api's 409 as a sentence, at that question.
        var taken = await api.ExpectAsync<JsonObject>(HttpStatusCode.Created, HttpMethod.Post, "/api/consultations", otherPatient.Tokens.AccessToken,
            new { question = "A mole on my back changed colour", specialtyId });
        var takenId = taken["id"]!.GetValue<string>();
        var takenRow = doctorPage.Locator($".consult-board li[data-consultation='{takenId}']");
        await Assertions.Expect(takenRow).ToBeVisibleAsync(Visible);
        await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Post, $"/api/consultations/{takenId}/claim", colleague.Tokens.AccessToken);
        await takenRow.GetByRole(AriaRole.Button).ClickAsync();
        await Assertions.Expect(takenRow.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Another doctor already took this question.", new() { Timeout = 10_000 });

        // The doctor claims the first one and lands in its thread; the patient's status follows without a reload.
        await row.GetByRole(AriaRole.Button).ClickAsync();
        var doctorThread = doctorPage.Locator(".consult-thread");
        await Assertions.Expect(doctorThread).ToHaveAttributeAsync("data-status", "claimed", new() { Timeout = 10_000 });
        await doctorPage.Locator(".consult-thread[data-live=Connected]").WaitForAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(patientThread).ToHaveAttributeAsync("data-status", "claimed", new() { Timeout = 10_000 });

        // "Questions I took" comes from the Api: another browser of the same doctor, with nothing stored locally,
        // lists the claimed question and not the one the colleague took.
        var (elsewhereContext, elsewherePage, elsewhereProblems) = await app.NewPageAsync();
        await using (elsewhereContext)
        {
            await WebAppFixture.SignInAsync(elsewherePage, doctor.Email);
            await elsewherePage.GotoAsync("/consultations");
            var tookList = elsewherePage.GetByRole(AriaRole.List, new() { Name = "Questions I took" });
            await Assertions.Expect(tookList.Locator($"li[data-consultation='{consultationId}']")).ToContainTextAsync("itchy rash", new() { Timeout = 10_000 });
            await Assertions.Expect(tookList.Locator("li")).ToHaveCountAsync(1);
            await Assertions.Expect(tookList.GetByRole(AriaRole.Link, new() { Name = "Open thread" })).ToHaveAttributeAsync("href", $"/consultations/{consultationId}");
            await AssertAccessible(elsewherePage, "consult-doctor-taken");
            Assert.Empty(elsewhereProblems);
        }

        // The answer appears on the patient's page live, and the patient's reply on the doctor's, each once and in order.
        await doctorPage.GetByLabel("Your message").FillAsync("Does it itch more after a hot shower?");
        await doctorPage.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Assertions.Expect(patientPage.Locator(".thread li[data-seq='1']")).ToContainTextAsync("hot shower", new() { Timeout = 10_000 });

        // The patient's connection drops; two answers sent meanwhile reach the page only through the catch-up.
        down = true;
        await socket!.CloseAsync(new() { Code = 4000, Reason = "dropped by the test" });
        await Assertions.Expect(patientPage.Locator("#banner")).ToHaveTextAsync("Connection lost. Reconnecting…", new() { Timeout = 10_000 });
        foreach (var text in new[] { "Any new soap or detergent?", "Please send a photo in daylight." })
            await api.ExpectAsync<JsonObject>(HttpStatusCode.Created, HttpMethod.Post, $"/api/consultations/{consultationId}/messages", doctor.Tokens.AccessToken, new { text });
        down = false;
        await Assertions.Expect(patientPage.Locator("#banner")).ToHaveTextAsync("Connection restored.", new() { Timeout = 15_000 });
        await Assertions.Expect(patientPage.Locator(".thread li[data-seq='3']")).ToContainTextAsync("daylight", new() { Timeout = 10_000 });

        await patientPage.GetByLabel("Your message").FillAsync("Yes, much more.");
        await patientPage.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Assertions.Expect(doctorPage.Locator(".thread li[data-seq='4']")).ToContainTextAsync("much more", new() { Timeout = 10_000 });
        await Assertions.Expect(patientPage.Locator(".thread li[data-seq='4']")).ToContainTextAsync("much more", new() { Timeout = 10_000 });
        foreach (var page in new[] { patientPage, doctorPage })
        {
            var seqs = await page.Locator(".thread li[data-seq]").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.seq)");
            Assert.Equal(["1", "2", "3", "4"], seqs);
        }
        await AssertAccessible(doctorPage, "consult-doctor-thread");
        await AssertAccessible(patientPage, "consult-patient-thread");

        // The doctor closes; the patient's page learns it live and offers the rating.
        await doctorPage.GetByRole(AriaRole.Button, new() { Name = "Close consultation" }).ClickAsync();
        await Assertions.Expect(doctorThread).ToHaveAttributeAsync("data-status", "closed", new() { Timeout = 10_000 });
        await Assertions.Expect(doctorPage.GetByLabel("Your message")).ToHaveCountAsync(0);
        await Assertions.Expect(patientThread).ToHaveAttributeAsync("data-status", "closed", new() { Timeout = 10_000 });

        // A rating out of range: the Api's 400 at the field, nothing stored; then a good one is accepted.
        await patientPage.GetByLabel("Rating (1 to 5)").FillAsync("6");
        await patientPage.GetByRole(AriaRole.Button, new() { Name = "Send rating" }).ClickAsync();
        await Assertions.Expect(patientPage.Locator("[data-error-for=rating]")).ToContainTextAsync("from 1 to 5", new() { Timeout = 10_000 });
        await AssertAccessible(patientPage, "consult-rating-error");
        var doctorId = (await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, $"/api/consultations/{consultationId}", patient.Tokens.AccessToken))["doctorId"]!.GetValue<string>();
        Assert.Equal(0, (await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, $"/api/doctors/{doctorId}/ratings?page=1&pageSize=5", null))["total"]!.GetValue<int>());

        await patientPage.GetByLabel("Rating (1 to 5)").FillAsync("5");
        await patientPage.GetByLabel("Comment (optional)").FillAsync("Clear and quick.");
        await patientPage.GetByRole(AriaRole.Button, new() { Name = "Send rating" }).ClickAsync();
        await Assertions.Expect(patientPage.Locator(".rating-done")).ToContainTextAsync("5/5", new() { Timeout = 10_000 });
        Assert.Equal(1, (await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, $"/api/doctors/{doctorId}/ratings?page=1&pageSize=5", null))["total"]!.GetValue<int>());

        // After a reload the form is offered again (the Api does not say whether it was rated): a second rating is
        // the Api's 409, shown as a sentence.
        await patientPage.ReloadAsync();
        await patientPage.GetByLabel("Rating (1 to 5)").FillAsync("4");
        await patientPage.GetByRole(AriaRole.Button, new() { Name = "Send rating" }).ClickAsync();
        await Assertions.Expect(patientPage.Locator(".rating-form [role=alert]")).ToHaveTextAsync("You already rated this consultation.", new() { Timeout = 10_000 });

        // The list shows each question with its state.
        await patientPage.GotoAsync("/consultations");
        await Assertions.Expect(patientPage.Locator($".consultations-list li[data-consultation='{consultationId}']")).ToContainTextAsync("closed", new() { Timeout = 10_000 });
        await AssertAccessible(patientPage, "consult-patient-list");
        Assert.Empty(patientProblems);
        Assert.Empty(doctorProblems);
    }

    [Fact]
    public async Task An_unverified_doctor_is_told_why_the_consultations_are_closed_to_them()
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var api = http.Driver();
        var admin = (await http.LoginAdminAsync()).Tokens.AccessToken;
        var specialtyId = await api.CreateSpecialtyAsync(admin, "Web consult unverified " + Guid.NewGuid().ToString("N")[..8]);
        var doctor = await DoctorAsync(api, admin, specialtyId, verified: false);

        var (context, page, problems) = await app.NewPageAsync();
        await using var _ = context;
        await WebAppFixture.SignInAsync(page, doctor.Email);
        await page.GotoAsync("/consultations");
        var refusal = page.Locator(".not-verified");
        await Assertions.Expect(refusal).ToContainTextAsync("Only verified doctors can take consultations", new() { Timeout = 10_000 });
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Take this question" })).ToHaveCountAsync(0);
        await AssertAccessible(page, "consult-doctor-unverified");
        Assert.Empty(problems);
    }

    private static async Task AssertAccessible(IPage page, string screen)
    {
        await WebAppFixture.ScreenshotAsync(page, screen);
        var violations = await WebAppFixture.SeriousA11yViolationsAsync(page);
        Assert.True(violations.Count == 0, $"{screen}: " + string.Join("\n", violations));
    }
}
