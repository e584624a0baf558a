using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace HealthActors.Tests.Web;

/// <summary>Live views in the browser when the connection comes and goes, and when the server moves a deadline.</summary>
[Collection(WebAppCollection.Name)]
public sealed class WebReconnectTests(WebAppFixture app)
{
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 10_000 };
    private const string Lost = "Connection lost. Reconnecting…";
    private const string Restored = "Connection restored.";

    private const string LongAnswer =
        "Rest today, drink water often, take your temperature every morning and evening, eat light meals, keep a note of " +
        "every new symptom you notice, and call your doctor if the fever lasts more than three days or you feel worse.";
    private const string SecondAnswer = "Yes, paracetamol is usually fine for a fever, at the dose on the box.";

    [Fact]
    public async Task A_dropped_chat_connection_is_shown_recovers_and_the_interrupted_answer_appears_once()
    {
        // Slow enough that the drop lands mid-answer; the turn keeps running on the server while the page is away.
        app.Model.Behavior = _ => Task.FromResult(new FakeReply(LongAnswer, DelayBetweenChunks: TimeSpan.FromMilliseconds(200)));
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var user = await http.RegisterAsync(name: "Web Chat Drop");
        var (context, page, problems) = await app.NewPageAsync();
        await using var _ = context;
        var cut = await HubCut.RouteAsync(page, "chat");

        await WebAppFixture.SignInAsync(page, user.Email);
        await WebAppFixture.NavigateAsync(page, "Chat");
        var live = page.Locator(".chat[data-live=Connected]");
        await live.WaitForAsync(new() { Timeout = 10_000 });

        await page.GetByLabel("Your message").FillAsync("I have had a fever since yesterday, what should I do?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        var streaming = page.Locator(".msg.assistant.streaming .msg-text");
        await page.WaitForFunctionAsync("() => document.querySelector('.msg.assistant.streaming .msg-text')?.textContent.length > 0",
            null, new() { Timeout = 10_000, PollingInterval = 20 });

        await cut.DropAsync();
        var banner = page.Locator("#banner");
        await Assertions.Expect(banner).ToHaveTextAsync(Lost, new() { Timeout = 10_000 });
        // The half answer is marked as cut, not passed off as the whole one, and Send waits for the connection.
        await Assertions.Expect(page.Locator(".msg.assistant[data-interrupted=true]")).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        Assert.True((await streaming.TextContentAsync())!.Length < LongAnswer.Length);
        await Assertions.Expect(page.GetByText("The connection dropped during the answer.")).ToBeVisibleAsync(Visible);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Send" })).ToBeDisabledAsync();
        await WebAppFixture.ScreenshotAsync(page, "chat-connection-lost");

        cut.Restore();
        await Assertions.Expect(banner).ToHaveTextAsync(Restored, new() { Timeout = 10_000 });
        await live.WaitForAsync(new() { Timeout = 10_000 });
        // Read back from the Api: the stored answer, whole and once, in place of the cut one.
        var answers = page.Locator(".msg.assistant .msg-text");
        await Assertions.Expect(answers).ToHaveTextAsync([LongAnswer], new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator(".msg.user")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-interrupted]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByText("The connection dropped during the answer.")).ToHaveCountAsync(0);

        // The next turn streams over the new connection as usual: seen part-written, then whole (slow enough for the
        // page's poll to catch it part-written on a loaded machine).
        app.Model.Behavior = _ => Task.FromResult(new FakeReply(SecondAnswer, DelayBetweenChunks: TimeSpan.FromMilliseconds(150)));
        await page.GetByLabel("Your message").FillAsync("Can I take paracetamol?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('.msg.assistant.streaming .msg-text')?.textContent.length > 0",
            null, new() { Timeout = 10_000, PollingInterval = 20 });
        await Assertions.Expect(page.Locator(".msg.assistant[data-final=true] .msg-text")).ToHaveTextAsync(SecondAnswer, new() { Timeout = 15_000 });
        await Assertions.Expect(answers).ToHaveTextAsync([LongAnswer, SecondAnswer]);

        // A drop between turns is shown too, and the log read back after it still holds each message once.
        var caughtUp = await page.Locator(".chat").GetAttributeAsync("data-caught-up");
        Assert.NotNull(caughtUp);
        await cut.DropAsync();
        await Assertions.Expect(banner).ToHaveTextAsync(Lost, new() { Timeout = 10_000 });
        cut.Restore();
        await Assertions.Expect(banner).ToHaveTextAsync(Restored, new() { Timeout = 10_000 });
        await page.Locator($".chat:not([data-caught-up='{caughtUp}'])").WaitForAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(answers).ToHaveTextAsync([LongAnswer, SecondAnswer]);
        await Assertions.Expect(page.Locator(".msg.user")).ToHaveCountAsync(2);

        var conversationId = page.Url.Split('/')[^1];
        var stored = await http.Driver().ExpectAsync<JsonArray>(HttpStatusCode.OK, HttpMethod.Get,
            $"/api/conversations/{conversationId}/messages", user.Tokens.AccessToken);
        Assert.Equal(["user", "assistant", "user", "assistant"], stored.Select(m => m!["role"]!.GetValue<string>()));
        var shownIds = await page.Locator(".msg[data-message]").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.message)");
        Assert.Equal(stored.Select(m => m!["id"]!.GetValue<string>()), shownIds);
        Assert.Empty(problems);
    }

    [Fact]
    public async Task A_late_bid_extends_the_auction_and_the_patients_countdown_moves_live()
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var api = http.Driver();
        var admin = await http.LoginAdminAsync();
        var specialtyId = await api.CreateSpecialtyAsync(admin.Tokens.AccessToken, "Web extend " + Guid.NewGuid().ToString("N")[..8]);
        var profile = ApiDriver.EveryDayDoctor(specialtyId, ApiDriver.DefaultPassword) with { Name = "Dr. Late Bid" };
        var doctor = await api.CreateDoctorAsync(admin.Tokens.AccessToken, profile);
        var doctorToken = (await api.SignInAsync(profile.Email!, ApiDriver.DefaultPassword)).AccessToken;
        var patient = await http.RegisterAsync(name: "Web Extend Patient");
        var now = DateTimeOffset.UtcNow;
        // Whole seconds, so the instant compares equal whatever precision the page and the store keep.
        var closesAt = DateTimeOffset.FromUnixTimeSeconds(now.AddSeconds(100).ToUnixTimeSeconds());
        var auctionId = await api.CreateAuctionAsync(patient.Tokens.AccessToken, specialtyId, now.AddHours(2), now.AddDays(2), closesAt, 200, "EUR");
        var slot = (await api.FreeSlotsAsync(doctor.DoctorId, now.AddHours(3), now.AddDays(1)))[0];

        var (context, page, problems) = await app.NewPageAsync();
        await using var _ = context;
        await WebAppFixture.SignInAsync(page, patient.Email);
        await page.GotoAsync($"/market/{auctionId}");
        await page.Locator(".auction[data-live=Connected]").WaitForAsync(new() { Timeout = 10_000 });
        var countdown = page.Locator(".countdown");
        Assert.Equal(closesAt, DateTimeOffset.Parse((await countdown.GetAttributeAsync("data-closes-at"))!, CultureInfo.InvariantCulture));
        await Assertions.Expect(countdown).ToHaveTextAsync(new Regex(@"Closes in 0[01]:\d\d"));

        // Under two minutes left: this bid pushes the close two minutes out, and only the push can tell the page.
        await api.BidAsync(doctorToken, auctionId, 90, slot);
        await page.Locator(".auction[data-seq='2']").WaitForAsync(new() { Timeout = 10_000 });
        var extended = closesAt + TimeSpan.FromMinutes(2);
        Assert.Equal(extended, DateTimeOffset.Parse((await countdown.GetAttributeAsync("data-closes-at"))!, CultureInfo.InvariantCulture));
        await Assertions.Expect(countdown).ToHaveTextAsync(new Regex(@"Closes in 0[23]:\d\d"), new() { Timeout = 3_000 });
        await Assertions.Expect(page.Locator(".bids li.bid")).ToHaveCountAsync(1);
        var view = await api.ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Get, $"/api/auctions/{auctionId}", patient.Tokens.AccessToken);
        Assert.Equal(extended, view["closesAt"]!.GetValue<DateTimeOffset>());
        await WebAppFixture.ScreenshotAsync(page, "market-extended");
        Assert.Empty(problems);
    }

}

