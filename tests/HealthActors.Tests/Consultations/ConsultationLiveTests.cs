using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Consultations;
using HealthActors.Tests.Marketplace;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit.Abstractions;

namespace HealthActors.Tests.Consultations;

/// <summary>One connection to /hubs/consultations and every ConsultationMessage pushed to it.</summary>
public sealed class ConsultationWatcher : IAsyncDisposable
{
    private readonly ConcurrentQueue<ConsultationEvent> _received = new();

    public HubConnection Hub { get; }
    public string Name { get; }

    private ConsultationWatcher(HubConnection hub, string name)
    {
        Hub = hub;
        Name = name;
        hub.On<ConsultationEvent>("ConsultationMessage", e => _received.Enqueue(e));
    }

    public static async Task<ConsultationWatcher> ConnectAsync(WebApplicationFactory<Program> factory, string token, string name) =>
        new(await factory.ConnectHubAsync("/hubs/consultations", token), name);

    /// <summary>Over a real network connection to an Api process; the handler is in place before the connection starts.</summary>
    public static async Task<ConsultationWatcher> ConnectAsync(Uri apiBase, string token, string name)
    {
        var watcher = new ConsultationWatcher(HubClients.Build(new Uri(apiBase, "/hubs/consultations"), () => token), name);
        await watcher.Hub.StartAsync();
        return watcher;
    }

    public Task<long> WatchAsync(Guid consultationId) => Hub.InvokeAsync<long>("WatchConsultation", consultationId);
    public Task UnwatchAsync(Guid consultationId) => Hub.InvokeAsync("UnwatchConsultation", consultationId);

    public IReadOnlyList<ConsultationEvent> Received => _received.ToArray();
    public IReadOnlyList<long> Seqs => _received.Select(e => e.Seq).ToList();

    public Task WaitForSeqAsync(long seq, TimeSpan timeout) =>
        Poll.Until(() => Task.FromResult(_received.Any(e => e.Seq >= seq)), timeout, () => $"{Name} received seqs [{string.Join(",", Seqs)}], waiting for {seq}");

    public ValueTask DisposeAsync() => Hub.DisposeAsync();
}

/// <summary>Thin helpers over the consultation endpoints, shared with the process test.</summary>
public sealed class ConsultationApi(HttpClient http)
{
    public HttpClient Http => http;

    public async Task<JsonNode> Expect(HttpStatusCode expected, HttpMethod method, string url, string token, object? body = null)
    {
        var r = await http.SendAsync(ApiClientExtensions.Authed(method, url, token, body));
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(expected == r.StatusCode, $"{method} {url}: expected {(int)expected}, got {(int)r.StatusCode}: {text}");
        return text.Length > 0 ? JsonNode.Parse(text)! : new JsonObject();
    }

    public async Task<Guid> Ask(string patient, Guid specialty, string question = "A dry cough for two weeks, no fever.") =>
        (await Expect(HttpStatusCode.Created, HttpMethod.Post, "/api/consultations", patient, new { question, specialtyId = specialty }))["id"]!.GetValue<Guid>();

    public Task Claim(Guid id, string doctor) => Expect(HttpStatusCode.OK, HttpMethod.Post, $"/api/consultations/{id}/claim", doctor);

    public async Task<long> Post(Guid id, string token, string text) =>
        (await Expect(HttpStatusCode.Created, HttpMethod.Post, $"/api/consultations/{id}/messages", token, new { text }))["message"]!["seq"]!.GetValue<long>();

    public async Task<JsonArray> Messages(Guid id, string token) =>
        (await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/consultations/{id}/messages?afterSeq=0&limit=100", token)).AsArray();
}

/// <summary>/hubs/consultations (who may watch, order, late joiners) and doctors told live of new consultations.</summary>
public sealed class ConsultationLiveTests(MarketApiFactory factory, ITestOutputHelper output) : IClassFixture<MarketApiFactory>
{
    private const string Password = "doctor-passphrase-1";
    private readonly ConsultationApi _api = new(factory.CreateClient());
    private HttpClient Http => _api.Http;

    private async Task<TestUser> Doctor(string admin, Guid specialty, bool verified = true)
    {
        var profile = ApiDriver.EveryDayDoctor(specialty, Password, ApiClientExtensions.NewEmail("doc"), price: 50, currency: "USD") with { Verified = verified };
        await Http.Driver().CreateDoctorAsync(admin, profile);
        return await Http.Driver().SignInUserAsync(profile.Email!, Password);
    }

    private async Task<(string Admin, Guid Specialty)> Setup()
    {
        var admin = (await Http.LoginAdminAsync()).Tokens.AccessToken;
        return (admin, await MarketplaceFlowTests.Specialty(Http, admin, "Live-consult-" + Guid.NewGuid().ToString("N")[..8]));
    }

    /// <summary>The client wraps the server's HubException message in its own words; the server's must be the one refusal.</summary>
    private static async Task AssertRefused(Func<Task> watch)
    {
        var e = await Assert.ThrowsAsync<HubException>(watch);
        Assert.EndsWith("HubException: Consultation not found.", e.Message);
    }

