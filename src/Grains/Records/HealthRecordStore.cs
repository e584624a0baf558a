using System.Collections.Concurrent;
using HealthActors.Grains.Abstractions.Records;
using Npgsql;
using NpgsqlTypes;

namespace HealthActors.Grains.Records;

/// <summary>One row of the append-only table: a record's version.</summary>
public sealed record RecordRow(Guid PatientId, HealthRecord Record, bool Deleted);

public interface IHealthRecordStore
{
    /// <summary>Appends the rows in one transaction: all of them or none.</summary>
    Task Append(IReadOnlyList<RecordRow> rows);
    /// <summary>The latest version of a record of this patient and kind, deleted or not; null when there is none.</summary>
    Task<RecordRow?> Latest(Guid patientId, string kind, Guid id);
    Task<IReadOnlyList<HealthRecord>> List(Guid patientId, RecordQuery query);
    /// <summary>A live record equal to the draft whose time lies within the window of it, other than <paramref name="except"/>.</summary>
    Task<Guid?> FindDuplicate(Guid patientId, RecordDraft draft, TimeSpan window, Guid? except);
    /// <summary>The newest live record of each type of a kind.</summary>
    Task<IReadOnlyList<HealthRecord>> NewestPerType(Guid patientId, string kind);
}

public sealed class PostgresHealthRecordStore(NpgsqlDataSource db) : IHealthRecordStore
{
    private const string Columns = "h.record_id, h.kind, h.type, h.recorded_at, h.payload::text, h.note, h.created_at, h.version";
    // A row is live when no later version of its record exists and it is not a deletion.
    private const string Live = "NOT h.deleted AND NOT EXISTS (SELECT 1 FROM health_records n WHERE n.record_id = h.record_id AND n.version > h.version)";

    public async Task Append(IReadOnlyList<RecordRow> rows)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using var batch = new NpgsqlBatch(conn, tx);
        foreach (var (patientId, r, deleted) in rows)
        {
            var cmd = new NpgsqlBatchCommand("""
                INSERT INTO health_records (record_id, version, patient_id, kind, type, recorded_at, payload, note, deleted, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                """);
            cmd.Parameters.AddWithValue(r.Id);
            cmd.Parameters.AddWithValue(r.Version);
            cmd.Parameters.AddWithValue(patientId);
            cmd.Parameters.AddWithValue(r.Kind);
            cmd.Parameters.AddWithValue((object?)r.Type ?? DBNull.Value);
            cmd.Parameters.AddWithValue(r.RecordedAt.UtcDateTime);
            cmd.Parameters.Add(new NpgsqlParameter { Value = r.Payload, NpgsqlDbType = NpgsqlDbType.Jsonb });
            cmd.Parameters.AddWithValue((object?)r.Note ?? DBNull.Value);
            cmd.Parameters.AddWithValue(deleted);
            cmd.Parameters.AddWithValue(r.CreatedAt.UtcDateTime);
            batch.BatchCommands.Add(cmd);
        }
        await batch.ExecuteNonQueryAsync();
        await tx.CommitAsync();
    }

    public async Task<RecordRow?> Latest(Guid patientId, string kind, Guid id)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT {Columns}, h.deleted FROM health_records h
            WHERE h.record_id = $1 AND h.patient_id = $2 AND h.kind = $3 ORDER BY h.version DESC LIMIT 1
            """);
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(patientId);
        cmd.Parameters.AddWithValue(kind);
        await using var r = await cmd.ExecuteReaderAsync();
        return await r.ReadAsync() ? new RecordRow(patientId, Read(r), r.GetBoolean(8)) : null;
    }

    public async Task<IReadOnlyList<HealthRecord>> List(Guid patientId, RecordQuery q)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT {Columns} FROM health_records h
            WHERE h.patient_id = $1 AND h.kind = $2
              AND ($3::varchar IS NULL OR h.type = $3)
              AND ($4::timestamptz IS NULL OR h.recorded_at >= $4)
              AND ($5::timestamptz IS NULL OR h.recorded_at <= $5)
              AND ($6::timestamptz IS NULL OR (h.recorded_at, h.record_id) < ($6, $7::uuid))
              AND {Live}
            ORDER BY h.recorded_at DESC, h.record_id DESC
            LIMIT $8
            """);
        cmd.Parameters.AddWithValue(patientId);
        cmd.Parameters.AddWithValue(q.Kind);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)q.Type ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)q.From?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)q.To?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)q.AfterRecordedAt?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)q.AfterId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        cmd.Parameters.AddWithValue(q.Limit);
        return await ReadAll(cmd);
    }

    public async Task<Guid?> FindDuplicate(Guid patientId, RecordDraft d, TimeSpan window, Guid? except)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT h.record_id FROM health_records h
            WHERE h.patient_id = $1 AND h.kind = $2 AND h.type IS NOT DISTINCT FROM $3::varchar
              AND h.recorded_at BETWEEN $4 AND $5 AND h.payload = $6
              AND ($7::uuid IS NULL OR h.record_id <> $7)
              AND {Live}
            ORDER BY abs(extract(epoch FROM h.recorded_at - $8)) LIMIT 1
            """);
        cmd.Parameters.AddWithValue(patientId);
        cmd.Parameters.AddWithValue(d.Kind);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)d.Type ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
        cmd.Parameters.AddWithValue((d.RecordedAt - window).UtcDateTime);
        cmd.Parameters.AddWithValue((d.RecordedAt + window).UtcDateTime);
        cmd.Parameters.Add(new NpgsqlParameter { Value = d.Payload, NpgsqlDbType = NpgsqlDbType.Jsonb });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)except ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        cmd.Parameters.AddWithValue(d.RecordedAt.UtcDateTime);
        return await cmd.ExecuteScalarAsync() is Guid id ? id : null;
    }

    public async Task<IReadOnlyList<HealthRecord>> NewestPerType(Guid patientId, string kind)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT DISTINCT ON (h.type) {Columns} FROM health_records h
            WHERE h.patient_id = $1 AND h.kind = $2 AND h.type IS NOT NULL AND {Live}
            ORDER BY h.type, h.recorded_at DESC, h.record_id DESC
            """);
        cmd.Parameters.AddWithValue(patientId);
        cmd.Parameters.AddWithValue(kind);
        return await ReadAll(cmd);
    }

    private static async Task<IReadOnlyList<HealthRecord>> ReadAll(NpgsqlCommand cmd)
    {
        var list = new List<HealthRecord>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add(Read(r));
        return list;
    }

    private static HealthRecord Read(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), Utc(r.GetDateTime(3)), r.GetString(4),
        r.IsDBNull(5) ? null : r.GetString(5), Utc(r.GetDateTime(6)), r.GetInt32(7));

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
}