/// <summary>
/// The page's socket to one hub, owned by the test so it can cut it and later let the client back in.
/// While cut, the client's reconnect attempt is held at negotiate rather than refused: a refused attempt sends the
/// client into its back-off (0, 1, 2, 5, 10, 10, 20 s), so when the work done meanwhile ran long on a loaded machine,
/// the next attempt came after the test had stopped waiting for "Connection restored." Held, it goes through the
/// moment <see cref="Restore"/> is called, whatever the back-off would say.
/// </summary>
public sealed class HubCut
{
    private IWebSocketRoute? _socket;
    private TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HubCut() => _up.SetResult();

    public static async Task<HubCut> RouteAsync(IPage page, string hub)
    {
        var cut = new HubCut();
        await page.RouteWebSocketAsync(new Regex($"/hubs/{hub}(\\?|$)"), ws => { cut._socket = ws; ws.ConnectToServer(); });
        await page.RouteAsync($"**/hubs/{hub}/negotiate**", async route =>
        {
            await cut._up.Task;
            await route.ContinueAsync();
        });
        return cut;
    }

    public async Task DropAsync()
    {
        _up = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var socket = _socket ?? throw new InvalidOperationException("the page has no socket to this hub yet");
        await socket.CloseAsync(new() { Code = 4000, Reason = "dropped by the test" });
    }

    public void Restore() => _up.TrySetResult();
}
