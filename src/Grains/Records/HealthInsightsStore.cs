using HealthActors.Grains.Abstractions.Records;
using HealthActors.Grains.Alarms;
using Npgsql;
using NpgsqlTypes;

namespace HealthActors.Grains.Records;

/// <summary>
/// Aggregates over a patient's live records (latest version, not deleted) in [from, to): the sums insights need,
/// never the records themselves.
/// </summary>
public interface IHealthInsightsStore
{
    Task<IReadOnlyList<VitalSums>> VitalSums(Guid patientId, DateTimeOffset from, DateTimeOffset to);
    /// <summary>The daily-log kinds (every kind but vitals) per local day of <paramref name="zone"/>.</summary>
    Task<IReadOnlyList<KindDayTotals>> DailyTotals(Guid patientId, DateTimeOffset from, DateTimeOffset to, TimeZoneInfo zone);
}

public sealed class PostgresHealthInsightsStore(NpgsqlDataSource db) : IHealthInsightsStore
{
    // The same liveness test as the record store: no later version of the record exists and this one is not a deletion.
    private const string Live = "NOT h.deleted AND NOT EXISTS (SELECT 1 FROM health_records n WHERE n.record_id = h.record_id AND n.version > h.version)";
    private static readonly string[] LogKinds = HealthRecordRules.Kinds.Where(k => k != "vitals").ToArray();

    public async Task<IReadOnlyList<VitalSums>> VitalSums(Guid patientId, DateTimeOffset from, DateTimeOffset to)
    {
        // The normal ranges travel as parameters, so NormalRanges stays their only definition.
        await using var cmd = db.CreateCommand($"""
            WITH v AS (
                SELECT h.type, f.key AS component,
                       f.value::text::numeric * CASE WHEN h.type = 'glucose' AND h.payload->>'unit' = 'mmol/L' THEN $4 ELSE 1 END AS y,
                       floor(extract(epoch FROM h.recorded_at) - extract(epoch FROM $2::timestamptz)) AS x
                FROM health_records h, jsonb_each(h.payload) f
                WHERE h.patient_id = $1 AND h.kind = 'vitals' AND h.recorded_at >= $2 AND h.recorded_at < $3
                  AND jsonb_typeof(f.value) = 'number' AND {Live}
            )
            SELECT v.type, v.component, count(*), round(sum(v.x), {InsightsMath.SumScale}), round(sum(v.y), {InsightsMath.SumScale}),
                   round(sum(v.x * v.y), {InsightsMath.SumScale}), round(sum(v.x * v.x), {InsightsMath.SumScale}), min(v.y), max(v.y),
                   count(*) FILTER (WHERE v.y < r.low OR v.y > r.high)
            FROM v LEFT JOIN unnest($5::text[], $6::text[], $7::numeric[], $8::numeric[]) AS r(type, component, low, high)
                   ON r.type = v.type AND r.component = v.component
            GROUP BY v.type, v.component
            """);
        cmd.Parameters.AddWithValue(patientId);
        cmd.Parameters.AddWithValue(from.UtcDateTime);
        cmd.Parameters.AddWithValue(to.UtcDateTime);
        cmd.Parameters.AddWithValue(HealthRecordRules.GlucoseMgPerMmol);
        cmd.Parameters.AddWithValue(NormalRanges.All.Select(r => r.Type).ToArray());
        cmd.Parameters.AddWithValue(NormalRanges.All.Select(r => r.Component).ToArray());
        cmd.Parameters.AddWithValue(NormalRanges.All.Select(r => r.Low).ToArray());
        cmd.Parameters.AddWithValue(NormalRanges.All.Select(r => r.High).ToArray());
        var list = new List<VitalSums>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            list.Add(new VitalSums(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetDecimal(3), r.GetDecimal(4), r.GetDecimal(5),
                r.GetDecimal(6), r.GetDecimal(7), r.GetDecimal(8), r.GetInt64(9)));
        return list;
    }

