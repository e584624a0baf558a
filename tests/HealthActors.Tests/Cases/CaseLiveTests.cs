using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Cases;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace HealthActors.Tests.Cases;

/// <summary>One connection to /hubs/cases and every CaseComment pushed to it.</summary>
public sealed class CaseWatcherClient : IAsyncDisposable
{
    private readonly ConcurrentQueue<CaseCommentEvent> _received = new();
    public HubConnection Hub { get; }
    public string Name { get; }

    private CaseWatcherClient(HubConnection hub, string name)
    {
        Hub = hub;
        Name = name;
        hub.On<CaseCommentEvent>("CaseComment", e => _received.Enqueue(e));
    }

    public static async Task<CaseWatcherClient> ConnectAsync(CaseCast cast, string token, string name) =>
        new(await cast.ConnectHubAsync("/hubs/cases", token), name);

    public Task<long> WatchAsync(Guid caseId) => Hub.InvokeAsync<long>("WatchCase", caseId);
    public Task UnwatchAsync(Guid caseId) => Hub.InvokeAsync("UnwatchCase", caseId);

    public IReadOnlyList<CaseCommentEvent> Received => _received.ToArray();
    public IReadOnlyList<long> Seqs => _received.Select(e => e.Seq).ToList();

    public Task WaitForSeqAsync(long seq, TimeSpan timeout) =>
        Poll.Until(() => Task.FromResult(_received.Any(e => e.Seq >= seq)), timeout, () => $"{Name} received up to seq {_received.LastOrDefault()?.Seq}, waiting for {seq}");

    public ValueTask DisposeAsync() => Hub.DisposeAsync();
}

