using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Chat;
using HealthActors.Grains.Catalog;
using HealthActors.Tests.Marketplace;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit.Abstractions;

namespace HealthActors.Tests.Chat;

/// <summary>A patient of the run, with the profile language and country that decide the emergency answer's wording and numbers.</summary>
internal sealed record CorpusPatient(TestUser User, string Language, string Country)
{
    public string Token => User.Tokens.AccessToken;

    /// <summary>What the rules must answer to this patient for a category: the same text whatever the model does.</summary>
    public string Guidance(string category) => RedFlagGuidance.For(new RedFlagMatch(category, Language), Language, Country);
}

/// <summary>
/// Runs corpus lines through the real Api as the app does: REST to start a conversation and read it back, the real
/// SignalR client (WebSockets of the in-process server) to send, several patients in parallel with bounded
/// concurrency. Every line is checked and every failure collected, so one assertion lists them all.
/// </summary>
internal static class CorpusRun
{
    // Ten turns are twenty messages, the chat window of ChatApiFactory: no conversation grows old enough to
    // ask the model for a summary, so any request the model sees comes from a line that reached it.
    private const int LinesPerConversation = 10;
    private const int Parallelism = 16;
    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(20);
    /// <summary>Generous for a loaded CI machine, yet a third of the slow model's delay.</summary>
    public static readonly TimeSpan MaxPerLine = TimeSpan.FromSeconds(10);