    [Fact]
    public async Task Only_the_patient_and_the_claiming_doctor_may_watch()
    {
        var (admin, specialty) = await Setup();
        var patient = await Http.RegisterAsync();
        var otherPatient = await Http.RegisterAsync();
        var claimer = await Doctor(admin, specialty);
        var colleague = await Doctor(admin, specialty);
        var unverified = await Doctor(admin, specialty, verified: false);
        var id = await _api.Ask(patient.Tokens.AccessToken, specialty);

        await using var owner = await ConsultationWatcher.ConnectAsync(factory, patient.Tokens.AccessToken, "patient");
        await using var doctor = await ConsultationWatcher.ConnectAsync(factory, claimer.Tokens.AccessToken, "claiming doctor");
        await using var otherPatientWatch = await ConsultationWatcher.ConnectAsync(factory, otherPatient.Tokens.AccessToken, "other patient");
        await using var colleagueWatch = await ConsultationWatcher.ConnectAsync(factory, colleague.Tokens.AccessToken, "colleague");
        await using var unverifiedWatch = await ConsultationWatcher.ConnectAsync(factory, unverified.Tokens.AccessToken, "unverified doctor");
        await using var adminWatch = await ConsultationWatcher.ConnectAsync(factory, admin, "admin");

        // Before the claim no doctor is on the thread, not even the one who will take it.
        await AssertRefused(() => doctor.WatchAsync(id));
        await _api.Claim(id, claimer.Tokens.AccessToken);
        await _api.Post(id, patient.Tokens.AccessToken, "Before anyone watched.");

        Assert.Equal(1, await owner.WatchAsync(id));
        Assert.Equal(1, await doctor.WatchAsync(id));
        foreach (var refused in new[] { otherPatientWatch, colleagueWatch, unverifiedWatch, adminWatch })
        {
            await AssertRefused(() => refused.WatchAsync(id));
        }
        // An id that does not exist is refused the same way, so ids cannot be probed.
        await AssertRefused(() => owner.WatchAsync(Guid.NewGuid()));

        // The refused stay connected and get nothing, while both sides get the message.
        var seq = await _api.Post(id, claimer.Tokens.AccessToken, "Tell me more about the cough.");
        await owner.WaitForSeqAsync(seq, TimeSpan.FromSeconds(15));
        await doctor.WaitForSeqAsync(seq, TimeSpan.FromSeconds(15));
        await Task.Delay(300);
        Assert.Equal([2L], owner.Seqs);
        Assert.Equal([2L], doctor.Seqs);
        var pushed = owner.Received[0];
        Assert.Equal(id, pushed.ConsultationId);
        Assert.Equal("Tell me more about the cough.", pushed.Message.Text);
        Assert.Equal(claimer.Id, pushed.Message.AuthorId);
        Assert.Equal("doctor", pushed.Message.AuthorRole);
        foreach (var refused in new[] { otherPatientWatch, colleagueWatch, unverifiedWatch, adminWatch })
            Assert.Empty(refused.Received);

        // Unwatching stops the pushes to that connection only.
        await owner.UnwatchAsync(id);
        var next = await _api.Post(id, patient.Tokens.AccessToken, "It is worse at night.");
        await doctor.WaitForSeqAsync(next, TimeSpan.FromSeconds(15));
        await Task.Delay(300);
        Assert.Equal([2L], owner.Seqs);

        // Nobody connects anonymously.
        var anonymous = await Record.ExceptionAsync(() => factory.ConnectHubAsync("/hubs/consultations", null));
        Assert.NotNull(anonymous);
        Assert.Contains("401", anonymous.Message);
    }

    private static readonly IEqualityComparer<ConsultationMessage> MessageComparer = EqualityComparer<ConsultationMessage>.Create(
        (a, b) => a!.Seq == b!.Seq && a.Text == b.Text && a.AuthorId == b.AuthorId && a.At == b.At, m => m.Seq);