/// <summary>Live comments over /hubs/cases, following a case (with its inbox notifications) and attachments read through a case.</summary>
[Collection(CaseCast.Collection)]
public sealed class CaseLiveTests(CaseCast cast)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly HttpClient _http = cast.Http;

    private async Task<(HttpStatusCode Status, JsonNode? Body)> Call(HttpMethod method, string url, string? token, object? body = null)
    {
        var r = await _http.SendAsync(ApiClientExtensions.Authed(method, url, token, body));
        var text = await r.Content.ReadAsStringAsync();
        return (r.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    private async Task<JsonNode> Expect(HttpStatusCode expected, HttpMethod method, string url, string? token, object? body = null)
    {
        var (status, json) = await Call(method, url, token, body);
        Assert.True(expected == status, $"{method} {url}: expected {(int)expected}, got {(int)status}: {json?.ToJsonString()}");
        return json ?? new JsonObject();
    }

    private static object NewCase(string title, Guid[]? attachmentIds = null) => new
    {
        title, ageBand = "60-69", sex = "male", presentingComplaint = "Breathless on exertion for a month.",
        question = "Which test first?", tags = new[] { "cardiology" }, attachmentIds,
    };

    private async Task<Guid> Create(string title, Guid[]? attachmentIds = null) =>
        (await Expect(HttpStatusCode.Created, HttpMethod.Post, "/api/cases", cast.Author, NewCase(title, attachmentIds)))["id"]!.GetValue<Guid>();

    private async Task<JsonNode> Comment(string token, Guid caseId, string text, Guid? parentId = null) =>
        await Expect(HttpStatusCode.Created, HttpMethod.Post, $"/api/cases/{caseId}/comments", token, new { text, parentId });

    private static string Title(string what) => what + " " + Guid.NewGuid().ToString("N")[..8];

    private static async Task<long> Count(string sql, params object[] keys)
    {
        await using var db = NpgsqlDataSource.Create(TestEnvironment.Postgres);
        await using var cmd = db.CreateCommand(sql);
        foreach (var key in keys) cmd.Parameters.AddWithValue(key);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    private static async Task Execute(string sql, params object[] args)
    {
        await using var db = NpgsqlDataSource.Create(TestEnvironment.Postgres);
        await using var cmd = db.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.AddWithValue(a);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>The case.comment notifications about one case in a user's inbox.</summary>
    private async Task<List<JsonNode>> CaseNotifications(string token, Guid caseId) =>
        (await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/notifications?pageSize=100", token))["items"]!.AsArray()
            .Where(n => n!["kind"]!.GetValue<string>() == "case.comment" && n["subjectId"]?.GetValue<Guid>() == caseId).Select(n => n!).ToList();

    private Task UntilNotified(string token, Guid caseId, int count, string who) =>
        Poll.Until(async () => (await CaseNotifications(token, caseId)).Count >= count, Wait, () => $"{who} never got {count} case.comment notifications");

    [Fact]
    public async Task Only_verified_doctors_watch_a_case_and_others_are_told_it_does_not_exist()
    {
        var caseId = await Create(Title("Syncope"));
        await using var colleague = await CaseWatcherClient.ConnectAsync(cast, cast.Colleague, "colleague");
        await using var unverified = await CaseWatcherClient.ConnectAsync(cast, cast.Unverified, "unverified");
        await using var patient = await CaseWatcherClient.ConnectAsync(cast, cast.Patient, "patient");
        await using var admin = await CaseWatcherClient.ConnectAsync(cast, cast.Admin, "admin");

        Assert.Equal(0, await colleague.WatchAsync(caseId));
        foreach (var outsider in new[] { unverified, patient, admin })
        {
            var refused = await Assert.ThrowsAsync<HubException>(() => outsider.WatchAsync(caseId));
            Assert.Contains("Case not found.", refused.Message);
        }
        // An unknown case is refused the same way, so ids cannot be probed.
        Assert.Contains("Case not found.", (await Assert.ThrowsAsync<HubException>(() => colleague.WatchAsync(Guid.NewGuid()))).Message);

        // The refused stay connected but receive nothing, while the doctor gets the comment.
        await Comment(cast.Author, caseId, "An ECG was normal.");
        await colleague.WaitForSeqAsync(1, Wait);
        await Task.Delay(300);
        Assert.All(new[] { unverified, patient, admin }, w => Assert.Empty(w.Received));
        var e = Assert.Single(colleague.Received);
        Assert.Equal((caseId, 1L, "An ECG was normal."), (e.CaseId, e.Seq, e.Comment.Text));

        var anonymous = await Record.ExceptionAsync(() => cast.ConnectHubAsync("/hubs/cases", null));
        Assert.NotNull(anonymous);
        Assert.Contains("401", anonymous.Message);
    }

    [Fact]
    public async Task Several_watchers_get_concurrent_comments_in_seq_order_once_and_a_late_joiner_misses_none()
    {
        var caseId = await Create(Title("Fever after travel"));
        var first = await Comment(cast.Colleague, caseId, "Malaria film?");
        var watchers = new List<CaseWatcherClient>
        {
            await CaseWatcherClient.ConnectAsync(cast, cast.Author, "author"),
            await CaseWatcherClient.ConnectAsync(cast, cast.Colleague, "colleague"),
            await CaseWatcherClient.ConnectAsync(cast, cast.Reader, "reader"),
        };
        var late = await CaseWatcherClient.ConnectAsync(cast, cast.Reader, "late reader");
        try
        {
            foreach (var w in watchers) Assert.Equal(1, await w.WatchAsync(caseId));
            const int perRound = 12;
            var parent = first["id"]!.GetValue<Guid>();
            var writers = new[] { cast.Author, cast.Colleague, cast.Reader };
            // Comments and replies from three doctors at once: the grain decides the order, every watcher must see it.
            Task Round(int round) => Task.WhenAll(Enumerable.Range(0, perRound).Select(i =>
                Comment(writers[i % 3], caseId, $"Round {round} note {i}.", i % 4 == 0 ? parent : null)));
            await Round(1);
            var lateSeq = await late.WatchAsync(caseId);
            await Round(2);
            const long last = 1 + 2 * perRound;
            Assert.Equal(1 + perRound, lateSeq);

            foreach (var w in watchers.Append(late)) await w.WaitForSeqAsync(last, Wait);
            // A duplicate would arrive just after the last comment; give it the chance to show up.
            await Task.Delay(300);
            var stored = (await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/cases/{caseId}/comments?limit=100", cast.Author))["items"]!.AsArray();
            var storedIds = stored.Select(c => c!["id"]!.GetValue<Guid>()).ToList();
            foreach (var w in watchers)
            {
                Assert.Equal(Enumerable.Range(2, (int)last - 1).Select(n => (long)n), w.Seqs);
                Assert.Equal(storedIds.Skip(1), w.Received.Select(e => e.Comment.Id));
                Assert.All(w.Received, e => Assert.Equal(e.Seq, e.Comment.Seq));
            }
            Assert.Equal(Enumerable.Range((int)lateSeq + 1, (int)(last - lateSeq)).Select(n => (long)n), late.Seqs);
            Assert.Contains(watchers[0].Received, e => e.Comment.ParentId == parent);

            // After UnwatchCase a connection gets nothing more; the others still do.
            await watchers[2].UnwatchAsync(caseId);
            await Comment(cast.Author, caseId, "Thanks all.");
            await watchers[0].WaitForSeqAsync(last + 1, Wait);
            await Task.Delay(300);
            Assert.Equal(last, watchers[2].Seqs[^1]);
        }
        finally
        {
            foreach (var w in watchers) await w.DisposeAsync();
            await late.DisposeAsync();
        }
    }

    [Fact]
    public async Task Following_is_idempotent_verified_only_and_notifies_followers_but_not_the_writer()
    {
        var caseId = await Create(Title("Headache"));
        var follow = $"/api/cases/{caseId}/follow";
        foreach (var outsider in new[] { cast.Patient, cast.Unverified, cast.Admin })
        {
            await Expect(HttpStatusCode.NotFound, HttpMethod.Post, follow, outsider);
            await Expect(HttpStatusCode.NotFound, HttpMethod.Delete, follow, outsider);
            await Expect(HttpStatusCode.NotFound, HttpMethod.Get, "/api/cases/following", outsider);
        }
        await Expect(HttpStatusCode.Unauthorized, HttpMethod.Post, follow, null);
        await Expect(HttpStatusCode.Unauthorized, HttpMethod.Delete, follow, null);
        await Expect(HttpStatusCode.Unauthorized, HttpMethod.Get, "/api/cases/following", null);
        var unknown = Guid.NewGuid();
        await Expect(HttpStatusCode.NotFound, HttpMethod.Post, $"/api/cases/{unknown}/follow", cast.Colleague);
        await Expect(HttpStatusCode.BadRequest, HttpMethod.Get, "/api/cases/following?pageSize=0", cast.Colleague);
        Assert.Equal(0, await Count("SELECT count(*) FROM clinical_case_follows WHERE case_id = $1", unknown));
        // Only the author so far: the outsiders' attempts wrote nothing.
        Assert.Equal(1, await Count("SELECT count(*) FROM clinical_case_follows WHERE case_id = $1", caseId));

        await Expect(HttpStatusCode.NoContent, HttpMethod.Post, follow, cast.Colleague);
        await Expect(HttpStatusCode.NoContent, HttpMethod.Post, follow, cast.Colleague);
        await Expect(HttpStatusCode.NoContent, HttpMethod.Post, follow, cast.Reader);
        Assert.Equal(3, await Count("SELECT count(*) FROM clinical_case_follows WHERE case_id = $1", caseId));
        foreach (var doctor in new[] { cast.Author, cast.Colleague })
        {
            var mine = await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/cases/following?pageSize=100", doctor);
            Assert.Contains(mine["items"]!.AsArray(), c => c!["id"]!.GetValue<Guid>() == caseId);
        }
        // Newest follow first: this case leads the colleague's list.
        Assert.Equal(caseId, (await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/cases/following?pageSize=1", cast.Colleague))["items"]![0]!["id"]!.GetValue<Guid>());

        // The colleague writes: the author and the reader are told, the colleague is not.
        await Comment(cast.Colleague, caseId, "Any visual aura?");
        await UntilNotified(cast.Author, caseId, 1, "author");
        await UntilNotified(cast.Reader, caseId, 1, "reader");
        // The author writes: the colleague and the reader are told, the author is not.
        await Comment(cast.Author, caseId, "None.");
        await UntilNotified(cast.Colleague, caseId, 1, "colleague");
        await UntilNotified(cast.Reader, caseId, 2, "reader");
        await Task.Delay(300);
        Assert.Single(await CaseNotifications(cast.Author, caseId));
        Assert.Single(await CaseNotifications(cast.Colleague, caseId));

        // Unfollowed (twice, idempotent): the colleague hears no more, while the reader still does.
        await Expect(HttpStatusCode.NoContent, HttpMethod.Delete, follow, cast.Colleague);
        await Expect(HttpStatusCode.NoContent, HttpMethod.Delete, follow, cast.Colleague);
        Assert.DoesNotContain((await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/cases/following?pageSize=100", cast.Colleague))["items"]!.AsArray(),
            c => c!["id"]!.GetValue<Guid>() == caseId);
        await Comment(cast.Author, caseId, "Scan booked.");
        await UntilNotified(cast.Reader, caseId, 3, "reader");
        await Task.Delay(300);
        Assert.Single(await CaseNotifications(cast.Colleague, caseId));
    }

    [Fact]
    public async Task A_case_at_its_follower_bound_refuses_a_new_follower_but_not_a_repeat()
    {
        var caseId = await Create(Title("Chest wall pain"));
        // Filled straight in the table: signing up a thousand doctors is not what is under test.
        await Execute("""
            INSERT INTO clinical_case_follows (case_id, doctor_id, created_at)
            SELECT $1, gen_random_uuid(), now() FROM generate_series(1, $2::int - 1)
            """, caseId, CaseFollowing.MaxFollowers);
        var refused = await Expect(HttpStatusCode.Conflict, HttpMethod.Post, $"/api/cases/{caseId}/follow", cast.Colleague);
        Assert.Equal(CaseFollowing.FullReason, refused["reason"]!.GetValue<string>());
        await Expect(HttpStatusCode.NoContent, HttpMethod.Post, $"/api/cases/{caseId}/follow", cast.Author);
        Assert.Equal(CaseFollowing.MaxFollowers, await Count("SELECT count(*) FROM clinical_case_follows WHERE case_id = $1", caseId));
    }

    [Fact]
    public async Task Repeating_a_comments_fan_out_adds_no_second_notification()
    {
        var caseId = await Create(Title("Dizziness"));
        await Expect(HttpStatusCode.NoContent, HttpMethod.Post, $"/api/cases/{caseId}/follow", cast.Reader);
        var posted = await Comment(cast.Colleague, caseId, "Check orthostatic pressures.");
        await UntilNotified(cast.Reader, caseId, 1, "reader");

        var comment = System.Text.Json.JsonSerializer.Deserialize<CaseComment>(posted.ToJsonString(), new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!;
        await cast.Grains.GetGrain<ICaseFollowerNotifier>(0).CommentAdded(caseId, "Dizziness", comment);
        // A marker comment after the repeat: once its notification is in, the repeat has been processed too.
        await Comment(cast.Colleague, caseId, "Also a full blood count.");
        await UntilNotified(cast.Reader, caseId, 2, "reader");
        await Task.Delay(300);
        Assert.Equal(2, (await CaseNotifications(cast.Reader, caseId)).Count);
    }

    private async Task<Guid> Upload(string token)
    {
        var part = new ByteArrayContent(SampleFiles.Png());
        part.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var request = ApiClientExtensions.Authed(HttpMethod.Post, "/api/attachments", token);
        request.Content = new MultipartFormDataContent { { part, "file", "ecg.png" } };
        var r = await _http.SendAsync(request);
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Created, text);
        return JsonNode.Parse(text)!["id"]!.GetValue<Guid>();
    }

    [Fact]
    public async Task A_cases_attachments_are_read_by_verified_doctors_audited_and_by_nobody_else()
    {
        var ecg = await Upload(cast.Author);
        var unlinked = await Upload(cast.Author);
        var colleaguesFile = await Upload(cast.Colleague);

        // Someone else's upload cannot be linked: 400 naming the field and no case is written.
        var refusedTitle = Title("Borrowed scan");
        var (status, body) = await Call(HttpMethod.Post, "/api/cases", cast.Author, NewCase(refusedTitle, [ecg, colleaguesFile]));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotNull(body!["errors"]!["attachmentIds"]);
        Assert.Equal(0, await Count("SELECT count(*) FROM clinical_cases WHERE author_id = $1 AND title = $2", cast.AuthorId, refusedTitle));

        var caseId = await Create(Title("Palpitations"), [ecg]);
        Assert.Equal([ecg], (await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/cases/{caseId}", cast.Colleague))["attachmentIds"]!.AsArray()
            .Select(a => a!.GetValue<Guid>()));

        async Task<HttpResponseMessage> Download(Guid id, string token) =>
            await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/attachments/{id}", token));

        var byColleague = await Download(ecg, cast.Colleague);
        Assert.Equal(HttpStatusCode.OK, byColleague.StatusCode);
        Assert.Equal(SampleFiles.Png(), await byColleague.Content.ReadAsByteArrayAsync());
        Assert.Equal("attachment", byColleague.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal(HttpStatusCode.OK, (await Download(ecg, cast.Reader)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Download(ecg, cast.Author)).StatusCode);
        foreach (var outsider in new[] { cast.Unverified, cast.Patient })
            Assert.Equal(HttpStatusCode.NotFound, (await Download(ecg, outsider)).StatusCode);
        // A file of the author's that no case links stays the author's.
        Assert.Equal(HttpStatusCode.NotFound, (await Download(unlinked, cast.Colleague)).StatusCode);
        // Admins read through their own audited basis, never through the case.
        Assert.Equal(HttpStatusCode.OK, (await Download(ecg, cast.Admin)).StatusCode);

        const string Audited = "SELECT count(*) FROM audit_events WHERE actor_id = $1 AND subject_id = $2 AND action = 'attachment.read' AND detail = $3::text || ' bytes ' || $4::text";
        Assert.Equal(1, await Count(Audited, cast.ColleagueId, cast.AuthorId, "case", ecg));
        Assert.Equal(1, await Count(Audited, cast.AdminId, cast.AuthorId, "admin", ecg));
        Assert.Equal(0, await Count(Audited, cast.AuthorId, cast.AuthorId, "owner", ecg));
        Assert.Equal(0, await Count("SELECT count(*) FROM audit_events WHERE subject_id = $1 AND action = 'attachment.read' AND detail LIKE '%' || $2::text", cast.AuthorId, unlinked));

        // A comment links its writer's own uploads the same way; someone else's is a 400 and the thread stays as it was.
        var (refused, problem) = await Call(HttpMethod.Post, $"/api/cases/{caseId}/comments", cast.Colleague, new { text = "Compare with mine.", attachmentIds = new[] { unlinked } });
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.NotNull(problem!["errors"]!["attachmentIds"]);
        Assert.Equal(0, await Count("SELECT count(*) FROM clinical_case_comments WHERE case_id = $1", caseId));
        Assert.Equal(HttpStatusCode.NotFound, (await Download(colleaguesFile, cast.Reader)).StatusCode);
        var comment = await Expect(HttpStatusCode.Created, HttpMethod.Post, $"/api/cases/{caseId}/comments", cast.Colleague,
            new { text = "Compare with my rhythm strip.", attachmentIds = new[] { colleaguesFile } });
        Assert.Equal([colleaguesFile], comment["attachmentIds"]!.AsArray().Select(a => a!.GetValue<Guid>()));
        Assert.Equal(HttpStatusCode.OK, (await Download(colleaguesFile, cast.Reader)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Download(colleaguesFile, cast.Patient)).StatusCode);
        Assert.Equal(1, await Count("SELECT count(*) FROM audit_events WHERE subject_id = $1 AND action = 'attachment.read' AND detail = 'case bytes ' || $2::text",
            cast.ColleagueId, colleaguesFile));
    }
}