    public static async Task<List<CorpusPatient>> Patients(HttpClient http, int count)
    {
        return [.. await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            var (language, country) = i % 2 == 0 ? ("en", "US") : ("es", "ES");
            return new CorpusPatient(await RedFlagSteps.Patient(http, language, country), language, country);
        }))];
    }

    /// <summary>
    /// Sends every line as a chat message and returns one line per failure (empty when all are right); lines answered
    /// as another category the rules found first go to <paramref name="otherFirst"/>.
    /// </summary>
    public static async Task<List<string>> Chat(WebApplicationFactory<Program> factory, HttpClient http, IReadOnlyList<CorpusPatient> patients,
        IReadOnlyList<CorpusEntry> lines, string mode, FakeOpenAiServer? model, TimeSpan maxPerLine, ConcurrentBag<string>? otherFirst = null)
    {
        var failures = new ConcurrentBag<string>();
        var sentToModelBefore = model?.Requests.Count ?? 0;
        var userTexts = new ConcurrentBag<(CorpusEntry Line, string Stored)>();
        var batches = lines.Chunk(LinesPerConversation).Select((batch, i) => (batch, patient: patients[i % patients.Count])).ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (b, _) =>
        {
            var (batch, patient) = b;
            var started = await http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, "/api/conversations", patient.Token, new { title = "Corpus " + mode }));
            if (started.StatusCode != HttpStatusCode.Created)
            {
                foreach (var line in batch) failures.Add($"{line} [{mode}]: starting the conversation answered {(int)started.StatusCode}");
                return;
            }
            var conversationId = JsonNode.Parse(await started.Content.ReadAsStringAsync())!["id"]!.GetValue<Guid>();
            var answers = new List<(CorpusEntry Line, ChatChunk Final, string Text)>();
            await using (var hub = await factory.ConnectHubAsync("/hubs/chat", patient.Token))
            {
                foreach (var line in batch)
                {
                    using var timeout = new CancellationTokenSource(LineTimeout);
                    var clock = Stopwatch.StartNew();
                    List<ChatChunk> chunks;
                    try
                    {
                        chunks = await hub.SendAsync(conversationId, line.Text, timeout.Token);
                    }
                    catch (Exception e)
                    {
                        failures.Add($"{line} [{mode}]: the send failed: {e.GetType().Name} {e.Message}");
                        continue;
                    }
                    clock.Stop();
                    var final = chunks.LastOrDefault();
                    if (final is not { Final: true })
                    {
                        failures.Add($"{line} [{mode}]: the stream ended without its final chunk");
                        continue;
                    }
                    var text = chunks.Text();
                    // A chat answer names one category, the first the rules list; a line may trip several (pregnant and
                    // bleeding), so the expected one must be among them and the answer must be the first one's.
                    var found = RedFlags.DetectAll(line.Text);
                    if (final.RedFlag is null || !final.Emergency || final.Source != AnswerSources.Emergency || !found.Contains(line.Category) || final.RedFlag != found[0])
                        failures.Add($"{line} [{mode}]: expected {line.Category}, got {final.RedFlag ?? "no red flag"} (emergency {final.Emergency}, source {final.Source}; the rules find [{string.Join(", ", found)}])");
                    else if (text != patient.Guidance(final.RedFlag))
                        failures.Add($"{line} [{mode}]: the streamed answer is not the {final.RedFlag} guidance for {patient.Language}-{patient.Country}");
                    else if (final.RedFlag != line.Category) otherFirst?.Add($"{line}: answered as {final.RedFlag}");
                    if (clock.Elapsed > maxPerLine)
                        failures.Add($"{line} [{mode}]: the answer took {clock.Elapsed.TotalSeconds:0.0} s (at most {maxPerLine.TotalSeconds:0.0} s)");
                    answers.Add((line, final, text));
                }
            }

            // What the conversation recorded, read back over REST as a client would after a reload.
            var read = await http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/conversations/{conversationId}/messages?limit=50", patient.Token));
            var stored = (await read.Content.ReadFromJsonAsync<List<ChatMessage>>(ApiClientExtensions.Json))!.ToDictionary(m => m.Id);
            foreach (var (line, final, text) in answers)
            {
                if (final.UserMessageId is { } userId && stored.TryGetValue(userId, out var asked)) userTexts.Add((line, asked.Content));
                else failures.Add($"{line} [{mode}]: the user message was not stored");
                if (final.AssistantMessageId is not { } replyId || !stored.TryGetValue(replyId, out var reply))
                    failures.Add($"{line} [{mode}]: the answer was not stored");
                else if (reply.RedFlag is null || reply.RedFlag != final.RedFlag || reply.Content != text || reply.Source != AnswerSources.Emergency)
                    failures.Add($"{line} [{mode}]: stored {reply.RedFlag ?? "no red flag"} from {reply.Source}, streamed {final.RedFlag ?? "no red flag"}");
            }
        });

        if (model is not null)
        {
            // The rules answer first and alone: the model must not have been asked about any emergency line.
            var prompts = Prompts(model, sentToModelBefore);
            foreach (var (line, stored) in userTexts)
                if (SeenBy(prompts, stored)) failures.Add($"{line} [{mode}]: the model was called");
        }
        return [.. failures];
    }

    /// <summary>The request bodies the model received from the <paramref name="from"/>th on, as JSON text.</summary>
    public static List<string> Prompts(FakeOpenAiServer model, int from) => model.Requests.Skip(from).Select(r => r.ToJsonString()).ToList();

    /// <summary>Whether the text (as the Api stored it) was in any of those requests; JSON-escaped the same way.</summary>
    public static bool SeenBy(List<string> prompts, string text)
    {
        var encoded = JsonSerializer.Serialize(text)[1..^1];
        return prompts.Exists(p => p.Contains(encoded, StringComparison.Ordinal));
    }

    /// <summary>Runs every line through orientation; calls back with each result (or the failure to get one).</summary>
    public static async Task Orient(HttpClient http, IReadOnlyList<CorpusPatient> patients, IReadOnlyList<CorpusEntry> lines,
        Action<CorpusEntry, CorpusPatient, JsonObject?, string?> check)
    {
        // One orientation grain per user answers one request at a time, so each patient's share runs in order and the patients in parallel.
        var shares = lines.Select((line, i) => (line, i)).GroupBy(x => x.i % patients.Count, x => x.line).ToList();
        await Parallel.ForEachAsync(shares, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (share, _) =>
        {
            var patient = patients[share.Key];
            foreach (var line in share)
            {
                var r = await http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, "/api/orientation", patient.Token, new { symptoms = line.Text }));
                var body = await r.Content.ReadAsStringAsync();
                if (r.StatusCode != HttpStatusCode.OK) check(line, patient, null, $"answered {(int)r.StatusCode}: {body}");
                else check(line, patient, JsonNode.Parse(body)!.AsObject(), null);
            }
        });
    }

    public static string Report(string what, IReadOnlyCollection<string> failures, int total) =>
        $"{failures.Count} of {total} {what} failed:\n" + string.Join('\n', failures.Order(StringComparer.Ordinal));
}

