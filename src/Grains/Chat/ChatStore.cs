using System.Collections.Concurrent;
using HealthActors.Grains.Abstractions.Chat;
using Npgsql;

namespace HealthActors.Grains.Chat;

/// <summary>The append-only message archive. Every read is scoped to the owner.</summary>
public interface IChatStore
{
    Task CreateConversation(ConversationInfo info);
    /// <summary>Completes once the message is durable.</summary>
    Task Append(ChatMessage message, Guid ownerId);
    /// <summary>
    /// A whole turn, the patient's message and the answer, in one transaction: completes once both are durable;
    /// on failure neither is stored.
    /// </summary>
    Task AppendTurn(ChatMessage user, ChatMessage answer, Guid ownerId);
    Task<IReadOnlyList<ChatMessage>> Latest(Guid conversationId, int count);
    Task<IReadOnlyList<ChatMessage>> Range(Guid conversationId, int afterSeq, int throughSeq);
    Task DeleteConversation(Guid conversationId, Guid ownerId);
    Task<Page<ConversationInfo>> List(Guid ownerId, int page, int pageSize);
    Task<IReadOnlyList<ChatMessage>?> Messages(Guid ownerId, Guid conversationId, int? beforeSeq, int limit);
    Task<IReadOnlyList<SearchHit>> Search(Guid ownerId, string query, int limit);
}

public sealed class PostgresChatStore(NpgsqlDataSource db) : IChatStore
{
    private const string MessageColumns = "id, conversation_id, seq, role, content, created_at, source, degraded, red_flag";

    public async Task CreateConversation(ConversationInfo c)
    {
        await using var cmd = db.CreateCommand(
            "INSERT INTO chat_conversations (id, owner_id, title, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) ON CONFLICT (id) DO NOTHING");
        cmd.Parameters.AddWithValue(c.Id);
        cmd.Parameters.AddWithValue(c.OwnerId);
        cmd.Parameters.AddWithValue(c.Title);
        cmd.Parameters.AddWithValue(c.CreatedAt.UtcDateTime);
        await cmd.ExecuteNonQueryAsync();
    }

    public Task Append(ChatMessage m, Guid ownerId) => Write([m], ownerId);

    public Task AppendTurn(ChatMessage user, ChatMessage answer, Guid ownerId) => Write([user, answer], ownerId);

    private const int InsertParameters = 11;

    // The INSERT for a message alone and for a turn's two, built once: the text is the same on every call.
    private static readonly string[] InsertSql = [.. Enumerable.Range(1, 2).Select(rows =>
        "INSERT INTO chat_messages (id, conversation_id, owner_id, seq, role, content, source, degraded, created_at, red_flag, search_language) VALUES " +
        string.Join(", ", Enumerable.Range(0, rows).Select(i =>
            "(" + string.Join(", ", Enumerable.Range(i * InsertParameters + 1, InsertParameters).Select(n => "$" + n)) + ")")))];

