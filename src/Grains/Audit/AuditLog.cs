using System.Collections.Concurrent;
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
}

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
}

/// <summary>
/// The embedded, storage-less development mode only: events live in process memory (bounded) and vanish
/// with it. Any deployment with PostgreSQL configured uses <see cref="PostgresAuditLog"/>.
/// </summary>
public sealed class InMemoryAuditLog : IAuditLog
{
    private const int Capacity = 10_000;
    private readonly ConcurrentQueue<AuditEvent> _events = new();

    public Task Record(AuditEvent e, CancellationToken ct = default)
    {
        _events.Enqueue(e);
        while (_events.Count > Capacity) _events.TryDequeue(out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditEvent>> ForSubject(Guid subjectId, int limit, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<AuditEvent>>(_events.Where(e => e.SubjectId == subjectId).Reverse().Take(limit).ToList());
}