/// <summary>
/// Issue 10's "done means": every emergency of the corpus (every *emergencies*.txt file) is answered as one through
/// chat and orientation with the model up, failing or slow, and the non-urgent files stay under 5% false alarms.
/// Rate limits: ApiFactory already lifts the per-user request and model budgets for tests; the lines are spread over
/// eight patients anyway, and emergencies never count against the model budget.
/// </summary>
public sealed class RedFlagEndToEndTests(ChatApiFactory factory, ITestOutputHelper output) : IClassFixture<ChatApiFactory>
{
    private const double AllowedFalseAlarmRate = 0.05;
    private const string CalmAnswer = "It sounds mild. Rest, drink water and see your doctor if it is not better in a few days.";
    // Longer than the whole run: an emergency answer that waited for it would never arrive in time. What proves the
    // rules did not wait is that the model received none of the lines; the per-line clock is a backstop.
    private static readonly TimeSpan SlowModelDelay = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http = factory.CreateClient();

    public static readonly string[] Modes = ["up", "down", "slow"];

    private void Script(string mode) => factory.Model.Behavior = mode switch
    {
        "up" => _ => Task.FromResult(new FakeReply(CalmAnswer)),
        "down" => _ => Task.FromResult(new FakeReply("", FailWithStatus: 500)),
        "slow" => _ => Task.FromResult(new FakeReply(CalmAnswer, DelayBeforeFirstChunk: SlowModelDelay)),
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    [Fact]
    public async Task Every_emergency_in_the_corpus_is_answered_in_chat_as_that_emergency_with_the_model_up_down_or_slow()
    {
        var lines = RedFlagCorpusLines.Emergencies();
        var patients = await CorpusRun.Patients(_http, 8);
        var failures = new List<string>();
        foreach (var mode in Modes)
        {
            Script(mode);
            var clock = Stopwatch.StartNew();
            var otherFirst = new ConcurrentBag<string>();
            var found = await CorpusRun.Chat(factory, _http, patients, lines, mode, factory.Model, CorpusRun.MaxPerLine, otherFirst);
            output.WriteLine($"chat, model {mode}: {lines.Count} lines in {clock.Elapsed.TotalSeconds:0.0} s, {found.Count} failures");
            failures.AddRange(found);
            if (mode == Modes[0])
                foreach (var line in otherFirst.Order(StringComparer.Ordinal)) output.WriteLine("first category differs: " + line);
        }
        PrintPerFile(lines, failures);
        Assert.True(failures.Count == 0, CorpusRun.Report("chat answers", failures, lines.Count * Modes.Length));
    }

    [Fact]
    public async Task Every_emergency_in_the_corpus_gets_the_emergency_orientation_with_the_model_up_down_or_slow()
    {
        var all = RedFlagCorpusLines.Emergencies();
        var patients = await CorpusRun.Patients(_http, 8);
        var failures = new ConcurrentBag<string>();
        // Orientation has no stream to hold back, so each line goes once, a third of them (spread over every file and
        // category) under each model mode: every line and every mode is covered at a third of the time chat takes.
        foreach (var (mode, m) in Modes.Select((mode, m) => (mode, m)))
        {
            var lines = all.Where((_, i) => i % Modes.Length == m).ToList();
            Script(mode);
            var before = factory.Model.Requests.Count;
            var clock = Stopwatch.StartNew();
            await CorpusRun.Orient(_http, patients, lines, (line, patient, result, error) =>
            {
                if (result is null) { failures.Add($"{line} [{mode}]: {error}"); return; }
                var flags = result["redFlags"]!.AsArray().Select(f => f!.GetValue<string>()).ToList();
                if (!result["emergency"]!.GetValue<bool>() || !flags.Contains(line.Category))
                    failures.Add($"{line} [{mode}]: expected {line.Category}, got [{string.Join(", ", flags)}]");
                else if (result["guidance"]?.GetValue<string>() != patient.Guidance(flags[0]))
                    failures.Add($"{line} [{mode}]: the guidance is not the {flags[0]} answer for {patient.Language}-{patient.Country}");
                else if (result["specialty"]!.GetValue<string>() != SymptomRules.EmergencyMedicine || result["source"]!.GetValue<string>() != "rules")
                    failures.Add($"{line} [{mode}]: oriented to {result["specialty"]} by {result["source"]}");
            });
            output.WriteLine($"orientation, model {mode}: {lines.Count} lines in {clock.Elapsed.TotalSeconds:0.0} s");
            // Orientation asks the model only to refine a non-emergency specialty.
            if (factory.Model.Requests.Count != before)
                failures.Add($"[{mode}]: the model was asked {factory.Model.Requests.Count - before} times during emergency orientations");
        }
        PrintPerFile(all, failures);
        Assert.True(failures.IsEmpty, CorpusRun.Report("orientations", failures, all.Count));
    }

    [Fact]
    public async Task Non_urgent_complaints_in_orientation_raise_at_most_five_percent_false_alarms()
    {
        Script("up");
        var lines = RedFlagCorpusLines.NonUrgent();
        var patients = await CorpusRun.Patients(_http, 8);
        var alarms = new ConcurrentBag<string>();
        var errors = new ConcurrentBag<string>();
        var askedTheModel = new ConcurrentBag<string>();
        var before = factory.Model.Requests.Count;
        var clock = Stopwatch.StartNew();
        await CorpusRun.Orient(_http, patients, lines, (line, _, result, error) =>
        {
            if (result is null) { errors.Add($"{line}: {error}"); return; }
            var flags = result["redFlags"]!.AsArray().Select(f => f!.GetValue<string>()).ToList();
            if (flags.Count > 0 || result["emergency"]!.GetValue<bool>() || result["guidance"] is not null)
                alarms.Add($"{line} -> [{string.Join(", ", flags)}]");
            else askedTheModel.Add(result["symptoms"]!.GetValue<string>());
        });
        // The same check that proves emergencies never reach the model finds every ordinary complaint that did.
        var prompts = CorpusRun.Prompts(factory.Model, before);
        Assert.All(askedTheModel, symptoms => Assert.True(CorpusRun.SeenBy(prompts, symptoms), symptoms));
        output.WriteLine($"orientation, model up: {lines.Count} non-urgent lines in {clock.Elapsed.TotalSeconds:0.0} s");
        foreach (var file in lines.GroupBy(l => l.File))
            output.WriteLine($"{file.Key}: {alarms.Count(a => a.StartsWith(file.Key + ":", StringComparison.Ordinal))} false alarms of {file.Count()}");
        foreach (var alarm in alarms.Order(StringComparer.Ordinal)) output.WriteLine("false alarm: " + alarm);
        Assert.True(errors.IsEmpty, CorpusRun.Report("orientations", errors, lines.Count));
        var rate = (double)alarms.Count / lines.Count;
        Assert.True(rate <= AllowedFalseAlarmRate,
            $"{alarms.Count} false alarms of {lines.Count} ({rate:P1}, at most {AllowedFalseAlarmRate:P0}):\n" + string.Join('\n', alarms.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public async Task An_auction_request_with_an_emergency_line_carries_that_emergencys_guidance()
    {
        Script("slow");
        // One line of each of five categories: a patient may hold five open auctions.
        var lines = RedFlagCorpusLines.Emergencies().Where(l => l.File == "emergencies.txt")
            .GroupBy(l => l.Category).Select(g => g.First()).Take(5).ToList();
        var admin = await _http.LoginAdminAsync();
        var specialty = await MarketplaceFlowTests.Specialty(_http, admin.Tokens.AccessToken, "RedFlagE2E-" + Guid.NewGuid().ToString("N")[..6]);
        var patient = (await CorpusRun.Patients(_http, 2))[1];
        var window = new { from = MarketplaceFlowTests.SlotAhead(8), to = MarketplaceFlowTests.SlotAhead(12) };
        var failures = new List<string>();
        foreach (var line in lines)
        {
            var clock = Stopwatch.StartNew();
            var r = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, "/api/auctions", patient.Token,
                new { symptoms = line.Text, specialtyId = specialty, maxPrice = 80, currency = "EUR", window, closesAt = DateTimeOffset.UtcNow.AddHours(1) }));
            var body = await r.Content.ReadAsStringAsync();
            if (r.StatusCode != HttpStatusCode.Created) { failures.Add($"{line}: answered {(int)r.StatusCode}: {body}"); continue; }
            var created = JsonNode.Parse(body)!.AsObject();
            var flags = created["redFlags"]!.AsArray().Select(f => f!.GetValue<string>()).ToList();
            if (!flags.Contains(line.Category)) failures.Add($"{line}: expected {line.Category}, got [{string.Join(", ", flags)}]");
            else if (created["guidance"]?.GetValue<string>() != patient.Guidance(flags[0])) failures.Add($"{line}: the guidance is not the {flags[0]} answer");
            if (clock.Elapsed > CorpusRun.MaxPerLine) failures.Add($"{line}: took {clock.Elapsed.TotalSeconds:0.0} s");
        }
        Assert.Equal(5, lines.Count);
        Assert.True(failures.Count == 0, CorpusRun.Report("auction requests", failures, lines.Count));
    }

    private void PrintPerFile(IReadOnlyList<CorpusEntry> lines, IEnumerable<string> failures)
    {
        var failed = failures.ToList();
        foreach (var file in lines.GroupBy(l => l.File))
        {
            var missed = file.Count(l => failed.Any(f => f.StartsWith(l + " [", StringComparison.Ordinal)));
            output.WriteLine($"{file.Key}: {file.Count() - missed} of {file.Count()} lines right");
        }
        var sb = new StringBuilder();
        foreach (var f in failed.Order(StringComparer.Ordinal).Take(50)) sb.AppendLine(f);
        if (sb.Length > 0) output.WriteLine(sb.ToString());
    }
}

/// <summary>
/// The model's address refuses connections (nothing listens there) and every patient has spent the model budget of
/// one call a minute: emergencies still get the rules' answers, the baby's own account included.
/// </summary>
public sealed class RedFlagEndToEndUnreachableModelTests(RedFlagEndToEndUnreachableModelTests.Factory factory, ITestOutputHelper output)
    : IClassFixture<RedFlagEndToEndUnreachableModelTests.Factory>
{
    public sealed class Factory : ChatApiFactory
    {
        private readonly int _closedPort = TestEnvironment.FreePort();

        protected override IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>(base.ExtraSettings)
        {
            ["Llm:Endpoint"] = $"http://127.0.0.1:{_closedPort}/v1",
            ["RateLimiting:ModelCallsPerMinute"] = "1",
        };
    }

    private const string FeverFromTheBabysOwnAccount = "she has a fever of 38.4 since this morning";
    private readonly HttpClient _http = factory.CreateClient();

    private Task<HttpResponseMessage> Orient(TestUser user, string symptoms) =>
        _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, "/api/orientation", user.Tokens.AccessToken, new { symptoms }));