/// <summary>The embedded mode's store: the same rules over a list, lost when the process stops.</summary>
public sealed class InMemoryHealthRecordStore : IHealthRecordStore
{
    private readonly ConcurrentQueue<RecordRow> _rows = new();
    private readonly Lock _append = new();

    public Task Append(IReadOnlyList<RecordRow> rows)
    {
        lock (_append) foreach (var row in rows) _rows.Enqueue(row);
        return Task.CompletedTask;
    }

    private IEnumerable<RecordRow> LatestRows(Guid patientId, string kind) =>
        _rows.Where(r => r.PatientId == patientId && r.Record.Kind == kind)
            .GroupBy(r => r.Record.Id)
            .Select(g => g.MaxBy(r => r.Record.Version)!);

    private IEnumerable<HealthRecord> LiveRecords(Guid patientId, string kind) =>
        LatestRows(patientId, kind).Where(r => !r.Deleted).Select(r => r.Record);

    /// <summary>A patient's live records of a kind, for the in-memory insights.</summary>
    public IEnumerable<HealthRecord> Live(Guid patientId, string kind) => LiveRecords(patientId, kind);

    // PostgreSQL orders uuids by their bytes, which is the order of their hex text.
    private static int CompareIds(Guid a, Guid b) => string.CompareOrdinal(a.ToString("N"), b.ToString("N"));

    public Task<RecordRow?> Latest(Guid patientId, string kind, Guid id) =>
        Task.FromResult(LatestRows(patientId, kind).FirstOrDefault(r => r.Record.Id == id));

    public Task<IReadOnlyList<HealthRecord>> List(Guid patientId, RecordQuery q)
    {
        IReadOnlyList<HealthRecord> page = LiveRecords(patientId, q.Kind)
            .Where(r => (q.Type is null || r.Type == q.Type) && (q.From is null || r.RecordedAt >= q.From) && (q.To is null || r.RecordedAt <= q.To))
            .Where(r => q.AfterRecordedAt is not { } at
                || r.RecordedAt < at || (r.RecordedAt == at && CompareIds(r.Id, q.AfterId!.Value) < 0))
            .OrderByDescending(r => r.RecordedAt).ThenByDescending(r => r.Id.ToString("N"), StringComparer.Ordinal)
            .Take(q.Limit).ToList();
        return Task.FromResult(page);
    }

    public Task<Guid?> FindDuplicate(Guid patientId, RecordDraft d, TimeSpan window, Guid? except) =>
        Task.FromResult(LiveRecords(patientId, d.Kind)
            .Where(r => r.Type == d.Type && r.Payload == d.Payload && r.Id != except && (r.RecordedAt - d.RecordedAt).Duration() <= window)
            .Select(r => (Guid?)r.Id).FirstOrDefault());

    public Task<IReadOnlyList<HealthRecord>> NewestPerType(Guid patientId, string kind)
    {
        IReadOnlyList<HealthRecord> newest = LiveRecords(patientId, kind).Where(r => r.Type is not null)
            .GroupBy(r => r.Type).Select(g => g.MaxBy(r => r.RecordedAt)!).ToList();
        return Task.FromResult(newest);
    }
}
