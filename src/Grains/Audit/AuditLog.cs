using System.Collections.Concurrent;
using HealthActors.Grains.Abstractions.Audit;
using Npgsql;

namespace HealthActors.Grains.Audit;

public sealed record AuditEvent(
    DateTimeOffset At,
    Guid ActorId,
    string ActorRole,
    string Action,
    Guid? SubjectId,
    string? Detail);

/// <summary>Append-only record of who read or changed someone else's data.</summary>
public interface IAuditLog
{
    /// <summary>Completes only once the event is durable; callers reveal data only after it returns.</summary>
    Task Record(AuditEvent e, CancellationToken ct = default);

    Task<IReadOnlyList<AuditEvent>> ForSubject(Guid subjectId, int limit, CancellationToken ct = default);

    /// <summary>Newest first, keyset on (at, id): at most <c>query.Limit</c> events strictly before the query's position.</summary>
    Task<IReadOnlyList<StoredAuditEvent>> Page(AuditQuery query, CancellationToken ct = default);
}

/// <summary>An event with the id the log gave it, for keyset paging.</summary>
public sealed record StoredAuditEvent(long Id, AuditEvent Event);

public sealed class PostgresAuditLog(NpgsqlDataSource db) : IAuditLog
{
    public async Task Record(AuditEvent e, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "INSERT INTO audit_events (at, actor_id, actor_role, action, subject_id, detail) VALUES ($1, $2, $3, $4, $5, $6)");
        cmd.Parameters.AddWithValue(e.At.UtcDateTime);
        cmd.Parameters.AddWithValue(e.ActorId);
        cmd.Parameters.AddWithValue(e.ActorRole);
        cmd.Parameters.AddWithValue(e.Action);
        cmd.Parameters.AddWithValue((object?)e.SubjectId ?? DBNull.Value);
        cmd.Parameters.AddWithValue((object?)e.Detail ?? DBNull.Value);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<AuditEvent>> ForSubject(Guid subjectId, int limit, CancellationToken ct = default)
    {
        await using var cmd = db.CreateCommand(
            "SELECT at, actor_id, actor_role, action, subject_id, detail FROM audit_events WHERE subject_id = $1 ORDER BY at DESC, id DESC LIMIT $2");
        cmd.Parameters.AddWithValue(subjectId);
        cmd.Parameters.AddWithValue(limit);
        var list = new List<AuditEvent>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new AuditEvent(
                new DateTimeOffset(r.GetDateTime(0), TimeSpan.Zero), r.GetGuid(1), r.GetString(2), r.GetString(3),
                r.IsDBNull(4) ? null : r.GetGuid(4), r.IsDBNull(5) ? null : r.GetString(5)));
        return list;
    }

    public async Task<IReadOnlyList<StoredAuditEvent>> Page(AuditQuery q, CancellationToken ct = default)
    {
        // Null filters switch themselves off, so one statement (and one plan per shape) serves both readers.
        await using var cmd = db.CreateCommand("""
            SELECT id, at, actor_id, actor_role, action, subject_id, detail FROM audit_events
            WHERE ($1::uuid IS NULL OR subject_id = $1)
              AND ($2::timestamptz IS NULL OR at >= $2)
              AND ($3::timestamptz IS NULL OR at < $3)
              AND ($4::timestamptz IS NULL OR (at, id) < ($4, $5))
            ORDER BY at DESC, id DESC
            LIMIT $6
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)q.SubjectId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)q.From?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)q.To?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)q.BeforeAt?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)q.BeforeId ?? long.MaxValue, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        cmd.Parameters.AddWithValue(q.Limit);
        var list = new List<StoredAuditEvent>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new StoredAuditEvent(r.GetInt64(0), new AuditEvent(
                new DateTimeOffset(r.GetDateTime(1), TimeSpan.Zero), r.GetGuid(2), r.GetString(3), r.GetString(4),
                r.IsDBNull(5) ? null : r.GetGuid(5), r.IsDBNull(6) ? null : r.GetString(6))));
        return list;
    }
}

/// <summary>
/// The embedded, storage-less development mode only: events live in process memory (bounded) and vanish
/// with it. Any deployment with PostgreSQL configured uses <see cref="PostgresAuditLog"/>.
/// </summary>
public sealed class InMemoryAuditLog : IAuditLog
{
    private const int Capacity = 10_000;
    private readonly ConcurrentQueue<StoredAuditEvent> _events = new();
    private long _lastId;

    public Task Record(AuditEvent e, CancellationToken ct = default)
    {
        _events.Enqueue(new StoredAuditEvent(Interlocked.Increment(ref _lastId), e));
        while (_events.Count > Capacity) _events.TryDequeue(out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditEvent>> ForSubject(Guid subjectId, int limit, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<AuditEvent>>(_events.Where(e => e.Event.SubjectId == subjectId).Reverse().Take(limit).Select(e => e.Event).ToList());

    public Task<IReadOnlyList<StoredAuditEvent>> Page(AuditQuery q, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<StoredAuditEvent>>(_events
            .Where(s => (q.SubjectId is null || s.Event.SubjectId == q.SubjectId)
                && (q.From is null || s.Event.At >= q.From) && (q.To is null || s.Event.At < q.To)
                && (q.BeforeAt is null || s.Event.At < q.BeforeAt || (s.Event.At == q.BeforeAt && s.Id < (q.BeforeId ?? long.MaxValue))))
            .OrderByDescending(s => s.Event.At).ThenByDescending(s => s.Id)
            .Take(q.Limit)
            .ToList());
}
