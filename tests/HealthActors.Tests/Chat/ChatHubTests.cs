using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Chat;
using HealthActors.Grains.Abstractions.Identity;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace HealthActors.Tests.Chat;

public sealed class ChatHubTests(ChatApiFactory factory) : IClassFixture<ChatApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private async Task<(TestUser User, HubConnection Hub, Guid ConversationId)> NewChat(bool withProfile = true)
    {
        factory.Model.Behavior = _ => Task.FromResult(new FakeReply(FakeOpenAiServer.DefaultAnswer));
        var user = await _http.RegisterAsync();
        if (withProfile)
        {
            var put = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Put, "/api/patients/me/profile", user.Tokens.AccessToken, new
            {
                firstName = "Ana", lastName = "García", birthDate = "1990-04-01", sex = "female",
                allergies = new[] { "penicillin", "ibuprofen" }, conditions = new[] { "asthma" },
                medications = new[] { new { name = "salbutamol", dose = "100 mcg", frequency = "as needed" } },
            }));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        var hub = await factory.ConnectChatAsync(user.Tokens.AccessToken);
        var id = await hub.InvokeAsync<Guid>("StartConversation", "Sore throat");
        return (user, hub, id);
    }

    private static string Marker() => "m" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task The_prompt_carries_the_latest_vitals_the_patient_recorded()
    {
        var (user, hub, id) = await NewChat();
        await using var _ = hub;
        var recorded = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, "/api/patients/me/records/vitals", user.Tokens.AccessToken,
            new { type = "blood-pressure", systolic = 152, diastolic = 97, recordedAt = DateTimeOffset.UtcNow.AddHours(-1).ToString("O") }));
        Assert.Equal(HttpStatusCode.Created, recorded.StatusCode);

        var marker = Marker();
        string? prompt = null;
        factory.Model.Behavior = body =>
        {
            var text = body.ToJsonString();
            if (text.Contains(marker)) prompt = text;
            return Task.FromResult(new FakeReply(FakeOpenAiServer.DefaultAnswer));
        };
        await hub.SendAsync(id, $"Is my blood pressure fine? {marker}");
        Assert.NotNull(prompt);
        Assert.Contains("blood-pressure systolic 152 diastolic 97", prompt);
    }

    [Fact]
    public async Task Answer_streams_in_order_and_the_prompt_carries_profile_and_history()
    {
        var (user, hub, id) = await NewChat();
        await using var _ = hub;
        var first = Marker();
        await hub.SendAsync(id, $"I have a sore throat since yesterday {first}");
        var second = Marker();
        string? lastPrompt = null;
        factory.Model.Behavior = body =>
        {
            var text = body.ToJsonString();
            if (text.Contains(second)) lastPrompt = text;
            // Pieces apart in time must leave apart: the grain merges only what piles up while a chunk is on its way.
            return Task.FromResult(new FakeReply(FakeOpenAiServer.DefaultAnswer, DelayBetweenChunks: TimeSpan.FromMilliseconds(20)));
        };
        var chunks = await hub.SendAsync(id, $"It got worse today {second}");

        Assert.Equal(Enumerable.Range(0, chunks.Count), chunks.Select(c => c.Index));
        // At least two: on a starved machine many pieces may pile up behind one push and leave merged.
        Assert.True(chunks.Count >= 2, "the answer should arrive in more than one chunk");
        Assert.Equal(FakeOpenAiServer.DefaultAnswer, chunks.Text());
        var final = chunks[^1];
        Assert.True(final.Final);
        Assert.Equal(AnswerSources.Model, final.Source);
        Assert.False(final.Degraded);
        Assert.NotNull(final.UserMessageId);
        Assert.NotNull(final.AssistantMessageId);

        Assert.NotNull(lastPrompt);
        Assert.Contains("penicillin", lastPrompt);
        Assert.Contains("ibuprofen", lastPrompt);
        Assert.Contains("salbutamol", lastPrompt);
        Assert.Contains("age 36", lastPrompt);
        Assert.Contains(first, lastPrompt);
        Assert.Contains("allergic", lastPrompt);

        var history = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/conversations/{id}/messages", user.Tokens.AccessToken));
        var messages = JsonNode.Parse(await history.Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal(4, messages.Count);
        Assert.Equal(final.AssistantMessageId, messages[3]!["id"]!.GetValue<Guid>());
        Assert.Equal(new[] { "user", "assistant", "user", "assistant" }, messages.Select(m => m!["role"]!.GetValue<string>()));
        Assert.Equal(new[] { 1, 2, 3, 4 }, messages.Select(m => m!["seq"]!.GetValue<int>()));
    }

    private static async Task<T> Scalar<T>(string sql, params object[] args)
    {
        await using var db = NpgsqlDataSource.Create(TestEnvironment.Postgres);
        await using var cmd = db.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.AddWithValue(a);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task A_turn_stores_the_patients_message_and_the_answer_in_one_commit_before_the_final_chunk()
    {
        var (_, hub, id) = await NewChat(withProfile: false);
        await using var _ = hub;
        var marker = Marker();
        factory.Model.Behavior = _ => Task.FromResult(new FakeReply("Noted."));
        var chunks = await hub.SendAsync(id, "My knee hurts " + marker);

        // Both rows are there when the final chunk arrives, under the ids it names, and one transaction wrote them
        // (one xmin), so a turn costs one WAL flush, not one per message.
        var final = chunks[^1];
        Assert.True(final.Final);
        const string stored = "SELECT count(*) FROM chat_messages WHERE conversation_id = $1 AND id = ANY($2)";
        Assert.Equal(2L, await Scalar<long>(stored, id, new[] { final.UserMessageId!.Value, final.AssistantMessageId!.Value }));
        Assert.Equal(1L, await Scalar<long>("SELECT count(DISTINCT xmin::text) FROM chat_messages WHERE conversation_id = $1", id));
        Assert.Equal(2, await Scalar<int>("SELECT message_count FROM chat_conversations WHERE id = $1", id));
    }

    [Fact]
    public async Task A_turn_whose_answer_cannot_be_stored_still_stores_the_patients_message()
    {
        var (user, hub, id) = await NewChat(withProfile: false);
        await using var _ = hub;
        factory.Model.Behavior = _ => Task.FromResult(new FakeReply("Noted."));
        // A counter one below its ceiling: the turn's batch (+2) fails in PostgreSQL and rolls back whole, while the
        // patient's message alone (+1) still fits.
        await Scalar<object>("UPDATE chat_conversations SET message_count = 2147483646 WHERE id = $1 RETURNING id", id);
        var marker = Marker();
        await Assert.ThrowsAnyAsync<Exception>(() => hub.SendAsync(id, "My knee hurts " + marker));

        const string roles = "SELECT string_agg(role || ':' || seq, ',' ORDER BY seq) FROM chat_messages WHERE conversation_id = $1";
        Assert.Equal("user:1", await Scalar<string>(roles, id));
        Assert.Equal(1L, await Scalar<long>("SELECT count(*) FROM chat_messages WHERE conversation_id = $1 AND content LIKE $2", id, "%" + marker + "%"));

        // The grain counted the stored message: the next turn follows it.
        await Scalar<object>("UPDATE chat_conversations SET message_count = 1 WHERE id = $1 RETURNING id", id);
        var chunks = await hub.SendAsync(id, "Still hurts");
        Assert.True(chunks[^1].Final);
        Assert.Equal("user:1,user:2,assistant:3", await Scalar<string>(roles, id));
        var history = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/conversations/{id}/messages", user.Tokens.AccessToken));
        Assert.Equal(3, JsonNode.Parse(await history.Content.ReadAsStringAsync())!.AsArray().Count);
    }

    [Fact]
    public async Task Red_flags_get_emergency_guidance_without_the_model_even_when_it_is_down()
    {
        var (_, hub, id) = await NewChat(withProfile: false);
        await using var _ = hub;
        factory.Model.Behavior = _ => Task.FromResult(new FakeReply("", FailWithStatus: 500));
        var before = factory.Model.Requests.Count;

        foreach (var (text, expect) in new[]
        {
            ("I have crushing chest pain and my left arm is numb", "emergency"),
            ("No puedo respirar bien desde hace una hora", "emergencias"),
            ("I think I want to kill myself", "988"),
        })
        {
            var chunks = await hub.SendAsync(id, text);
            Assert.True(chunks[^1].Emergency);
            Assert.Equal(AnswerSources.Emergency, chunks[^1].Source);
            Assert.Contains(expect, chunks.Text());
        }
        Assert.Equal(before, factory.Model.Requests.Count);
    }

    [Fact]
    public async Task A_model_that_does_not_answer_in_time_gives_a_degraded_offline_answer()
    {
        var (_, hub, id) = await NewChat(withProfile: false);
        await using var _ = hub;
        factory.Model.Behavior = _ => Task.FromResult(new FakeReply("too late", DelayBeforeFirstChunk: TimeSpan.FromSeconds(4)));
        var chunks = await hub.SendAsync(id, "I have had a rash on my arm for a week");
        var final = chunks[^1];
        Assert.True(final.Degraded);
        Assert.Equal(AnswerSources.Offline, final.Source);
        Assert.Contains("offline", chunks.Text());
        Assert.Contains("dermatology", chunks.Text());
    }

    [Fact]
    public async Task A_failing_model_gives_a_degraded_answer_in_the_patients_language()
    {
        var (_, hub, id) = await NewChat(withProfile: false);
        await using var _ = hub;
        factory.Model.Behavior = _ => Task.FromResult(new FakeReply("", FailWithStatus: 503));
        var chunks = await hub.SendAsync(id, "Hola, tengo tos y me duele la garganta desde ayer");
        Assert.True(chunks[^1].Degraded);
        Assert.Contains("sin conexión", chunks.Text());
    }

    [Fact]
    public async Task Concurrent_sends_to_one_conversation_are_answered_one_after_another()
    {
        var (user, hub, id) = await NewChat(withProfile: false);
        await using var _ = hub;
        factory.Model.Behavior = body => Task.FromResult(new FakeReply("answer to " + body["messages"]!.AsArray()[^1]!["content"],
            DelayBetweenChunks: TimeSpan.FromMilliseconds(20)));
        var a = Marker();
        var b = Marker();
        var first = hub.SendAsync(id, "first question " + a);
        await Task.Delay(50);
        var second = hub.SendAsync(id, "second question " + b);
        var results = await Task.WhenAll(first, second);
        Assert.Contains(a, results[0].Text());
        Assert.Contains(b, results[1].Text());

        var history = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/conversations/{id}/messages", user.Tokens.AccessToken));
        var contents = JsonNode.Parse(await history.Content.ReadAsStringAsync())!.AsArray().Select(m => m!["content"]!.GetValue<string>()).ToList();
        Assert.Equal(4, contents.Count);
        Assert.Contains(a, contents[0]);
        Assert.Contains(a, contents[1]);
        Assert.Contains(b, contents[2]);
        Assert.Contains(b, contents[3]);
    }

    [Fact]
    public async Task Window_stays_at_twenty_and_older_messages_fold_into_the_summary()
    {
        var (user, hub, id) = await NewChat(withProfile: false);
        await using var _ = hub;
        factory.Model.Behavior = body => Task.FromResult(new FakeReply(body["stream"]?.GetValue<bool>() == true
            ? "ok"
            : "SUMMARY: patient reported symptoms " + string.Join(",", body["messages"]!.AsArray().Count)));
        for (var i = 1; i <= 25; i++) await hub.SendAsync(id, $"symptom note number {i}");

        var grains = factory.Services.GetRequiredService<IGrainFactory>();
        var caller = new Caller(user.Id, Roles.Patient);
        ConversationMemory? memory = null;
        for (var attempt = 0; attempt < 300; attempt++)
        {
            memory = await grains.GetGrain<IConversationGrain>(id).GetMemory(caller);
            if (memory!.SummarizedThroughSeq == 30) break;
            await Task.Delay(100);
        }
        Assert.Equal(20, memory!.Window.Count);
        Assert.Equal(31, memory.Window[0].Seq);
        Assert.Equal(50, memory.Window[^1].Seq);
        Assert.Equal(30, memory.SummarizedThroughSeq);
        Assert.StartsWith("SUMMARY", memory.Summary);

        string? prompt = null;
        factory.Model.Behavior = body => { if (body["stream"]?.GetValue<bool>() == true) prompt = body.ToJsonString(); return Task.FromResult(new FakeReply("ok")); };
        await hub.SendAsync(id, "and one more");
        Assert.Contains("Summary of the earlier conversation", prompt);
        Assert.DoesNotContain("symptom note number 5\"", prompt);
        Assert.Contains("symptom note number 25", prompt);
    }

    [Fact]
    public async Task Messages_wait_in_the_prompt_until_a_batch_of_them_folds_into_the_summary_with_one_model_call()
    {
        var (user, hub, id) = await NewChat(withProfile: false);
        await using var _ = hub;
        var marker = Marker();
        var summaries = 0;
        string? prompt = null;
        factory.Model.Behavior = body =>
        {
            var text = body.ToJsonString();
            if (!text.Contains(marker)) return Task.FromResult(new FakeReply("ok"));
            if (body["stream"]?.GetValue<bool>() == true) prompt = text;
            else Interlocked.Increment(ref summaries);
            return Task.FromResult(new FakeReply(body["stream"]?.GetValue<bool>() == true ? "ok" : "SUMMARY of the notes"));
        };
        // 14 turns, 28 messages: 8 have left the window of 20, fewer than a batch of 10, so none is summarized yet and
        // the prompt still carries the very first one.
        for (var i = 1; i <= 14; i++) await hub.SendAsync(id, $"{marker} note number {i}");
        Assert.Contains($"{marker} note number 1\"", prompt);
        Assert.Equal(0, Volatile.Read(ref summaries));

        // The 15th turn makes the batch: messages 1 to 10 fold into the summary in one model call.
        await hub.SendAsync(id, $"{marker} note number 15");
        var grains = factory.Services.GetRequiredService<IGrainFactory>();
        var caller = new Caller(user.Id, Roles.Patient);
        ConversationMemory? memory = null;
        for (var attempt = 0; attempt < 300; attempt++)
        {
            memory = await grains.GetGrain<IConversationGrain>(id).GetMemory(caller);
            if (memory!.SummarizedThroughSeq == 10) break;
            await Task.Delay(100);
        }
        Assert.Equal(10, memory!.SummarizedThroughSeq);
        Assert.Equal("SUMMARY of the notes", memory.Summary);
        Assert.Equal(1, Volatile.Read(ref summaries));
        Assert.Equal(Enumerable.Range(11, 20), memory.Window.Select(m => m.Seq));

        await hub.SendAsync(id, $"{marker} note number 16");
        Assert.Contains("SUMMARY of the notes", prompt);
        Assert.DoesNotContain($"{marker} note number 5\"", prompt);
        Assert.Contains($"{marker} note number 6\"", prompt);
        Assert.Equal(1, Volatile.Read(ref summaries));
    }

    [Theory]
    [InlineData("", "text")]
    [InlineData("   \n\t ", "text")]
    [InlineData("bell \u0007 character", "control characters")]
    [InlineData("null \u0000 byte", "control characters")]
    public async Task Bad_messages_are_refused_with_a_clear_error(string text, string expected)
    {
        var (_, hub, id) = await NewChat(withProfile: false);
        await using var _ = hub;
        var ex = await Assert.ThrowsAsync<HubException>(() => hub.SendAsync(id, text));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public async Task Oversized_messages_and_titles_are_refused()
    {
        var (_, hub, id) = await NewChat(withProfile: false);
        await using var _ = hub;
        var ex = await Assert.ThrowsAsync<HubException>(() => hub.SendAsync(id, new string('a', 4001)));
        Assert.Contains("at most 4000", ex.Message);
        Assert.Equal("a", (await hub.SendAsync(id, new string('a', 4000)))[^1].Final ? "a" : "?");
        var title = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<Guid>("StartConversation", new string('t', 201)));
        Assert.Contains("title", title.Message);
    }

    [Fact]
    public async Task Another_user_cannot_send_read_search_or_delete_my_conversation()
    {
        var (owner, ownerHub, id) = await NewChat(withProfile: false);
        await using var _ = ownerHub;
        var secret = Marker();
        await ownerHub.SendAsync(id, "private note about my migraine " + secret);

        var intruder = await _http.RegisterAsync();
        await using var intruderHub = await factory.ConnectChatAsync(intruder.Tokens.AccessToken);
        var ex = await Assert.ThrowsAsync<HubException>(() => intruderHub.SendAsync(id, "let me in"));
        Assert.Contains("not found", ex.Message);

        var token = intruder.Tokens.AccessToken;
        await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/conversations/{id}/messages", token))).ProblemAsync(HttpStatusCode.NotFound);
        await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/conversations/{id}", token))).ProblemAsync(HttpStatusCode.NotFound);
        await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Delete, $"/api/conversations/{id}", token))).ProblemAsync(HttpStatusCode.NotFound);
        var search = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/conversations/search?q={secret}", token));
        Assert.Empty(JsonNode.Parse(await search.Content.ReadAsStringAsync())!.AsArray());
        var list = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/api/conversations", token));
        Assert.Empty(JsonNode.Parse(await list.Content.ReadAsStringAsync())!["items"]!.AsArray());

        // The owner still has everything.
        var mine = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/conversations/search?q={secret}", owner.Tokens.AccessToken));
        Assert.Single(JsonNode.Parse(await mine.Content.ReadAsStringAsync())!.AsArray());

        // And nobody connects anonymously.
        await Assert.ThrowsAnyAsync<Exception>(() => factory.ConnectChatAsync(null));
        await (await _http.GetAsync("/api/conversations")).ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Listing_searching_and_deleting_my_conversations()
    {
        var (user, hub, id) = await NewChat(withProfile: false);
        await using var _ = hub;
        var token = user.Tokens.AccessToken;
        var second = await hub.InvokeAsync<Guid>("StartConversation", (string?)null);
        await hub.SendAsync(id, "Tengo dolores de cabeza por la mañana");
        await hub.SendAsync(second, "My headaches are worse at night");

        var list = JsonNode.Parse(await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/api/conversations?pageSize=1", token))).Content.ReadAsStringAsync())!;
        Assert.Single(list["items"]!.AsArray());
        Assert.Equal(second, list["items"]![0]!["id"]!.GetValue<Guid>());
        Assert.True(list["hasMore"]!.GetValue<bool>());

        // Stemming: "dolor" finds "dolores", "headache" finds "headaches".
        var es = JsonNode.Parse(await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/api/conversations/search?q=dolor", token))).Content.ReadAsStringAsync())!.AsArray();
        Assert.Contains(es, h => h!["conversationId"]!.GetValue<Guid>() == id);
        var en = JsonNode.Parse(await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/api/conversations/search?q=headache", token))).Content.ReadAsStringAsync())!.AsArray();
        Assert.Contains(en, h => h!["conversationId"]!.GetValue<Guid>() == second);

        Assert.Equal(HttpStatusCode.NoContent, (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Delete, $"/api/conversations/{id}", token))).StatusCode);
        await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/conversations/{id}/messages", token))).ProblemAsync(HttpStatusCode.NotFound);
        await using var db = NpgsqlDataSource.Create(TestEnvironment.Postgres);
        await using var cmd = db.CreateCommand("SELECT count(*) FROM chat_messages WHERE conversation_id = $1");
        cmd.Parameters.AddWithValue(id);
        Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Theory]
    [InlineData("/api/conversations?page=0", "page")]
    [InlineData("/api/conversations?pageSize=1000", "pageSize")]
    [InlineData("/api/conversations/search?q=", "q")]
    [InlineData("/api/conversations/search", "q")]
    [InlineData("/api/conversations/00000000-0000-0000-0000-000000000001/messages?limit=0", "limit")]
    [InlineData("/api/conversations/00000000-0000-0000-0000-000000000001/messages?before=0", "before")]
    public async Task Bad_query_parameters_are_400_naming_the_field(string url, string field)
    {
        var user = await _http.RegisterAsync();
        await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, url, user.Tokens.AccessToken))).ValidationProblemAsync(field);
    }

    [Fact]
    public async Task Message_content_never_reaches_the_logs()
    {
        var (_, hub, id) = await NewChat(withProfile: false);
        await using var _ = hub;
        var marker = Marker();
        factory.Model.Behavior = _ => Task.FromResult(new FakeReply("", FailWithStatus: 500));
        await hub.SendAsync(id, "confidential symptom " + marker);
        factory.Model.Behavior = _ => Task.FromResult(new FakeReply("reply " + marker));
        await hub.SendAsync(id, "another confidential symptom " + marker);
        await hub.SendAsync(id, "chest pain " + marker);
        Assert.NotEmpty(factory.Logs);
        Assert.DoesNotContain(factory.Logs, line => line.Contains(marker));
    }
}
