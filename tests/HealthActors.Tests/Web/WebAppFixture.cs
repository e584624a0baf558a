using System.Net;
using System.Text.Json;
using HealthActors.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace HealthActors.Tests.Web;

/// <summary>
/// The Api on a real loopback port (a browser cannot reach TestServer) serving the built web/dist, with the fake
/// streaming model behind chat, and one headless Debian Chromium shared by the browser tests.
/// </summary>
public sealed class WebAppFixture : ChatApiFactory, IAsyncLifetime
{
    public static string WebRoot => Path.Combine(TestEnvironment.RepoRoot, "web", "dist");
    public static string AxeScript => Path.Combine(TestEnvironment.RepoRoot, "web", "node_modules", "axe-core", "axe.min.js");
    public static string ScreenshotDirectory => Path.Combine(AppContext.BaseDirectory, "screenshots");

    public string BaseUrl { get; private set; } = "";
    public IBrowser Browser { get; private set; } = null!;
    private IPlaywright _playwright = null!;

    public WebAppFixture() => UseKestrel(o => o.Listen(IPAddress.Loopback, 0));

    protected override IDictionary<string, string?> ExtraSettings =>
        new Dictionary<string, string?>(base.ExtraSettings)
        {
            ["Api:WebRoot"] = WebRoot,
            // An auction may close a minute and a half out, so a bid lands inside the last two minutes at once and
            // the extension is seen without waiting minutes (the Api's own default is five).
            ["Marketplace:MinOpenSeconds"] = "60",
        };

    async Task IAsyncLifetime.InitializeAsync()
    {
        // A missing build is a failed run, not a skipped one: ./test.sh builds web/ before the tests.
        if (!File.Exists(Path.Combine(WebRoot, "index.html")) || !File.Exists(AxeScript))
            throw new InvalidOperationException($"web/ is not built: run `npm ci && npm run build` in {Path.GetDirectoryName(WebRoot)} first.");
        await InitializeAsync();
        StartServer();
        BaseUrl = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        Directory.CreateDirectory(ScreenshotDirectory);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        await base.DisposeAsync();
        await Model.DisposeAsync();
    }

    /// <summary>A fresh browser context (its own storage) at phone width, failing the test on any CSP violation or page error.</summary>
    public async Task<(IBrowserContext Context, IPage Page, List<string> Problems)> NewPageAsync(int width = 390, int height = 844, string locale = "en-US")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = locale,
            TimezoneId = "America/Argentina/Buenos_Aires",
        });
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error" && m.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)) problems.Add(m.Text);
        };
        page.PageError += (_, e) => problems.Add("page error: " + e);
        return (context, page, problems);
    }

    /// <summary>Runs axe-core in the page and returns its serious and critical violations, described.</summary>
    public static async Task<IReadOnlyList<string>> SeriousA11yViolationsAsync(IPage page)
    {
        // Evaluated through the DevTools protocol, which the page's CSP does not govern, unlike an injected script tag.
        await page.EvaluateAsync(await File.ReadAllTextAsync(AxeScript));
        var json = await page.EvaluateAsync<string>(
            "async () => JSON.stringify((await axe.run(document, { resultTypes: ['violations'] })).violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id + ': ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(' | ')))");
        return JsonSerializer.Deserialize<string[]>(json)!;
    }

    /// <summary>
    /// Follows a link of the main navigation. Below 760 px the signed-in links sit behind the Menu button, so it is
    /// opened first; on a desktop the button is hidden and the link is clicked directly.
    /// </summary>
    public static async Task NavigateAsync(IPage page, string link)
    {
        var toggle = page.Locator("#nav button.nav-toggle");
        var target = page.Locator("#nav").GetByRole(AriaRole.Link, new() { Name = link, Exact = true });
        // Every render rebuilds the navigation with its menu closed, and one may land between opening the menu and the
        // click (a hidden link is not found by its role): open and click again then, within the usual 30 s in all.
        for (var attempt = 1; ; attempt++)
        {
            if (await toggle.IsVisibleAsync() && await toggle.GetAttributeAsync("aria-expanded") != "true") await toggle.ClickAsync();
            try
            {
                await target.ClickAsync(new() { Timeout = 10_000 });
                return;
            }
            catch (TimeoutException) when (attempt < 3)
            {
            }
            catch (TimeoutException e)
            {
                // What the page showed, for whoever reads the failure: a missing link and a closed menu look alike.
                var nav = await page.Locator("#nav").InnerHTMLAsync(new() { Timeout = 2_000 });
                throw new TimeoutException($"No \"{link}\" link to click in the navigation at {page.Url}; #nav held: {nav}", e);
            }
        }
    }

    /// <summary>Signs in through the form (found by its labels) and waits until the app shows the signed-in header.</summary>
    public static async Task SignInAsync(IPage page, string email, string password = ApiDriver.DefaultPassword)
    {
        await page.GotoAsync("/signin");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync(new() { Timeout = 10_000 });
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
}

[CollectionDefinition(Name)]
public sealed class WebAppCollection : ICollectionFixture<WebAppFixture>
{
    public const string Name = "web app";
}
