using System.Collections.Concurrent;
using HealthActors.Grains.Abstractions.Alarms;
using Npgsql;
using NpgsqlTypes;

namespace HealthActors.Grains.Alarms;

public interface IAlarmStore
{
    /// <summary>Writes the alarm unless one exists for the same schedule and instant; true when this call wrote it.</summary>
    Task<bool> Insert(Guid patientId, Alarm alarm);
    /// <summary>Open alarms due by <paramref name="now"/> that have not been rung, oldest first.</summary>
    Task<IReadOnlyList<Alarm>> ToRing(Guid patientId, DateTimeOffset now, int limit);
    Task MarkRung(Guid alarmId, DateTimeOffset rungAt, bool late);
    /// <summary>Records an alarm found too long after its moment: missed, never rung.</summary>
    Task MarkMissed(Guid alarmId);
    /// <summary>The earliest open alarm not rung yet (custom alarms ahead, doses whose ringing was interrupted).</summary>
    Task<DateTimeOffset?> NextToRing(Guid patientId);
    Task<Alarm?> Get(Guid patientId, Guid alarmId);
    /// <summary>Sets the answer only while the alarm is open or missed; true when this call set it.</summary>
    Task<bool> Answer(Guid patientId, Guid alarmId, string status, DateTimeOffset at);
    Task<IReadOnlyList<Alarm>> List(Guid patientId, AlarmQuery query);
    /// <summary>Medication doses (not custom alarms) due in [from, to) and how many were taken or skipped.</summary>
    Task<Adherence> Adherence(Guid patientId, DateTimeOffset from, DateTimeOffset to);
}

public sealed class PostgresAlarmStore(NpgsqlDataSource db) : IAlarmStore
{
    private const string Columns = "alarm_id, schedule_id, medication_id, title, due_at, status, late, rung_at, answered_at, created_at";

