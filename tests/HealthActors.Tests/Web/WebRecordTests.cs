using System.Net;
using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Tests.Infrastructure;
using Microsoft.Playwright;

namespace HealthActors.Tests.Web;

/// <summary>The health record and admin screens in Chromium: vitals and their chart, the other record kinds (added, edited, deleted), alarms, reminders and medication schedules, consents with the access log, credential review; the phone-width menu and the bid list's rating text.</summary>
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
        await WebAppFixture.NavigateAsync(page, "Health record");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Health record", Exact = true })).ToBeVisibleAsync(Visible);

        // A heart rate the Api refuses: the message sits under the value field, and nothing is stored.
        var form = page.Locator("form[aria-labelledby=vital-form-title]");
        await form.GetByLabel("Vital sign", new() { Exact = true }).SelectOptionAsync("heart-rate");
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
        await WebAppFixture.NavigateAsync(page, "Alarms");
        var item = page.Locator("li.alarm", new() { HasText = "Call the pharmacy" });
        await Assertions.Expect(item).ToBeVisibleAsync(Visible);
        await AssertAccessible(page, "alarms");
        await item.GetByRole(AriaRole.Button, new() { Name = "Taken: Call the pharmacy" }).ClickAsync();
        await Assertions.Expect(item).ToHaveAttributeAsync("data-status", "taken", new() { Timeout = 10_000 });
        await Assertions.Expect(item.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        var alarms = await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, "/api/alarms", patient.Tokens.AccessToken);
        Assert.Equal("taken", alarms["items"]!.AsArray().Single(a => a!["id"]!.GetValue<string>() == alarm["id"]!.GetValue<string>())!["status"]!.GetValue<string>());

        // Consent: a bad until date is shown at its field; then granted, the doctor reads, and the read is in the log.
        await WebAppFixture.NavigateAsync(page, "Sharing");
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
    public async Task At_390_px_a_patient_pages_and_adds_other_record_kinds_and_adds_and_deletes_a_medication_schedule_through_the_keyboard_menu()
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var api = http.Driver();
        var patient = await http.RegisterAsync(name: "Logs Patient");
        var token = patient.Tokens.AccessToken;
        await api.PutProfileAsync(token, new { firstName = "Lola", lastName = "Logs", preferredLanguage = "en", timeZone = "America/Argentina/Buenos_Aires" });
        // One page and one more of water, hours apart (a repeat within five minutes would be refused as a duplicate).
        var now = DateTimeOffset.UtcNow;
        var water = Enumerable.Range(1, 21).Select(i => new { ml = 100 + i, recordedAt = Iso(now.AddHours(-i)) }).ToArray();
        await api.ExpectAsync<JsonObject>(HttpStatusCode.Created, HttpMethod.Post, "/api/patients/me/records/water/batch", token, new { items = water });
        // A lone heart rate: the chart has one point and the insights table one row.
        await api.ExpectAsync<JsonObject>(HttpStatusCode.Created, HttpMethod.Post, "/api/patients/me/records/vitals", token,
            new { type = "heart-rate", value = 64, recordedAt = Iso(now.AddMinutes(-1)) });

        var (context, page, problems) = await app.NewPageAsync();
        await using var _ = context;
        await SignInAsync(page, patient.Email, patient.Password);

        // The header is one row: the links sit behind a labelled Menu button that the keyboard opens, walks and closes.
        var toggle = page.Locator("#nav button.nav-toggle");
        var healthRecord = page.Locator("#nav-links").GetByRole(AriaRole.Link, new() { Name = "Health record", Exact = true });
        await Assertions.Expect(toggle).ToHaveAccessibleNameAsync("Menu");
        await Assertions.Expect(healthRecord).ToBeHiddenAsync();
        await toggle.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
        await Assertions.Expect(healthRecord).ToBeVisibleAsync();
        await WebAppFixture.ScreenshotAsync(page, "nav-menu-390");
        await page.Keyboard.PressAsync("Tab");
        Assert.True(await page.EvaluateAsync<bool>("() => document.getElementById('nav-links').contains(document.activeElement)"), "Tab after the Menu button goes to its links");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(healthRecord).ToBeHiddenAsync();
        await Assertions.Expect(toggle).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Space");
        await healthRecord.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Health record", Exact = true })).ToBeVisibleAsync(Visible);
        await Assertions.Expect(page.Locator("table.stats tr[data-type=heart-rate]")).ToHaveCountAsync(1, new() { Timeout = 10_000 });

        // Nothing sticks out sideways at 390 px; the lone reading sits inside the plot, and its labels are readable.
        await page.Locator("section[aria-labelledby=trend-title]").GetByLabel("Vital sign", new() { Exact = true }).SelectOptionAsync("heart-rate");
        await Assertions.Expect(page.Locator("svg.chart circle.point")).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        await AssertNoSidewaysScroll(page, "record");
        var chart = await page.EvaluateAsync<double[]>(@"() => {
            const svg = document.querySelector('svg.chart'), box = svg.getBoundingClientRect(), dot = svg.querySelector('circle.point').getBoundingClientRect();
            const scale = box.width / svg.viewBox.baseVal.width;
            return [box.right - dot.right, Math.min(...[...svg.querySelectorAll('text')].map(t => Number(t.getAttribute('font-size')) * scale))];
        }");
        Assert.True(chart[0] >= 12, $"the reading is {chart[0]} px from the chart's right edge");
        Assert.True(chart[1] >= 12, $"the smallest axis label is {chart[1]} px");

        // Water: 20 listed, "Load more" follows the cursor to the 21st; a bad amount is refused at its field, a good one listed first.
        var logs = page.Locator("form[aria-labelledby=log-form-title]");
        await logs.GetByLabel("Record kind").SelectOptionAsync("water");
        var rows = page.Locator("table.logs tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(20, new() { Timeout = 10_000 });
        await Assertions.Expect(rows.First).ToContainTextAsync("101 ml");
        await page.Locator("section[aria-labelledby=log-list-title]").GetByRole(AriaRole.Button, new() { Name = "Load more" }).ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(21, new() { Timeout = 10_000 });
        await Assertions.Expect(rows.Last).ToContainTextAsync("121 ml");
        await logs.GetByLabel("Water (ml)").FillAsync("20000");
        await logs.GetByRole(AriaRole.Button, new() { Name = "Save record" }).ClickAsync();
        await Assertions.Expect(logs.Locator("[data-error-for=ml]")).ToContainTextAsync("between 1 and 10000", new() { Timeout = 10_000 });
        await Assertions.Expect(logs.GetByLabel("Water (ml)")).ToHaveAttributeAsync("aria-invalid", "true");
        Assert.Equal(1, await logs.Locator("[data-error-for]:visible").CountAsync());
        await WebAppFixture.ScreenshotAsync(page, "record-log-error");
        await logs.GetByLabel("Water (ml)").FillAsync("250");
        await logs.GetByRole(AriaRole.Button, new() { Name = "Save record" }).ClickAsync();
        await Assertions.Expect(logs.GetByRole(AriaRole.Status)).ToContainTextAsync("250 ml", new() { Timeout = 10_000 });
        await Assertions.Expect(logs.Locator("[data-error-for=ml]")).ToBeHiddenAsync();
        await Assertions.Expect(rows.First).ToContainTextAsync("250 ml", new() { Timeout = 10_000 });
        var stored = await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, "/api/patients/me/records/water?limit=200", token);
        Assert.Equal(22, stored["items"]!.AsArray().Count);
        Assert.DoesNotContain(stored["items"]!.AsArray(), i => i!["ml"]!.GetValue<decimal>() == 20000m);

        // A medication, so the alarms page can schedule it.
        await logs.GetByLabel("Record kind").SelectOptionAsync("medications");
        await logs.GetByLabel("Medication name").FillAsync("Metformin");
        await logs.GetByLabel("Dose (e.g. 500 mg)").FillAsync("500 mg");
        await logs.GetByLabel("How often (e.g. twice a day)").FillAsync("twice a day");
        await Assertions.Expect(logs.GetByLabel("I take it now")).ToBeCheckedAsync();
        await logs.GetByRole(AriaRole.Button, new() { Name = "Save record" }).ClickAsync();
        await Assertions.Expect(rows.First).ToContainTextAsync("Metformin 500 mg · twice a day · taking it", new() { Timeout = 10_000 });
        await AssertAccessible(page, "record-logs");

        // Schedules: a bad dose time is named at its field; a good schedule rings alarms in the profile's zone; deleting it stops them.
        await WebAppFixture.NavigateAsync(page, "Alarms");
        var schedule = page.Locator("form[aria-labelledby=sched-form-title]");
        await Assertions.Expect(schedule).ToContainTextAsync("America/Argentina/Buenos_Aires", new() { Timeout = 10_000 });
        await Assertions.Expect(schedule.GetByLabel("Medication", new() { Exact = true })).ToContainTextAsync("Metformin 500 mg");
        var times = schedule.GetByLabel("Dose times (24-hour HH:mm, comma separated, e.g. 08:00, 20:00)");
        await times.FillAsync("08:00, 25:00");
        await schedule.GetByRole(AriaRole.Button, new() { Name = "Save schedule" }).ClickAsync();
        await Assertions.Expect(schedule.Locator("[data-error-for=timesOfDay]")).ToContainTextAsync("HH:mm", new() { Timeout = 10_000 });
        await Assertions.Expect(times).ToHaveAttributeAsync("aria-invalid", "true");
        Assert.Empty((await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, "/api/patients/me/medication-schedules", token))["items"]!.AsArray());

        await times.FillAsync("08:00, 20:00");
        await schedule.GetByLabel("Mon").CheckAsync();
        await schedule.GetByLabel("Thu").CheckAsync();
        await schedule.GetByRole(AriaRole.Button, new() { Name = "Save schedule" }).ClickAsync();
        var item = page.Locator("li.schedule");
        await Assertions.Expect(item).ToContainTextAsync("Metformin 500 mg 08:00, 20:00 · Mon, Thu", new() { Timeout = 10_000 });
        var saved = Assert.Single((await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, "/api/patients/me/medication-schedules", token))["items"]!.AsArray())!;
        Assert.Equal("America/Argentina/Buenos_Aires", saved["timeZone"]!.GetValue<string>());
        Assert.Equal(["08:00", "20:00"], saved["timesOfDay"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.Equal(["mon", "thu"], saved["daysOfWeek"]!.AsArray().Select(x => x!.GetValue<string>()));
        await AssertNoSidewaysScroll(page, "alarms");
        await AssertAccessible(page, "alarms-schedules");

        await item.GetByRole(AriaRole.Button, new() { Name = "Delete: Metformin 500 mg" }).ClickAsync();
        await Assertions.Expect(item).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        await Assertions.Expect(page.GetByText("No schedules yet.")).ToBeVisibleAsync();
        Assert.Empty((await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, "/api/patients/me/medication-schedules", token))["items"]!.AsArray());
        Assert.Empty(problems);
    }

    [Fact]
    public async Task An_unrated_doctors_bid_says_no_ratings_yet_instead_of_zero()
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var api = http.Driver();
        var admin = await http.LoginAdminAsync();
        var specialty = await api.CreateSpecialtyAsync(admin.Tokens.AccessToken, "Web rating " + Guid.NewGuid().ToString("N")[..8]);
        var profile = ApiDriver.EveryDayDoctor(specialty, ApiDriver.DefaultPassword) with { Name = "Dr. New Comer" };
        var doctor = await api.CreateDoctorAsync(admin.Tokens.AccessToken, profile);
        var doctorToken = (await api.SignInAsync(profile.Email!, ApiDriver.DefaultPassword)).AccessToken;
        var patient = await http.RegisterAsync(name: "Rating Patient");
        var now = DateTimeOffset.UtcNow;
        var auction = await api.CreateAuctionAsync(patient.Tokens.AccessToken, specialty, now.AddHours(2), now.AddDays(2), now.AddMinutes(30), 200, "EUR");
        var slot = (await api.FreeSlotsAsync(doctor.DoctorId, now.AddHours(3), now.AddDays(1)))[0];
        await api.BidAsync(doctorToken, auction, 80, slot);

        var (context, page, problems) = await app.NewPageAsync(locale: "es-ES");
        await using var _ = context;
        await SignInAsync(page, patient.Email, patient.Password, signOut: "Salir");
        await page.GotoAsync($"/market/{auction}");
        var bid = page.Locator(".bids li.bid");
        await Assertions.Expect(bid).ToContainTextAsync("Dr. New Comer (aún sin valoraciones)", new() { Timeout = 10_000 });
        await Assertions.Expect(bid).Not.ToContainTextAsync("0.0");
        await WebAppFixture.ScreenshotAsync(page, "market-unrated-es");
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

    [Fact]
    public async Task A_patient_edits_a_reading_deletes_a_record_after_confirming_and_sets_a_reminder_on_the_profiles_clock()
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var api = http.Driver();
        var patient = await http.RegisterAsync(name: "Edit Patient");
        var token = patient.Tokens.AccessToken;
        // Tokyo, while the browser runs in Buenos Aires: a reminder typed on the wrong clock would be 12 hours off.
        await api.PutProfileAsync(token, new { firstName = "Eda", lastName = "Edits", preferredLanguage = "en", timeZone = "Asia/Tokyo" });
        var now = DateTimeOffset.UtcNow;
        var pulse = await api.ExpectAsync<JsonObject>(HttpStatusCode.Created, HttpMethod.Post, "/api/patients/me/records/vitals", token,
            new { type = "heart-rate", value = 64, recordedAt = Iso(now.AddMinutes(-30)) });
        var glass = await api.ExpectAsync<JsonObject>(HttpStatusCode.Created, HttpMethod.Post, "/api/patients/me/records/water", token,
            new { ml = 300, recordedAt = Iso(now.AddHours(-1)) });
        var bottle = await api.ExpectAsync<JsonObject>(HttpStatusCode.Created, HttpMethod.Post, "/api/patients/me/records/water", token,
            new { ml = 500, recordedAt = Iso(now.AddHours(-2)) });

        var (context, page, problems) = await app.NewPageAsync();
        await using var _ = context;
        await SignInAsync(page, patient.Email, patient.Password);
        await WebAppFixture.NavigateAsync(page, "Health record");
        await page.Locator("section[aria-labelledby=trend-title]").GetByLabel("Vital sign", new() { Exact = true }).SelectOptionAsync("heart-rate");
        var readings = page.Locator("table.readings tbody tr");
        await Assertions.Expect(readings).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        await Assertions.Expect(readings.First).ToContainTextAsync("64 bpm");

        // Edit opens the add form filled with the reading; a value the Api refuses lands under its field and changes nothing.
        await readings.First.GetByRole(AriaRole.Button, new() { Name = "Edit: Heart rate" }).ClickAsync();
        var form = page.Locator("form[aria-labelledby=vital-form-title]");
        await Assertions.Expect(form.GetByRole(AriaRole.Heading, new() { Name = "Edit a reading" })).ToBeVisibleAsync(Visible);
        await Assertions.Expect(form.GetByLabel("Vital sign", new() { Exact = true })).ToBeFocusedAsync();
        var value = form.GetByLabel("Value (bpm)");
        await Assertions.Expect(value).ToHaveValueAsync("64");
        await value.FillAsync("500");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Assertions.Expect(form.Locator("[data-error-for=value]")).ToContainTextAsync("between 30 and 220", new() { Timeout = 10_000 });
        await Assertions.Expect(value).ToHaveAttributeAsync("aria-invalid", "true");
        await AssertAccessible(page, "record-edit-error");
        var heartRates = await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, "/api/patients/me/records/vitals?type=heart-rate", token);
        Assert.Equal(64m, Assert.Single(heartRates["items"]!.AsArray())!["value"]!.GetValue<decimal>());

        await value.FillAsync("66");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Assertions.Expect(form.GetByRole(AriaRole.Status)).ToContainTextAsync("Changed. Heart rate: 66 bpm", new() { Timeout = 10_000 });
        await Assertions.Expect(form.GetByRole(AriaRole.Heading, new() { Name = "Log a vital sign" })).ToBeVisibleAsync();
        await Assertions.Expect(readings).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        await Assertions.Expect(readings.First).ToContainTextAsync("66 bpm");
        // A new version of the same record, not a second record beside it.
        heartRates = await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, "/api/patients/me/records/vitals?type=heart-rate", token);
        var edited = Assert.Single(heartRates["items"]!.AsArray())!;
        Assert.Equal(pulse["id"]!.GetValue<Guid>(), edited["id"]!.GetValue<Guid>());
        Assert.Equal(66m, edited["value"]!.GetValue<decimal>());
        Assert.Equal(2, edited["version"]!.GetValue<int>());

        // Delete asks in a labelled dialog that starts on "Keep it": Escape keeps the record, Tab then Enter deletes it.
        await page.Locator("form[aria-labelledby=log-form-title]").GetByLabel("Record kind").SelectOptionAsync("water");
        var rows = page.Locator("table.logs tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(2, new() { Timeout = 10_000 });
        var deleteGlass = rows.Filter(new() { HasText = "300 ml" }).GetByRole(AriaRole.Button, new() { Name = "Delete: Water" });
        await deleteGlass.ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Delete this record?" });
        await Assertions.Expect(dialog).ToBeVisibleAsync(Visible);
        await Assertions.Expect(dialog).ToContainTextAsync("300 ml");
        await Assertions.Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Keep it" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        await Assertions.Expect(deleteGlass).ToBeFocusedAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(2);

        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(dialog).ToBeVisibleAsync(Visible);
        await AssertAccessible(page, "record-delete-confirm");
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Delete record" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(rows).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        await Assertions.Expect(rows.First).ToContainTextAsync("500 ml");
        await Assertions.Expect(page.Locator("section[aria-labelledby=log-list-title]").GetByRole(AriaRole.Status)).ToContainTextAsync("Deleted: 300 ml");
        var water = await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, "/api/patients/me/records/water", token);
        Assert.Equal([bottle["id"]!.GetValue<Guid>()], water["items"]!.AsArray().Select(i => i!["id"]!.GetValue<Guid>()));
        await api.ExpectAsync<JsonObject>(HttpStatusCode.NotFound, HttpMethod.Get, $"/api/patients/me/records/water/{glass["id"]}", token);

        // A reminder: typed on Tokyo's clock, which the form names; one in the past gets the Api's reason under the date.
        await WebAppFixture.NavigateAsync(page, "Alarms");
        var reminder = page.Locator("form[aria-labelledby=reminder-title]");
        await Assertions.Expect(reminder).ToContainTextAsync("time zone: Asia/Tokyo", new() { Timeout = 10_000 });
        var tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        string Wall(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, tokyo).ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        await reminder.GetByLabel("What to remember").FillAsync("Refill the prescription");
        var at = reminder.GetByLabel("Date and time");
        await at.FillAsync(Wall(now.AddHours(-2)));
        await reminder.GetByRole(AriaRole.Button, new() { Name = "Save reminder" }).ClickAsync();
        await Assertions.Expect(reminder.Locator("[data-error-for=at]")).ToContainTextAsync("must be in the future", new() { Timeout = 10_000 });
        await Assertions.Expect(at).ToHaveAttributeAsync("aria-invalid", "true");
        await AssertAccessible(page, "alarms-reminder-error");
        Assert.Empty((await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, "/api/alarms", token))["items"]!.AsArray());

        var due = now.AddHours(3);
        await at.FillAsync(Wall(due));
        await reminder.GetByRole(AriaRole.Button, new() { Name = "Save reminder" }).ClickAsync();
        var item = page.Locator("li.alarm", new() { HasText = "Refill the prescription" });
        await Assertions.Expect(item).ToBeVisibleAsync(Visible);
        await Assertions.Expect(reminder.Locator("[data-error-for=at]")).ToBeHiddenAsync();
        var stored = Assert.Single((await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, "/api/alarms", token))["items"]!.AsArray())!;
        Assert.Equal("custom", stored["kind"]!.GetValue<string>());
        // The instant typed, to the minute: Tokyo's 09:00 offset, not the browser's -03:00.
        var wanted = due.AddTicks(-(due.Ticks % TimeSpan.TicksPerMinute));
        Assert.Equal(wanted, stored["dueAt"]!.GetValue<DateTimeOffset>());

        await item.GetByRole(AriaRole.Button, new() { Name = "Skip: Refill the prescription" }).ClickAsync();
        await Assertions.Expect(item).ToHaveAttributeAsync("data-status", "skipped", new() { Timeout = 10_000 });
        Assert.Empty(problems);
    }

    private static async Task SignInAsync(IPage page, string email, string password, string signOut = "Sign out")
    {
        await page.GotoAsync("/signin");
        await page.Locator("input[type=email]").FillAsync(email);
        await page.Locator("input[type=password]").FillAsync(password);
        await page.Locator("form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = signOut })).ToBeVisibleAsync(Visible);
    }

    private static string Iso(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The page is no wider than the viewport: anything wide scrolls inside its own box.</summary>
    private static async Task AssertNoSidewaysScroll(IPage page, string screen)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.scrollingElement.scrollWidth, window.innerWidth]");
        Assert.True(widths[0] <= widths[1], $"{screen}: the page is {widths[0]} px wide in a {widths[1]} px window");
    }

    private static async Task AssertAccessible(IPage page, string screen)
    {
        await WebAppFixture.ScreenshotAsync(page, screen);
        var violations = await WebAppFixture.SeriousA11yViolationsAsync(page);
        Assert.True(violations.Count == 0, $"{screen}: " + string.Join("\n", violations));
    }
}