    public async Task<IReadOnlyList<KindDayTotals>> DailyTotals(Guid patientId, DateTimeOffset from, DateTimeOffset to, TimeZoneInfo zone)
    {
        // A null field is the row count of that day and kind; the other rows are the sums of its numeric fields.
        await using var cmd = db.CreateCommand($"""
            WITH live AS (
                SELECT h.kind, (h.recorded_at AT TIME ZONE $4)::date AS day, h.payload
                FROM health_records h
                WHERE h.patient_id = $1 AND h.kind = ANY($5) AND h.recorded_at >= $2 AND h.recorded_at < $3 AND {Live}
            )
            SELECT day, kind, NULL::text, count(*)::numeric FROM live GROUP BY day, kind
            UNION ALL
            SELECT day, kind, f.key, round(sum(f.value::text::numeric), {InsightsMath.SumScale})
            FROM live, jsonb_each(live.payload) f WHERE jsonb_typeof(f.value) = 'number' GROUP BY day, kind, f.key
            UNION ALL
            SELECT day, kind, '{InsightsMath.SleepSeconds}',
                   round(sum(extract(epoch FROM (payload->>'end')::timestamptz) - extract(epoch FROM (payload->>'start')::timestamptz)), {InsightsMath.SumScale})
            FROM live WHERE kind = 'sleep' GROUP BY day, kind
            """);
        cmd.Parameters.AddWithValue(patientId);
        cmd.Parameters.AddWithValue(from.UtcDateTime);
        cmd.Parameters.AddWithValue(to.UtcDateTime);
        cmd.Parameters.AddWithValue(zone.Id);
        cmd.Parameters.Add(new NpgsqlParameter { Value = LogKinds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
        var counts = new Dictionary<(DateOnly, string), int>();
        var sums = new Dictionary<(DateOnly, string), Dictionary<string, decimal>>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            var key = (DateOnly.FromDateTime(r.GetDateTime(0)), r.GetString(1));
            if (r.IsDBNull(2)) counts[key] = (int)r.GetDecimal(3);
            else (sums.TryGetValue(key, out var s) ? s : sums[key] = new(StringComparer.Ordinal))[r.GetString(2)] = r.GetDecimal(3);
        }
        return counts.Select(c => new KindDayTotals(c.Key.Item1, c.Key.Item2, c.Value,
            sums.TryGetValue(c.Key, out var s) ? s : new Dictionary<string, decimal>())).ToList();
    }
}

/// <summary>The embedded mode's insights: the same sums over the in-memory record store.</summary>
public sealed class InMemoryHealthInsightsStore(InMemoryHealthRecordStore records) : IHealthInsightsStore
{
    public Task<IReadOnlyList<VitalSums>> VitalSums(Guid patientId, DateTimeOffset from, DateTimeOffset to)
    {
        var points = records.Live(patientId, "vitals")
            .Where(r => r.Type is not null && r.RecordedAt >= from && r.RecordedAt < to)
            .SelectMany(r => InsightsMath.VitalComponents(r.Type!, r.Payload)
                .Select(c => (r.Type!, c.Component, X: InsightsMath.SecondsSince(from, r.RecordedAt), Y: c.Value)));
        IReadOnlyList<VitalSums> sums = points.GroupBy(p => (p.Item1, p.Component)).Select(g =>
        {
            var range = NormalRanges.For(g.Key.Item1, g.Key.Component);
            return new VitalSums(g.Key.Item1, g.Key.Component, g.LongCount(),
                InsightsMath.Cut(g.Sum(p => p.X)), InsightsMath.Cut(g.Sum(p => p.Y)), InsightsMath.Cut(g.Sum(p => p.X * p.Y)),
                InsightsMath.Cut(g.Sum(p => p.X * p.X)), g.Min(p => p.Y), g.Max(p => p.Y),
                range is null ? 0 : g.LongCount(p => NormalRanges.IsOutside(range, p.Y)));
        }).ToList();
        return Task.FromResult(sums);
    }

    public Task<IReadOnlyList<KindDayTotals>> DailyTotals(Guid patientId, DateTimeOffset from, DateTimeOffset to, TimeZoneInfo zone)
    {
        IReadOnlyList<KindDayTotals> totals = HealthRecordRules.Kinds.Where(k => k != "vitals")
            .SelectMany(kind => records.Live(patientId, kind))
            .Where(r => r.RecordedAt >= from && r.RecordedAt < to)
            .GroupBy(r => (Day: InsightsMath.LocalDate(r.RecordedAt, zone), r.Kind))
            .Select(g => new KindDayTotals(g.Key.Day, g.Key.Kind, g.Count(),
                g.SelectMany(r => InsightsMath.LogFields(r.Kind, r.Payload)).GroupBy(f => f.Field)
                    .ToDictionary(f => f.Key, f => InsightsMath.Cut(f.Sum(x => x.Value)), StringComparer.Ordinal)))
            .ToList();
        return Task.FromResult(totals);
    }
}

/// <summary>Where insights learn a patient's medication adherence: the doses the alarms recorded as due in the window.</summary>
public interface IMedicationAdherenceSource
{
    Task<MedicationAdherence?> Between(Guid patientId, DateTimeOffset from, DateTimeOffset to);
}

/// <summary>
/// Adherence from the medication alarms: of the doses that fell due in the window, how many were marked taken or
/// skipped. With no dose due the percentage is null (nothing to adhere to), not 0 or 100.
/// </summary>
public sealed class AlarmAdherence(IAlarmStore alarms) : IMedicationAdherenceSource
{
    public async Task<MedicationAdherence?> Between(Guid patientId, DateTimeOffset from, DateTimeOffset to)
    {
        var a = await alarms.Adherence(patientId, from, to);
        return MedicationAdherence.Of(a.Due, a.Taken, a.Skipped);
    }
}
