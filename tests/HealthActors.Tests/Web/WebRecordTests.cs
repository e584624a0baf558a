using System.Net;
using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Tests.Infrastructure;
using Microsoft.Playwright;

namespace HealthActors.Tests.Web;

/// <summary>The health record and admin screens in Chromium: vitals and their chart, alarms, consents with the access log, credential review.</summary>
[Collection(WebAppCollection.Name)]
public sealed class WebRecordTests(WebAppFixture app)
{
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 10_000 };

    [Fact]
    public async Task A_patient_logs_vitals_sees_the_chart_marks_an_alarm_taken_and_shares_the_record_with_a_doctor()
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var api = http.Driver();
        var patient = await http.RegisterAsync(name: "Record Patient");
        var admin = await http.LoginAdminAsync();
        var specialty = await api.CreateSpecialtyAsync(admin.Tokens.AccessToken);
        var doctorProfile = ApiDriver.EveryDayDoctor(specialty, ApiDriver.DefaultPassword);
        var doctor = await api.CreateDoctorAsync(admin.Tokens.AccessToken, doctorProfile);
        var doctorTokens = await api.SignInAsync(doctorProfile.Email!, ApiDriver.DefaultPassword);
        var alarmAt = DateTimeOffset.UtcNow.AddMinutes(5);
        var alarm = await api.ExpectAsync<JsonObject>(HttpStatusCode.Created, HttpMethod.Post, "/api/alarms", patient.Tokens.AccessToken,
            new { title = "Call the pharmacy", at = alarmAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz") });

        var (context, page, problems) = await app.NewPageAsync();
        await using var _ = context;
        await SignInAsync(page, patient.Email, patient.Password);
        await page.GetByRole(AriaRole.Link, new() { Name = "Health record" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Health record", Exact = true })).ToBeVisibleAsync(Visible);

        // A heart rate the Api refuses: the message sits under the value field, and nothing is stored.
        var form = page.Locator("form[aria-labelledby=vital-form-title]");
        await form.GetByLabel("Vital sign").SelectOptionAsync("heart-rate");
        await form.GetByLabel("Value (bpm)").FillAsync("500");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save reading" }).ClickAsync();
        var valueError = form.Locator("[data-error-for=value]");
        await Assertions.Expect(valueError).ToContainTextAsync("between 30 and 220", new() { Timeout = 10_000 });
        await Assertions.Expect(form.GetByLabel("Value (bpm)")).ToHaveAttributeAsync("aria-invalid", "true");
        Assert.Equal(1, await form.Locator("[data-error-for]:visible").CountAsync());
        await WebAppFixture.ScreenshotAsync(page, "record-error");

        await form.GetByLabel("Value (bpm)").FillAsync("72");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save reading" }).ClickAsync();
        await Assertions.Expect(form.GetByRole(AriaRole.Status)).ToContainTextAsync("72 bpm", new() { Timeout = 10_000 });
        await Assertions.Expect(valueError).ToBeHiddenAsync();
        // The list, the chart and the insights now show exactly that one reading.
        await Assertions.Expect(page.Locator("table.readings tbody tr")).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("table.readings tbody tr")).ToContainTextAsync("72 bpm");
        await Assertions.Expect(page.Locator("svg.chart circle.point")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("svg.chart desc")).ToContainTextAsync("72 bpm");
        var stats = page.Locator("table.stats tr[data-type=heart-rate] td");
        await Assertions.Expect(stats.First).ToHaveTextAsync("1");
        await Assertions.Expect(stats.Last).ToHaveTextAsync("0");
        var stored = await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, "/api/patients/me/records/vitals?type=heart-rate", patient.Tokens.AccessToken);
        Assert.Equal(72m, Assert.Single(stored["items"]!.AsArray())!["value"]!.GetValue<decimal>());
        await page.GetByLabel("Period", new() { Exact = true }).SelectOptionAsync("30");
        await Assertions.Expect(page.Locator("svg.chart title")).ToContainTextAsync("Last 30 days");
        await Assertions.Expect(page.Locator("svg.chart circle.point")).ToHaveCountAsync(1);
        await AssertAccessible(page, "record");

        // The alarm made through the Api is marked taken in the page, and the Api agrees.
        await page.GetByRole(AriaRole.Link, new() { Name = "Alarms" }).ClickAsync();
        var item = page.Locator("li.alarm", new() { HasText = "Call the pharmacy" });
        await Assertions.Expect(item).ToBeVisibleAsync(Visible);
        await AssertAccessible(page, "alarms");
        await item.GetByRole(AriaRole.Button, new() { Name = "Taken: Call the pharmacy" }).ClickAsync();
        await Assertions.Expect(item).ToHaveAttributeAsync("data-status", "taken", new() { Timeout = 10_000 });
        await Assertions.Expect(item.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        var alarms = await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, "/api/alarms", patient.Tokens.AccessToken);
        Assert.Equal("taken", alarms["items"]!.AsArray().Single(a => a!["id"]!.GetValue<string>() == alarm["id"]!.GetValue<string>())!["status"]!.GetValue<string>());

        // Consent: a bad until date is shown at its field; then granted, the doctor reads, and the read is in the log.
        await page.GetByRole(AriaRole.Link, new() { Name = "Sharing" }).ClickAsync();
        var grant = page.Locator("form[aria-labelledby=grant-title]");
        await Assertions.Expect(grant).ToBeVisibleAsync(Visible);
        await grant.GetByLabel("Doctor id").FillAsync(doctor.DoctorId.ToString());
        await grant.GetByLabel("Until (leave empty for two years)").FillAsync("2020-01-01");
        await grant.GetByRole(AriaRole.Button, new() { Name = "Grant access" }).ClickAsync();
        await Assertions.Expect(grant.Locator("[data-error-for=until]")).ToBeVisibleAsync(Visible);
        Assert.Empty((await api.ExpectAsync<JsonArray>(HttpStatusCode.OK, HttpMethod.Get, "/api/patients/me/consents", patient.Tokens.AccessToken)));
        await grant.GetByLabel("Until (leave empty for two years)").FillAsync(DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-dd"));
        await grant.GetByRole(AriaRole.Button, new() { Name = "Grant access" }).ClickAsync();
        var consent = page.Locator($"li[data-doctor='{doctor.DoctorId}']");
        await Assertions.Expect(consent).ToContainTextAsync(doctorProfile.Name!, new() { Timeout = 10_000 });

        await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, $"/api/patients/{patient.Id}/records/vitals", doctorTokens.AccessToken);
        JsonObject? read = null;
        await Poll.Until(async () =>
        {
            var log = await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, "/api/patients/me/access-log", patient.Tokens.AccessToken);
            read = log["items"]!.AsArray().Select(i => i!.AsObject()).FirstOrDefault(i => i["actorId"]!.GetValue<Guid>() == doctor.DoctorId);
            return read is not null;
        }, TimeSpan.FromSeconds(10), () => "the doctor's read in the access log");
        await page.ReloadAsync();
        var row = page.Locator("tbody tr", new() { HasText = doctorProfile.Name! });
        await Assertions.Expect(row).ToBeVisibleAsync(Visible);
        // Shown in the browser's zone (Buenos Aires, UTC-3), not in UTC.
        var local = TimeZoneInfo.ConvertTime(read!["at"]!.GetValue<DateTimeOffset>(), TimeZoneInfo.FindSystemTimeZoneById("America/Argentina/Buenos_Aires"));
        await Assertions.Expect(row.Locator("td").First).ToContainTextAsync(local.ToString("h:mm", System.Globalization.CultureInfo.InvariantCulture));
        await AssertAccessible(page, "consents");

        await consent.GetByRole(AriaRole.Button, new() { Name = $"Withdraw: {doctorProfile.Name}" }).ClickAsync();
        await Assertions.Expect(consent).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        using var after = await http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/patients/{patient.Id}/records/vitals", doctorTokens.AccessToken));
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        Assert.Empty(problems);
    }

    [Fact]
    public async Task An_admin_approves_a_pending_credential_changes_a_role_and_sees_errors_at_their_fields()
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var api = http.Driver();
        var admin = await http.LoginAdminAsync();
        var specialty = await api.CreateSpecialtyAsync(admin.Tokens.AccessToken);
        var profile = ApiDriver.EveryDayDoctor(specialty, ApiDriver.DefaultPassword) with { Verified = false };
        var doctor = await api.CreateDoctorAsync(admin.Tokens.AccessToken, profile);
        var doctorTokens = await api.SignInAsync(profile.Email!, ApiDriver.DefaultPassword);
        var license = "MN-" + Random.Shared.Next(10_000, 99_999);
        var submission = await api.ExpectAsync<JsonObject>(HttpStatusCode.Created, HttpMethod.Post, "/api/doctors/me/credentials", doctorTokens.AccessToken, new
        {
            licenseNumber = license, issuingAuthority = "Colegio de Médicos", institution = "Universidad de Buenos Aires", degree = "MD", graduationYear = 2010,
        });
        var patient = await http.RegisterAsync(name: "Future Doctor");

        var (context, page, problems) = await app.NewPageAsync(1280, 900);
        await using var _ = context;
        await SignInAsync(page, ApiFactory.AdminEmail, ApiFactory.AdminPassword);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Administration" })).ToBeVisibleAsync(Visible);
        Assert.EndsWith("/admin", page.Url);
        // A patient's screens are not offered to the admin.
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Health record" })).ToHaveCountAsync(0);

        var item = page.Locator($"form[data-submission='{submission["id"]!.GetValue<string>()}']");
        await Assertions.Expect(item).ToContainTextAsync(license, new() { Timeout = 10_000 });
        await AssertAccessible(page, "admin");

        // Errors land at their fields: a specialty without a name, a role change for an unknown email.
        var sp = page.Locator("form[aria-labelledby=sp-title]");
        await sp.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Assertions.Expect(sp.Locator("[data-error-for=name]")).ToBeVisibleAsync(Visible);
        var roleForm = page.Locator("form[aria-labelledby=role-title]");
        await roleForm.GetByLabel("Email").FillAsync(ApiDriver.NewEmail("nobody"));
        await roleForm.GetByRole(AriaRole.Button, new() { Name = "Change a user's role" }).ClickAsync();
        await Assertions.Expect(roleForm.Locator("[data-error-for=email]")).ToHaveTextAsync("No user has this email.", new() { Timeout = 10_000 });

        await roleForm.GetByLabel("Email").FillAsync(patient.Email);
        await roleForm.GetByLabel("Role").SelectOptionAsync("doctor");
        await roleForm.GetByRole(AriaRole.Button, new() { Name = "Change a user's role" }).ClickAsync();
        await Assertions.Expect(roleForm.GetByRole(AriaRole.Status)).ToContainTextAsync("Doctor", new() { Timeout = 10_000 });
        var changed = await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, $"/api/admin/users/{patient.Id}", admin.Tokens.AccessToken);
        Assert.Equal("doctor", changed["role"]!.GetValue<string>());

        Assert.False((await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, $"/api/doctors/{doctor.DoctorId}", null))["verified"]!.GetValue<bool>());
        await item.GetByRole(AriaRole.Button, new() { Name = $"Approve: {license}" }).ClickAsync();
        await Assertions.Expect(item).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        await Assertions.Expect(page.GetByText("Decision saved.")).ToBeVisibleAsync();
        Assert.True((await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, $"/api/doctors/{doctor.DoctorId}", null))["verified"]!.GetValue<bool>());
        await WebAppFixture.ScreenshotAsync(page, "admin-approved");
        Assert.Empty(problems);
    }

    private static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/signin");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync(Visible);
    }

    private static async Task AssertAccessible(IPage page, string screen)
    {
        await WebAppFixture.ScreenshotAsync(page, screen);
        var violations = await WebAppFixture.SeriousA11yViolationsAsync(page);
        Assert.True(violations.Count == 0, $"{screen}: " + string.Join("\n", violations));
    }
}