    [Fact]
    public async Task Many_messages_at_once_reach_every_watcher_in_order_once_and_a_late_watcher_gets_only_what_follows()
    {
        var started = Stopwatch.GetTimestamp();
        var (admin, specialty) = await Setup();
        var patient = await Http.RegisterAsync();
        var doctor = await Doctor(admin, specialty);
        var id = await _api.Ask(patient.Tokens.AccessToken, specialty);
        await _api.Claim(id, doctor.Tokens.AccessToken);

        var watchers = new List<ConsultationWatcher>();
        for (var i = 0; i < 2; i++)
        {
            watchers.Add(await ConsultationWatcher.ConnectAsync(factory, patient.Tokens.AccessToken, $"patient{i}"));
            watchers.Add(await ConsultationWatcher.ConnectAsync(factory, doctor.Tokens.AccessToken, $"doctor{i}"));
        }
        var late = await ConsultationWatcher.ConnectAsync(factory, patient.Tokens.AccessToken, "late patient");
        try
        {
            foreach (var w in watchers) Assert.Equal(0, await w.WatchAsync(id));

            // Two rounds, each posted all at once by both sides; the late watcher joins between them.
            const int round = 20;
            Task PostRound(int first) => Task.WhenAll(Enumerable.Range(first, round).Select(i =>
                _api.Post(id, i % 2 == 0 ? patient.Tokens.AccessToken : doctor.Tokens.AccessToken, $"message {i}")));
            await PostRound(0);
            var lateSeq = await late.WatchAsync(id);
            Assert.Equal(round, lateSeq);
            await PostRound(round);
            const int total = round * 2;

            foreach (var w in watchers.Append(late)) await w.WaitForSeqAsync(total, TimeSpan.FromSeconds(30));
            // A duplicate would arrive just after the last message; give it the chance to show up.
            await Task.Delay(500);
            var stored = await _api.Messages(id, patient.Tokens.AccessToken);
            Assert.Equal(Enumerable.Range(1, total).Select(n => (long)n), stored.Select(m => m!["seq"]!.GetValue<long>()));
            foreach (var w in watchers)
            {
                Assert.Equal(Enumerable.Range(1, total).Select(n => (long)n), w.Seqs);
                // What is pushed is what is stored, seq for seq.
                Assert.Equal(stored.Select(m => (m!["text"]!.GetValue<string>(), m["authorId"]!.GetValue<Guid>())),
                    w.Received.Select(e => (e.Message.Text, e.Message.AuthorId)));
                Assert.All(w.Received, e => Assert.Equal(e.Seq, e.Message.Seq));
            }
            Assert.Equal(Enumerable.Range((int)lateSeq + 1, total - (int)lateSeq).Select(n => (long)n), late.Seqs);

            // What a relay reads back to close a gap is the same stored thread, a page at a time.
            var grain = factory.Grains.GetGrain<IConsultationGrain>(id);
            var page = await grain.After(lateSeq, 5);
            Assert.Equal(Enumerable.Range((int)lateSeq + 1, 5).Select(n => (long)n), page.Select(e => e.Seq));
            Assert.Equal(watchers[0].Received.Skip((int)lateSeq).Take(5).Select(e => e.Message), page.Select(e => e.Message), MessageComparer);
            Assert.Empty(await grain.After(total, 5));
            output.WriteLine($"{total} messages to {watchers.Count + 1} watchers in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
        }
        finally
        {
            foreach (var w in watchers) await w.DisposeAsync();
            await late.DisposeAsync();
        }
    }

    [Fact]
    public async Task Verified_doctors_of_the_specialty_are_told_live_when_a_consultation_opens()
    {
        var (admin, specialty) = await Setup();
        var otherSpecialty = await MarketplaceFlowTests.Specialty(Http, admin, "Live-consult-other-" + Guid.NewGuid().ToString("N")[..8]);
        var verified = await Doctor(admin, specialty);
        var unverified = await Doctor(admin, specialty, verified: false);
        var elsewhere = await Doctor(admin, otherSpecialty);
        var patient = await Http.RegisterAsync();

        var told = new ConcurrentDictionary<string, ConcurrentQueue<JsonElement>>();
        async Task<HubConnection> Bell(TestUser user, string name)
        {
            var queue = told.GetOrAdd(name, _ => new ConcurrentQueue<JsonElement>());
            var hub = await factory.ConnectHubAsync("/hubs/notifications", user.Tokens.AccessToken);
            hub.On<JsonElement>("notification", n => queue.Enqueue(n));
            return hub;
        }
        await using var verifiedBell = await Bell(verified, "verified");
        await using var unverifiedBell = await Bell(unverified, "unverified");
        await using var elsewhereBell = await Bell(elsewhere, "elsewhere");

        var clock = Stopwatch.GetTimestamp();
        var id = await _api.Ask(patient.Tokens.AccessToken, specialty);
        output.WriteLine($"create answered in {Stopwatch.GetElapsedTime(clock).TotalMilliseconds:0} ms");

        await Poll.Until(() => Task.FromResult(told["verified"].Any(n => n.GetProperty("kind").GetString() == "consultation.opened")),
            TimeSpan.FromSeconds(15), () => "the verified doctor of the specialty was not told");
        var notice = told["verified"].Single(n => n.GetProperty("kind").GetString() == "consultation.opened");
        Assert.Equal(id, notice.GetProperty("subjectId").GetGuid());
        output.WriteLine($"told live {Stopwatch.GetElapsedTime(clock).TotalMilliseconds:0} ms after the create was sent");

        // The others would have been told in the same fan-out; give a stray push the time to arrive.
        await Task.Delay(500);
        Assert.Empty(told["unverified"]);
        Assert.Empty(told["elsewhere"]);
        // Nor is it in their inboxes for later.
        foreach (var user in new[] { unverified, elsewhere })
        {
            var inbox = await _api.Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/notifications", user.Tokens.AccessToken);
            Assert.DoesNotContain(inbox["items"]!.AsArray(), n => n!["kind"]!.GetValue<string>() == "consultation.opened");
        }
    }
}