    public async Task<bool> Insert(Guid patientId, Alarm a)
    {
        await using var cmd = db.CreateCommand($"""
            INSERT INTO medication_alarms ({Columns}, patient_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            ON CONFLICT DO NOTHING
            """);
        cmd.Parameters.AddWithValue(a.Id);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)a.ScheduleId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)a.MedicationId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        cmd.Parameters.AddWithValue(a.Title);
        cmd.Parameters.AddWithValue(a.DueAt.UtcDateTime);
        cmd.Parameters.AddWithValue(a.Status);
        cmd.Parameters.AddWithValue(a.Late);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)a.RungAt?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)a.AnsweredAt?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.AddWithValue(a.CreatedAt.UtcDateTime);
        cmd.Parameters.AddWithValue(patientId);
        return await cmd.ExecuteNonQueryAsync() == 1;
    }

    public async Task<IReadOnlyList<Alarm>> ToRing(Guid patientId, DateTimeOffset now, int limit)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT {Columns} FROM medication_alarms
            WHERE patient_id = $1 AND rung_at IS NULL AND status = 'open' AND due_at <= $2
            ORDER BY due_at, alarm_id LIMIT $3
            """);
        cmd.Parameters.AddWithValue(patientId);
        cmd.Parameters.AddWithValue(now.UtcDateTime);
        cmd.Parameters.AddWithValue(limit);
        return await ReadAll(cmd);
    }

    public async Task MarkRung(Guid alarmId, DateTimeOffset rungAt, bool late)
    {
        await using var cmd = db.CreateCommand("UPDATE medication_alarms SET rung_at = $2, late = $3 WHERE alarm_id = $1 AND rung_at IS NULL");
        cmd.Parameters.AddWithValue(alarmId);
        cmd.Parameters.AddWithValue(rungAt.UtcDateTime);
        cmd.Parameters.AddWithValue(late);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task MarkMissed(Guid alarmId)
    {
        await using var cmd = db.CreateCommand("UPDATE medication_alarms SET status = 'missed' WHERE alarm_id = $1 AND status = 'open' AND rung_at IS NULL");
        cmd.Parameters.AddWithValue(alarmId);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<DateTimeOffset?> NextToRing(Guid patientId)
    {
        await using var cmd = db.CreateCommand("SELECT min(due_at) FROM medication_alarms WHERE patient_id = $1 AND rung_at IS NULL AND status = 'open'");
        cmd.Parameters.AddWithValue(patientId);
        return await cmd.ExecuteScalarAsync() is DateTime t ? Utc(t) : null;
    }

    public async Task<Alarm?> Get(Guid patientId, Guid alarmId)
    {
        await using var cmd = db.CreateCommand($"SELECT {Columns} FROM medication_alarms WHERE alarm_id = $1 AND patient_id = $2");
        cmd.Parameters.AddWithValue(alarmId);
        cmd.Parameters.AddWithValue(patientId);
        return (await ReadAll(cmd)).FirstOrDefault();
    }

    public async Task<bool> Answer(Guid patientId, Guid alarmId, string status, DateTimeOffset at)
    {
        await using var cmd = db.CreateCommand("""
            UPDATE medication_alarms SET status = $3, answered_at = $4
            WHERE alarm_id = $1 AND patient_id = $2 AND status IN ('open', 'missed')
            """);
        cmd.Parameters.AddWithValue(alarmId);
        cmd.Parameters.AddWithValue(patientId);
        cmd.Parameters.AddWithValue(status);
        cmd.Parameters.AddWithValue(at.UtcDateTime);
        return await cmd.ExecuteNonQueryAsync() == 1;
    }

    public async Task<IReadOnlyList<Alarm>> List(Guid patientId, AlarmQuery q)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT {Columns} FROM medication_alarms
            WHERE patient_id = $1
              AND ($2::timestamptz IS NULL OR due_at >= $2)
              AND ($3::timestamptz IS NULL OR due_at <= $3)
              AND ($4::timestamptz IS NULL OR (due_at, alarm_id) > ($4, $5::uuid))
            ORDER BY due_at, alarm_id LIMIT $6
            """);
        cmd.Parameters.AddWithValue(patientId);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)q.From?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)q.To?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)q.AfterDueAt?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)q.AfterId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        cmd.Parameters.AddWithValue(q.Limit);
        return await ReadAll(cmd);
    }

    public async Task<Adherence> Adherence(Guid patientId, DateTimeOffset from, DateTimeOffset to)
    {
        await using var cmd = db.CreateCommand("""
            SELECT count(*)::int, (count(*) FILTER (WHERE status = 'taken'))::int, (count(*) FILTER (WHERE status = 'skipped'))::int
            FROM medication_alarms
            WHERE patient_id = $1 AND schedule_id IS NOT NULL AND due_at >= $2 AND due_at < $3
            """);
        cmd.Parameters.AddWithValue(patientId);
        cmd.Parameters.AddWithValue(from.UtcDateTime);
        cmd.Parameters.AddWithValue(to.UtcDateTime);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        return new Adherence(r.GetInt32(0), r.GetInt32(1), r.GetInt32(2));
    }

    private static async Task<IReadOnlyList<Alarm>> ReadAll(NpgsqlCommand cmd)
    {
        var list = new List<Alarm>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            list.Add(new Alarm(r.GetGuid(0), r.IsDBNull(1) ? null : r.GetGuid(1), r.IsDBNull(2) ? null : r.GetGuid(2), r.GetString(3),
                Utc(r.GetDateTime(4)), r.GetString(5), r.GetBoolean(6), r.IsDBNull(7) ? null : Utc(r.GetDateTime(7)),
                r.IsDBNull(8) ? null : Utc(r.GetDateTime(8)), Utc(r.GetDateTime(9))));
        return list;
    }

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
}

/// <summary>The embedded mode's store: the same rules over a dictionary, lost when the process stops.</summary>
public sealed class InMemoryAlarmStore : IAlarmStore
{
    private readonly ConcurrentDictionary<Guid, (Guid PatientId, Alarm Alarm)> _rows = new();
    private readonly Lock _write = new();