    private async Task Write(ChatMessage[] messages, Guid ownerId)
    {
        // The messages as one multi-row INSERT and the conversation's counter as one UPDATE, in one batch: one round
        // trip and one implicit transaction (PostgreSQL runs everything before the batch's single Sync as one), so the
        // messages and the counter commit together, with one WAL flush for a whole turn. They replaced one
        // data-modifying CTE whose UPDATE ... FROM join PostgreSQL planned afresh on every execution (custom plans;
        // planning was about a tenth of PostgreSQL's CPU per chat turn), where these settle on a cached generic plan
        // once Npgsql has prepared them (one plan per row count: a message alone, or a turn's two).
        await using var batch = db.CreateBatch();
        var insert = new NpgsqlBatchCommand(InsertSql[messages.Length - 1]);
        foreach (var m in messages)
        {
            insert.Parameters.AddWithValue(m.Id);
            insert.Parameters.AddWithValue(m.ConversationId);
            insert.Parameters.AddWithValue(ownerId);
            insert.Parameters.AddWithValue(m.Seq);
            insert.Parameters.AddWithValue(m.Role);
            insert.Parameters.AddWithValue(m.Content);
            insert.Parameters.AddWithValue((object?)m.Source ?? DBNull.Value);
            insert.Parameters.AddWithValue(m.Degraded);
            insert.Parameters.AddWithValue(m.CreatedAt.UtcDateTime);
            insert.Parameters.AddWithValue((object?)m.RedFlag ?? DBNull.Value);
            insert.Parameters.AddWithValue(SearchLanguage(m.Content));
        }
        batch.BatchCommands.Add(insert);
        var counter = new NpgsqlBatchCommand("UPDATE chat_conversations SET updated_at = $2, message_count = message_count + $3 WHERE id = $1");
        counter.Parameters.AddWithValue(messages[^1].ConversationId);
        counter.Parameters.AddWithValue(messages[^1].CreatedAt.UtcDateTime);
        counter.Parameters.AddWithValue(messages.Length);
        batch.BatchCommands.Add(counter);
        await batch.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The stemmer a message is indexed under (migration 023): one per message, guessed from its own text, since a
    /// patient may write in either language whatever the profile says. Search asks in both, so a guess that goes
    /// wrong costs only the other language's inflections of that message's words.
    /// </summary>
    public static string SearchLanguage(string content) => OfflineAssistant.Language(content, preferred: null);

    public async Task<IReadOnlyList<ChatMessage>> Latest(Guid conversationId, int count)
    {
        await using var cmd = db.CreateCommand(
            $"SELECT * FROM (SELECT {MessageColumns} FROM chat_messages WHERE conversation_id = $1 ORDER BY seq DESC LIMIT $2) t ORDER BY seq");
        cmd.Parameters.AddWithValue(conversationId);
        cmd.Parameters.AddWithValue(count);
        return await ReadMessages(cmd);
    }

    public async Task<IReadOnlyList<ChatMessage>> Range(Guid conversationId, int afterSeq, int throughSeq)
    {
        await using var cmd = db.CreateCommand(
            $"SELECT {MessageColumns} FROM chat_messages WHERE conversation_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq");
        cmd.Parameters.AddWithValue(conversationId);
        cmd.Parameters.AddWithValue(afterSeq);
        cmd.Parameters.AddWithValue(throughSeq);
        return await ReadMessages(cmd);
    }

    public async Task DeleteConversation(Guid conversationId, Guid ownerId)
    {
        await using var cmd = db.CreateCommand("DELETE FROM chat_conversations WHERE id = $1 AND owner_id = $2");
        cmd.Parameters.AddWithValue(conversationId);
        cmd.Parameters.AddWithValue(ownerId);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<Page<ConversationInfo>> List(Guid ownerId, int page, int pageSize)
    {
        await using var cmd = db.CreateCommand("""
            SELECT id, owner_id, title, created_at, updated_at, message_count FROM chat_conversations
            WHERE owner_id = $1 ORDER BY updated_at DESC, id LIMIT $2 OFFSET $3
            """);
        cmd.Parameters.AddWithValue(ownerId);
        cmd.Parameters.AddWithValue(pageSize + 1);
        cmd.Parameters.AddWithValue((page - 1) * pageSize);
        var items = new List<ConversationInfo>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            items.Add(new ConversationInfo(r.GetGuid(0), r.GetGuid(1), r.GetString(2), Utc(r.GetDateTime(3)), Utc(r.GetDateTime(4)), r.GetInt32(5)));
        var hasMore = items.Count > pageSize;
        return new Page<ConversationInfo>(items.Take(pageSize).ToList(), page, pageSize, hasMore);
    }

    public async Task<IReadOnlyList<ChatMessage>?> Messages(Guid ownerId, Guid conversationId, int? beforeSeq, int limit)
    {
        await using (var owns = db.CreateCommand("SELECT 1 FROM chat_conversations WHERE id = $1 AND owner_id = $2"))
        {
            owns.Parameters.AddWithValue(conversationId);
            owns.Parameters.AddWithValue(ownerId);
            if (await owns.ExecuteScalarAsync() is null) return null;
        }
        await using var cmd = db.CreateCommand($"""
            SELECT * FROM (SELECT {MessageColumns} FROM chat_messages
                           WHERE conversation_id = $1 AND owner_id = $2 AND seq < $3 ORDER BY seq DESC LIMIT $4) t
            ORDER BY seq
            """);
        cmd.Parameters.AddWithValue(conversationId);
        cmd.Parameters.AddWithValue(ownerId);
        cmd.Parameters.AddWithValue(beforeSeq ?? int.MaxValue);
        cmd.Parameters.AddWithValue(limit);
        return await ReadMessages(cmd);
    }

    public async Task<IReadOnlyList<SearchHit>> Search(Guid ownerId, string query, int limit)
    {
        await using var cmd = db.CreateCommand("""
            WITH q AS (SELECT websearch_to_tsquery('english', $2) || websearch_to_tsquery('spanish', $2) AS query)
            SELECT m.conversation_id, m.id, m.role,
                   ts_headline('simple', m.content, plainto_tsquery('simple', $2), 'MaxWords=20, MinWords=8, StartSel=«, StopSel=»'),
                   m.created_at, ts_rank(m.search, q.query)
            FROM chat_messages m, q
            WHERE m.owner_id = $1 AND m.search @@ q.query
            ORDER BY ts_rank(m.search, q.query) DESC, m.created_at DESC
            LIMIT $3
            """);
        cmd.Parameters.AddWithValue(ownerId);
        cmd.Parameters.AddWithValue(query);
        cmd.Parameters.AddWithValue(limit);
        var hits = new List<SearchHit>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            hits.Add(new SearchHit(r.GetGuid(0), r.GetGuid(1), r.GetString(2), r.GetString(3), Utc(r.GetDateTime(4)), r.GetFloat(5)));
        return hits;
    }

    private static async Task<IReadOnlyList<ChatMessage>> ReadMessages(NpgsqlCommand cmd)
    {
        var list = new List<ChatMessage>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            list.Add(new ChatMessage(r.GetGuid(0), r.GetGuid(1), r.GetInt32(2), r.GetString(3), r.GetString(4), Utc(r.GetDateTime(5)),
                r.IsDBNull(6) ? null : r.GetString(6), r.GetBoolean(7), r.IsDBNull(8) ? null : r.GetString(8)));
        return list;
    }

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
}

/// <summary>The embedded, storage-less development mode only: messages live in process memory.</summary>
public sealed class InMemoryChatStore : IChatStore
{
    private readonly ConcurrentDictionary<Guid, (ConversationInfo Info, List<ChatMessage> Messages)> _conversations = new();

    public Task CreateConversation(ConversationInfo info)
    {
        _conversations.TryAdd(info.Id, (info, []));
        return Task.CompletedTask;
    }

    public Task Append(ChatMessage m, Guid ownerId) => Add([m]);

    public Task AppendTurn(ChatMessage user, ChatMessage answer, Guid ownerId) => Add([user, answer]);

    private Task Add(ChatMessage[] messages)
    {
        var c = _conversations[messages[0].ConversationId];
        lock (c.Messages)
        {
            c.Messages.AddRange(messages);
            _conversations[c.Info.Id] = (c.Info with { UpdatedAt = messages[^1].CreatedAt, MessageCount = c.Messages.Count }, c.Messages);
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ChatMessage>> Latest(Guid conversationId, int count) =>
        Task.FromResult(Snapshot(conversationId).TakeLast(count).ToList() as IReadOnlyList<ChatMessage>);

    public Task<IReadOnlyList<ChatMessage>> Range(Guid conversationId, int afterSeq, int throughSeq) =>
        Task.FromResult(Snapshot(conversationId).Where(m => m.Seq > afterSeq && m.Seq <= throughSeq).ToList() as IReadOnlyList<ChatMessage>);

    public Task DeleteConversation(Guid conversationId, Guid ownerId)
    {
        if (_conversations.TryGetValue(conversationId, out var c) && c.Info.OwnerId == ownerId) _conversations.TryRemove(conversationId, out _);
        return Task.CompletedTask;
    }

    public Task<Page<ConversationInfo>> List(Guid ownerId, int page, int pageSize)
    {
        var mine = _conversations.Values.Select(c => c.Info).Where(i => i.OwnerId == ownerId)
            .OrderByDescending(i => i.UpdatedAt).ThenBy(i => i.Id).Skip((page - 1) * pageSize).Take(pageSize + 1).ToList();
        return Task.FromResult(new Page<ConversationInfo>(mine.Take(pageSize).ToList(), page, pageSize, mine.Count > pageSize));
    }

    public Task<IReadOnlyList<ChatMessage>?> Messages(Guid ownerId, Guid conversationId, int? beforeSeq, int limit)
    {
        if (!_conversations.TryGetValue(conversationId, out var c) || c.Info.OwnerId != ownerId) return Task.FromResult<IReadOnlyList<ChatMessage>?>(null);
        return Task.FromResult<IReadOnlyList<ChatMessage>?>(Snapshot(conversationId).Where(m => m.Seq < (beforeSeq ?? int.MaxValue)).TakeLast(limit).ToList());
    }

    public Task<IReadOnlyList<SearchHit>> Search(Guid ownerId, string query, int limit) =>
        Task.FromResult<IReadOnlyList<SearchHit>>(_conversations.Values.Where(c => c.Info.OwnerId == ownerId)
            .SelectMany(c => Snapshot(c.Info.Id))
            .Where(m => m.Content.Contains(query, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(m => m.CreatedAt).Take(limit)
            .Select(m => new SearchHit(m.ConversationId, m.Id, m.Role, m.Content.Length > 160 ? m.Content[..160] : m.Content, m.CreatedAt, 1))
            .ToList());

    private List<ChatMessage> Snapshot(Guid conversationId)
    {
        if (!_conversations.TryGetValue(conversationId, out var c)) return [];
        lock (c.Messages) return [.. c.Messages];
    }
}
