using HealthActors.Grains.Abstractions.Chat;
using HealthActors.Grains.Chat;
using HealthActors.Grains.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace HealthActors.Tests.Chat;

/// <summary>
/// The PostgreSQL message archive: one search vector per message in the message's own language (migration 023),
/// found from either language, and the conversation's counter committed with each message.
/// </summary>
public sealed class ChatStoreTests
{
    private static async Task<(PostgresChatStore Store, Guid Owner, Guid Conversation)> NewConversation(NpgsqlDataSource db)
    {
        var store = new PostgresChatStore(db);
        var owner = Guid.NewGuid();
        var id = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        await store.CreateConversation(new ConversationInfo(id, owner, "t", now, now, 0));
        return (store, owner, id);
    }

    private static ChatMessage Message(Guid conversation, int seq, string role, string text) =>
        new(Guid.NewGuid(), conversation, seq, role, text, DateTimeOffset.UtcNow.AddSeconds(seq), role == ChatRoles.Assistant ? AnswerSources.Model : null, false, null);

    private static async Task<T> Scalar<T>(NpgsqlDataSource db, string sql, params object[] args)
    {
        await using var cmd = db.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.AddWithValue(a);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Each_message_is_indexed_once_in_its_own_language_and_found_from_either()
    {
        await using var db = NpgsqlDataSource.Create(TestEnvironment.Postgres);
        await SchemaMigrator.ApplyAsync(db, NullLogger.Instance);
        var (store, owner, id) = await NewConversation(db);
        var es = Message(id, 1, ChatRoles.User, "Tengo dolores de cabeza por la mañana");
        var en = Message(id, 2, ChatRoles.Assistant, "My headaches are worse at night and the pain wakes me");
        await store.Append(es, owner);
        await store.Append(en, owner);

        const string language = "SELECT search_language FROM chat_messages WHERE id = $1";
        Assert.Equal("es", await Scalar<string>(db, language, es.Id));
        Assert.Equal("en", await Scalar<string>(db, language, en.Id));
        // One vector, not both: the Spanish message is exactly its Spanish vector, the English one its English vector.
        Assert.True(await Scalar<bool>(db, "SELECT search = to_tsvector('spanish', content) FROM chat_messages WHERE id = $1", es.Id));
        Assert.True(await Scalar<bool>(db, "SELECT search = to_tsvector('english', content) FROM chat_messages WHERE id = $1", en.Id));

        // Stemmed either way round: "dolor" finds "dolores", "headache" finds "headaches".
        Assert.Contains(await store.Search(owner, "dolor", 10), h => h.MessageId == es.Id);
        Assert.Contains(await store.Search(owner, "headache", 10), h => h.MessageId == en.Id);
        Assert.DoesNotContain(await store.Search(owner, "headache", 10), h => h.MessageId == es.Id);

        // The counter and the last activity are written in the same batch as each message.
        Assert.Equal(2, await Scalar<int>(db, "SELECT message_count FROM chat_conversations WHERE id = $1", id));
        Assert.True(await Scalar<bool>(db,
            "SELECT c.updated_at = (SELECT max(created_at) FROM chat_messages WHERE conversation_id = c.id) FROM chat_conversations c WHERE c.id = $1", id));
    }

    [Fact]
    public async Task The_message_and_the_counter_commit_together_or_not_at_all()
    {
        await using var db = NpgsqlDataSource.Create(TestEnvironment.Postgres);
        await SchemaMigrator.ApplyAsync(db, NullLogger.Instance);
        var (store, owner, id) = await NewConversation(db);
        await store.Append(Message(id, 1, ChatRoles.User, "first"), owner);

        // A counter at its ceiling makes the batch's second statement (the UPDATE) fail after its INSERT succeeded:
        // the message must not stay behind without its counter.
        await using (var full = db.CreateCommand("UPDATE chat_conversations SET message_count = 2147483647 WHERE id = $1"))
        {
            full.Parameters.AddWithValue(id);
            await full.ExecuteNonQueryAsync();
        }
        var second = Message(id, 2, ChatRoles.Assistant, "second");
        var e = await Assert.ThrowsAsync<PostgresException>(() => store.Append(second, owner));
        Assert.Equal(PostgresErrorCodes.NumericValueOutOfRange, e.SqlState);
        Assert.Equal(0L, await Scalar<long>(db, "SELECT count(*) FROM chat_messages WHERE id = $1", second.Id));

        // And a failing INSERT (the same seq twice) leaves the counter alone.
        await using (var reset = db.CreateCommand("UPDATE chat_conversations SET message_count = 1 WHERE id = $1"))
        {
            reset.Parameters.AddWithValue(id);
            await reset.ExecuteNonQueryAsync();
        }
        await Assert.ThrowsAsync<PostgresException>(() => store.Append(Message(id, 1, ChatRoles.User, "again"), owner));
        Assert.Equal(1, await Scalar<int>(db, "SELECT message_count FROM chat_conversations WHERE id = $1", id));
    }

    [Fact]
    public async Task A_turn_commits_both_messages_and_the_counter_in_one_transaction_or_none()
    {
        await using var db = NpgsqlDataSource.Create(TestEnvironment.Postgres);
        await SchemaMigrator.ApplyAsync(db, NullLogger.Instance);
        var (store, owner, id) = await NewConversation(db);
        var user = Message(id, 1, ChatRoles.User, "Me duele la rodilla desde ayer");
        var answer = Message(id, 2, ChatRoles.Assistant, "Rest the knee and keep it raised");
        await store.AppendTurn(user, answer, owner);

        Assert.Equal(1L, await Scalar<long>(db, "SELECT count(DISTINCT xmin::text) FROM chat_messages WHERE conversation_id = $1", id));
        Assert.Equal("user,assistant", await Scalar<string>(db, "SELECT string_agg(role, ',' ORDER BY seq) FROM chat_messages WHERE conversation_id = $1", id));
        // Each row keeps its own language and the conversation's last activity is the answer's.
        const string language = "SELECT search_language FROM chat_messages WHERE id = $1";
        Assert.Equal("es", await Scalar<string>(db, language, user.Id));
        Assert.Equal("en", await Scalar<string>(db, language, answer.Id));
        Assert.Equal(2, await Scalar<int>(db, "SELECT message_count FROM chat_conversations WHERE id = $1", id));
        Assert.True(await Scalar<bool>(db, "SELECT c.updated_at = m.created_at FROM chat_conversations c, chat_messages m WHERE c.id = $1 AND m.id = $2", id, answer.Id));

        // A counter that cannot take two more makes the UPDATE fail after the INSERT succeeded: neither message stays.
        await using (var full = db.CreateCommand("UPDATE chat_conversations SET message_count = 2147483646 WHERE id = $1"))
        {
            full.Parameters.AddWithValue(id);
            await full.ExecuteNonQueryAsync();
        }
        var next = (Message(id, 3, ChatRoles.User, "third"), Message(id, 4, ChatRoles.Assistant, "fourth"));
        var e = await Assert.ThrowsAsync<PostgresException>(() => store.AppendTurn(next.Item1, next.Item2, owner));
        Assert.Equal(PostgresErrorCodes.NumericValueOutOfRange, e.SqlState);
        Assert.Equal(2L, await Scalar<long>(db, "SELECT count(*) FROM chat_messages WHERE conversation_id = $1", id));
    }

    /// <summary>
    /// A database at migration 022 with messages in it (both vectors, no language) migrates to 023 and its old
    /// messages keep both vectors, so what searches found before still finds them.
    /// </summary>
    [Fact]
    public async Task Messages_written_before_migration_023_keep_both_languages_and_stay_searchable()
    {
        await using var scratch = await ScratchDatabase.CreateAsync("ha_chat023");
        var db = scratch.Db;
        await using (var setup = db.CreateCommand(
            "CREATE TABLE schema_migrations (id varchar(200) PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"))
            await setup.ExecuteNonQueryAsync();
        foreach (var (script, sql) in SchemaMigrator.Scripts().Where(s => string.CompareOrdinal(s.Id, "023") < 0))
        {
            await using (var cmd = db.CreateCommand(sql)) await cmd.ExecuteNonQueryAsync();
            await using var mark = db.CreateCommand("INSERT INTO schema_migrations (id) VALUES ($1)");
            mark.Parameters.AddWithValue(script);
            await mark.ExecuteNonQueryAsync();
        }
        var owner = Guid.NewGuid();
        var conversation = Guid.NewGuid();
        var old = Guid.NewGuid();
        await using (var insert = db.CreateCommand("INSERT INTO chat_conversations (id, owner_id, title, created_at, updated_at) VALUES ($1, $2, 't', now(), now())"))
        {
            insert.Parameters.AddWithValue(conversation);
            insert.Parameters.AddWithValue(owner);
            await insert.ExecuteNonQueryAsync();
        }
        await using (var insert = db.CreateCommand("""
            INSERT INTO chat_messages (id, conversation_id, owner_id, seq, role, content, created_at)
            VALUES ($3, $1, $2, 1, 'user', 'Tengo dolores de cabeza', now())
            """))
        {
            insert.Parameters.AddWithValue(conversation);
            insert.Parameters.AddWithValue(owner);
            insert.Parameters.AddWithValue(old);
            await insert.ExecuteNonQueryAsync();
        }

        Assert.True(await SchemaMigrator.ApplyAsync(db, NullLogger.Instance) >= 1);

        Assert.True(await Scalar<bool>(db,
            "SELECT search_language IS NULL AND search = to_tsvector('english', content) || to_tsvector('spanish', content) FROM chat_messages WHERE id = $1", old));
        var store = new PostgresChatStore(db);
        Assert.Contains(await store.Search(owner, "dolor", 10), h => h.MessageId == old);
        // And the migrated table takes new messages with their language.
        var fresh = Message(conversation, 2, ChatRoles.User, "My headaches are worse at night");
        await store.Append(fresh, owner);
        Assert.Equal("en", await Scalar<string>(db, "SELECT search_language FROM chat_messages WHERE id = $1", fresh.Id));
        Assert.Contains(await store.Search(owner, "headache", 10), h => h.MessageId == fresh.Id);
    }
}
