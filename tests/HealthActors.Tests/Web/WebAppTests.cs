using System.Net;
using HealthActors.Grains.Abstractions.Notifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace HealthActors.Tests.Web;

/// <summary>The web app as a patient meets it: in Chromium, against the Api on a real port with the streaming fake model.</summary>
[Collection(WebAppCollection.Name)]
public sealed class WebAppTests(WebAppFixture app)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private const string Answer = "Drink plenty of water, rest for two days and see a doctor if the fever goes above thirty nine degrees.";

    [Fact]
    public async Task The_Api_serves_the_app_with_a_same_origin_CSP_and_leaves_its_own_paths_alone()
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };

        foreach (var path in new[] { "/", "/profile", "/chat/3f0e7a8e-51c4-4a7e-9a55-0b1c2d3e4f50" })
        {
            using var page = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains("<main id=\"main\"", await page.Content.ReadAsStringAsync());
            var csp = string.Join(" ", page.Headers.GetValues("Content-Security-Policy"));
            var host = new Uri(app.BaseUrl).Authority;
            Assert.Contains("default-src 'self'", csp);
            Assert.Contains("script-src 'self';", csp);
            Assert.Contains($"connect-src 'self' ws://{host} wss://{host};", csp);
            Assert.DoesNotContain("unsafe-inline", csp);
        }

        using var unknownApi = await http.GetAsync("/api/no-such-thing");
        Assert.Equal(HttpStatusCode.NotFound, unknownApi.StatusCode);
        Assert.NotEqual("text/html", unknownApi.Content.Headers.ContentType?.MediaType);
        using var missingAsset = await http.GetAsync("/assets/missing-0000.js");
        Assert.Equal(HttpStatusCode.NotFound, missingAsset.StatusCode);
        using var health = await http.GetAsync("/health/live");
        Assert.False(health.Headers.Contains("Content-Security-Policy"));
        using var openApi = await http.GetAsync("/openapi/v1.json");
        Assert.Equal("application/json", openApi.Content.Headers.ContentType?.MediaType);
        // A POST to an app route is not the app's: it must not get index.html.
        using var post = await http.PostAsync("/profile", new StringContent(""));
        Assert.NotEqual(HttpStatusCode.OK, post.StatusCode);
    }

    [Fact]
    public async Task A_patient_registers_fills_the_profile_chats_token_by_token_and_sees_an_emergency_alert()
    {
        app.Model.Behavior = _ => Task.FromResult(new FakeReply(Answer, DelayBetweenChunks: TimeSpan.FromMilliseconds(120)));
        var (context, page, problems) = await app.NewPageAsync();
        await using var _ = context;

        await page.GotoAsync("/register");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Create your account" }));
        await AssertAccessible(page, "register");
        await page.GetByLabel("Name").FillAsync("Web Patient");
        await page.GetByLabel("Email").FillAsync($"web-{Guid.NewGuid():N}@tests.healthactors.local");
        await page.GetByLabel("Password").FillAsync(ApiDriver.DefaultPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();

        // Profile: a height out of range comes back from the Api and is shown next to that field, not elsewhere.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Medical profile" }));
        await page.GetByLabel("First name").FillAsync("Ana");
        await page.GetByLabel("Last name").FillAsync("García");
        await page.GetByLabel("Height (cm)").FillAsync("500");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save profile" }).ClickAsync();
        var heightError = page.Locator("[data-error-for=heightCm]");
        await Assertions.Expect(heightError).ToContainTextAsync("between 30 and 272", new() { Timeout = 10_000 });
        await Assertions.Expect(page.GetByLabel("Height (cm)")).ToHaveAttributeAsync("aria-invalid", "true");
        var shown = await page.Locator("[data-error-for]:visible").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.errorFor + ': ' + e.textContent)");
        Assert.Equal("heightCm", Assert.Single(shown).Split(':')[0]);
        await WebAppFixture.ScreenshotAsync(page, "profile-error");

        await page.GetByLabel("Height (cm)").FillAsync("168");
        await page.GetByLabel("Allergies (one per line)").FillAsync("penicillin");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save profile" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Profile saved.")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(heightError).ToBeHiddenAsync();
        await AssertAccessible(page, "profile");

        // Chat: the answer is seen part-written before it is complete.
        await WebAppFixture.NavigateAsync(page, "Chat");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Assistant", Exact = true }));
        await page.GetByLabel("Your message").FillAsync("I have had a mild fever since yesterday");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        var partial = await (await page.WaitForFunctionAsync(
            "() => { const t = document.querySelector('.msg.assistant.streaming .msg-text'); return t && t.textContent.length > 0 ? t.textContent : null; }",
            null, new() { Timeout = 10_000, PollingInterval = 20 })).JsonValueAsync<string>();
        var final = page.Locator(".msg.assistant[data-final=true] .msg-text");
        await Assertions.Expect(final).ToHaveTextAsync(Answer, new() { Timeout = 15_000 });
        Assert.True(partial.Length < Answer.Length && Answer.StartsWith(partial, StringComparison.Ordinal), $"partial answer seen: '{partial}'");
        await Assertions.Expect(page.Locator(".conversations:not(.search-results) li")).ToHaveCountAsync(1);
        await page.GetByLabel("Search my messages").FillAsync("fever");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator(".search-results li").First).ToContainTextAsync("«fever»", new() { Timeout = 10_000 });

        // An emergency is answered by the rules at once and shown as an alert, not as one more chat bubble.
        await page.GetByLabel("Your message").FillAsync("I have crushing chest pain and I'm sweating");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        var alert = page.Locator(".msg.assistant.emergency[role=alert]");
        await Assertions.Expect(alert).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(alert).ToContainTextAsync("Emergency");
        await Assertions.Expect(page.Locator(".msg.assistant[role=alert]")).ToHaveCountAsync(1);
        await page.Locator(".msg.assistant.emergency[data-final=true]").WaitForAsync(new() { Timeout = 10_000 });
        await AssertAccessible(page, "chat");
        await page.SetViewportSizeAsync(1280, 800);
        await WebAppFixture.ScreenshotAsync(page, "chat-desktop");

        // Sign out returns to the sign-in screen, which is checked too.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" }));
        await AssertAccessible(page, "signin");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task The_bell_updates_live_tokens_refresh_silently_and_a_failed_refresh_signs_out_cleanly_in_Spanish()
    {
        var (context, page, problems) = await app.NewPageAsync(locale: "es-ES");
        await using var _ = context;
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var user = await http.RegisterAsync();

        await page.GotoAsync("/signin");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Entrar" }));
        await page.GetByLabel("Correo electrónico").FillAsync(user.Email);
        await page.GetByLabel("Contraseña").FillAsync(ApiDriver.DefaultPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Entrar" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Perfil médico" }));
        var bell = page.Locator("button.bell");
        await Assertions.Expect(bell).ToHaveAttributeAsync("aria-label", "Notificaciones: 0 sin leer", new() { Timeout = 10_000 });
        // The hub must be connected before the push, or the test would be measuring the REST read instead.
        await page.Locator(".bell-wrap[data-live=Connected]").WaitForAsync(new() { Timeout = 10_000 });

        await app.Services.GetRequiredService<IGrainFactory>().GetGrain<IInboxGrain>(user.Id)
            .Add("test", "Cita confirmada", "Tu cita del lunes está confirmada.", null, Guid.NewGuid());
        await Assertions.Expect(bell).ToHaveAttributeAsync("aria-label", "Notificaciones: 1 sin leer", new() { Timeout = 10_000 });
        await bell.ClickAsync();
        await Assertions.Expect(page.Locator("#bell-panel")).ToContainTextAsync("Cita confirmada");
        await AssertAccessible(page, "profile-es-bell");

        // An access token a minute from expiry is exchanged silently: a new refresh token, still signed in.
        var before = await page.EvaluateAsync<string>("() => JSON.parse(sessionStorage.getItem('ha.session')).refreshToken");
        await page.EvaluateAsync("() => { const s = JSON.parse(sessionStorage.getItem('ha.session')); s.accessExpiresAt = Date.now() + 61000; sessionStorage.setItem('ha.session', JSON.stringify(s)); }");
        await page.ReloadAsync();
        await page.WaitForFunctionAsync("before => JSON.parse(sessionStorage.getItem('ha.session') || 'null')?.refreshToken !== before", before, new() { Timeout = 10_000 });
        Assert.NotNull(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('ha.session')"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Perfil médico" }));

        // A refresh token the server rejects ends the session: back to sign-in with the reason, nothing left stored.
        await page.EvaluateAsync("() => { const s = JSON.parse(sessionStorage.getItem('ha.session')); s.refreshToken = 'not-a-token'; s.accessExpiresAt = Date.now(); sessionStorage.setItem('ha.session', JSON.stringify(s)); }");
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByText("Tu sesión terminó. Vuelve a entrar.")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('ha.session')"));
        Assert.EndsWith("/signin", page.Url);
        Assert.Empty(problems);
    }

    [Fact]
    public async Task A_dropped_connection_shows_the_banner_recovers_and_the_bell_catches_up_exactly_once()
    {
        var (context, page, problems) = await app.NewPageAsync();
        await using var _ = context;
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var user = await http.RegisterAsync();
        var inbox = app.Services.GetRequiredService<IGrainFactory>().GetGrain<IInboxGrain>(user.Id);

        // The test owns the page's notification socket, so it can cut it; while `down`, reconnect attempts are refused.
        var down = false;
        IWebSocketRoute? socket = null;
        await page.RouteWebSocketAsync(new System.Text.RegularExpressions.Regex("/hubs/notifications"), ws => { socket = ws; ws.ConnectToServer(); });
        await page.RouteAsync("**/hubs/notifications/negotiate**", route => down ? route.AbortAsync() : route.ContinueAsync());

        await page.GotoAsync("/signin");
        await page.GetByLabel("Email").FillAsync(user.Email);
        await page.GetByLabel("Password").FillAsync(ApiDriver.DefaultPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        var live = page.Locator(".bell-wrap[data-live=Connected]");
        await live.WaitForAsync(new() { Timeout = 10_000 });

        down = true;
        await socket!.CloseAsync(new() { Code = 4000, Reason = "dropped by the test" });
        var banner = page.Locator("#banner");
        await Assertions.Expect(banner).ToHaveTextAsync("Connection lost. Reconnecting…", new() { Timeout = 10_000 });
        await WebAppFixture.ScreenshotAsync(page, "connection-lost");
        // Pushed while the page is away: only the catch-up read after reconnecting can show it.
        await inbox.Add("test", "While away", "Sent during the drop.", null, Guid.NewGuid());

        down = false;
        await Assertions.Expect(banner).ToHaveTextAsync("Connection restored.", new() { Timeout = 15_000 });
        await live.WaitForAsync(new() { Timeout = 10_000 });
        var bell = page.Locator("button.bell");
        await Assertions.Expect(bell).ToHaveAttributeAsync("aria-label", "Notifications: 1 unread", new() { Timeout = 10_000 });
        await inbox.Add("test", "After the return", "Sent live.", null, Guid.NewGuid());
        await Assertions.Expect(bell).ToHaveAttributeAsync("aria-label", "Notifications: 2 unread", new() { Timeout = 10_000 });
        await bell.ClickAsync();
        await Assertions.Expect(page.Locator("#bell-panel li")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#bell-panel li", new() { HasText = "While away" })).ToHaveCountAsync(1);
        Assert.Empty(problems);
    }

    private static Task Expect(ILocator heading) => Assertions.Expect(heading).ToBeVisibleAsync(new() { Timeout = 10_000 });

    private static async Task AssertAccessible(IPage page, string screen)
    {
        await WebAppFixture.ScreenshotAsync(page, screen);
        var violations = await WebAppFixture.SeriousA11yViolationsAsync(page);
        Assert.True(violations.Count == 0, $"{screen}: " + string.Join("\n", violations));
    }
}