    [Fact]
    public async Task Every_emergency_in_the_corpus_is_answered_in_chat_as_that_emergency_when_the_model_refuses_connections_and_the_budget_is_spent()
    {
        var lines = RedFlagCorpusLines.Emergencies();
        var patients = await CorpusRun.Patients(_http, 8);
        foreach (var patient in patients)
        {
            Assert.Equal(HttpStatusCode.OK, (await Orient(patient.User, "itchy rash on my arm")).StatusCode);
            Assert.Equal(HttpStatusCode.TooManyRequests, (await Orient(patient.User, "itchy rash on my arm")).StatusCode);
        }
        var clock = Stopwatch.StartNew();
        var failures = await CorpusRun.Chat(factory, _http, patients, lines, "refused", model: null, CorpusRun.MaxPerLine);
        output.WriteLine($"chat, model refusing connections, budgets spent: {lines.Count} lines in {clock.Elapsed.TotalSeconds:0.0} s, {failures.Count} failures");
        Assert.True(failures.Count == 0, CorpusRun.Report("chat answers", failures, lines.Count));
    }

    [Fact]
    public async Task A_fever_in_a_babys_own_account_is_an_emergency_in_chat_orientation_and_auctions_even_with_the_budget_spent()
    {
        var baby = await _http.RegisterAsync();
        var born = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-42)).ToString("yyyy-MM-dd");
        var put = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Put, "/api/patients/me/profile", baby.Tokens.AccessToken,
            new { firstName = "Lucía", lastName = "García", birthDate = born, preferredLanguage = "en", country = "US" }));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var adult = await RedFlagSteps.Patient(_http, "en", "US");
        var expected = new CorpusPatient(baby, "en", "US").Guidance(RedFlagCategories.InfantFever);

        await using var hub = await factory.ConnectChatAsync(baby.Tokens.AccessToken);
        var conversation = await hub.InvokeAsync<Guid>("StartConversation", "Fever");
        Assert.NotEmpty(await hub.SendAsync(conversation, "she has a runny nose"));
        var refused = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => hub.SendAsync(conversation, "she sneezes a lot"));
        Assert.Contains("Too many messages", refused.Message);

        var chunks = await hub.SendAsync(conversation, FeverFromTheBabysOwnAccount);
        Assert.Equal(RedFlagCategories.InfantFever, chunks[^1].RedFlag);
        Assert.Equal(expected, chunks.Text());
        Assert.Equal(RedFlagCategories.InfantFever, (await RedFlagSteps.Messages(_http, baby, conversation))[^1]!["redFlag"]!.GetValue<string>());

        var oriented = await Orient(baby, FeverFromTheBabysOwnAccount);
        var body = await oriented.Content.ReadAsStringAsync();
        Assert.True(oriented.StatusCode == HttpStatusCode.OK, body);
        var result = JsonNode.Parse(body)!;
        Assert.Equal([RedFlagCategories.InfantFever], result["redFlags"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal(expected, result["guidance"]!.GetValue<string>());

        var admin = await _http.LoginAdminAsync();
        var specialty = await MarketplaceFlowTests.Specialty(_http, admin.Tokens.AccessToken, "InfantFever-" + Guid.NewGuid().ToString("N")[..6]);
        var window = new { from = MarketplaceFlowTests.SlotAhead(8), to = MarketplaceFlowTests.SlotAhead(12) };
        var auction = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, "/api/auctions", baby.Tokens.AccessToken,
            new { symptoms = FeverFromTheBabysOwnAccount, specialtyId = specialty, maxPrice = 80, currency = "USD", window, closesAt = DateTimeOffset.UtcNow.AddHours(1) }));
        body = await auction.Content.ReadAsStringAsync();
        Assert.True(auction.StatusCode == HttpStatusCode.Created, body);
        Assert.Equal(expected, JsonNode.Parse(body)!["guidance"]!.GetValue<string>());

        // The same words from an adult are an ordinary message: they spend the budget and, once it is spent, wait.
        Assert.Equal(HttpStatusCode.OK, (await Orient(adult, FeverFromTheBabysOwnAccount)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await Orient(adult, FeverFromTheBabysOwnAccount)).StatusCode);
    }
}