    private IEnumerable<Alarm> Of(Guid patientId) => _rows.Values.Where(r => r.PatientId == patientId).Select(r => r.Alarm);

    // PostgreSQL orders uuids by their bytes, which is the order of their hex text.
    private static string Key(Guid id) => id.ToString("N");

    private static IEnumerable<Alarm> InDueOrder(IEnumerable<Alarm> alarms) =>
        alarms.OrderBy(a => a.DueAt).ThenBy(a => Key(a.Id), StringComparer.Ordinal);

    public Task<bool> Insert(Guid patientId, Alarm alarm)
    {
        lock (_write)
        {
            if (_rows.ContainsKey(alarm.Id)
                || (alarm.ScheduleId is { } s && _rows.Values.Any(r => r.Alarm.ScheduleId == s && r.Alarm.DueAt == alarm.DueAt)))
                return Task.FromResult(false);
            _rows[alarm.Id] = (patientId, alarm);
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<Alarm>> ToRing(Guid patientId, DateTimeOffset now, int limit) =>
        Task.FromResult<IReadOnlyList<Alarm>>(InDueOrder(Of(patientId).Where(a => a is { RungAt: null, Status: AlarmStatus.Open } && a.DueAt <= now)).Take(limit).ToList());

    public Task MarkRung(Guid alarmId, DateTimeOffset rungAt, bool late) =>
        Update(alarmId, a => a.RungAt is null ? a with { RungAt = rungAt, Late = late } : null);

    public Task MarkMissed(Guid alarmId) =>
        Update(alarmId, a => a is { Status: AlarmStatus.Open, RungAt: null } ? a with { Status = AlarmStatus.Missed } : null);

    public Task<DateTimeOffset?> NextToRing(Guid patientId) =>
        Task.FromResult(Of(patientId).Where(a => a is { RungAt: null, Status: AlarmStatus.Open }).Select(a => (DateTimeOffset?)a.DueAt).Min());

    public Task<Alarm?> Get(Guid patientId, Guid alarmId) =>
        Task.FromResult(_rows.TryGetValue(alarmId, out var r) && r.PatientId == patientId ? r.Alarm : null);

    public async Task<bool> Answer(Guid patientId, Guid alarmId, string status, DateTimeOffset at)
    {
        if (await Get(patientId, alarmId) is null) return false;
        var changed = false;
        await Update(alarmId, a =>
        {
            if (a.Status is not (AlarmStatus.Open or AlarmStatus.Missed)) return null;
            changed = true;
            return a with { Status = status, AnsweredAt = at };
        });
        return changed;
    }

    public Task<IReadOnlyList<Alarm>> List(Guid patientId, AlarmQuery q) =>
        Task.FromResult<IReadOnlyList<Alarm>>(InDueOrder(Of(patientId)
            .Where(a => (q.From is null || a.DueAt >= q.From) && (q.To is null || a.DueAt <= q.To))
            .Where(a => q.AfterDueAt is not { } after || a.DueAt > after
                || (a.DueAt == after && string.CompareOrdinal(Key(a.Id), Key(q.AfterId!.Value)) > 0)))
            .Take(q.Limit).ToList());

    public Task<Adherence> Adherence(Guid patientId, DateTimeOffset from, DateTimeOffset to)
    {
        var doses = Of(patientId).Where(a => a.ScheduleId is not null && a.DueAt >= from && a.DueAt < to).ToList();
        return Task.FromResult(new Adherence(doses.Count, doses.Count(a => a.Status == AlarmStatus.Taken), doses.Count(a => a.Status == AlarmStatus.Skipped)));
    }

    private Task Update(Guid alarmId, Func<Alarm, Alarm?> change)
    {
        lock (_write)
            if (_rows.TryGetValue(alarmId, out var r) && change(r.Alarm) is { } next) _rows[alarmId] = (r.PatientId, next);
        return Task.CompletedTask;
    }
}
