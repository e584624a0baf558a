using System.Text.Json.Nodes;

namespace HealthActors.Grains.Abstractions.Records;

/// <summary>
/// The sufficient statistics of one vital component over a window: PostgreSQL computes them with exact numeric
/// sums, the in-memory store with decimal sums, and <see cref="InsightsMath"/> turns either into the answer, so
/// both modes give the same numbers. X is whole seconds since the window start; Y is the value in the reported unit.
/// </summary>
public sealed record VitalSums(string Type, string Component, long Count, decimal SumX, decimal SumY, decimal SumXY, decimal SumXX, decimal Min, decimal Max, long OutOfRange);

/// <summary>One local day's records of one kind: how many, and the sum of each numeric field (sleep adds "seconds").</summary>
public sealed record KindDayTotals(DateOnly Date, string Kind, int Records, IReadOnlyDictionary<string, decimal> Sums);

/// <summary>The arithmetic of insights that does not depend on where the records live.</summary>
public static class InsightsMath
{
    public static readonly IReadOnlyList<int> WindowDays = [7, 30, 90];
    public const string SleepSeconds = "seconds";
    /// <summary>Sums are cut to this many decimals in both stores, so PostgreSQL's exact numerics and C# decimals agree.</summary>
    public const int SumScale = 6;
    private const decimal SecondsPerWeek = 7 * 24 * 3600;

    public static TimeZoneInfo ZoneOrUtc(string? id)
    {
        if (string.IsNullOrEmpty(id)) return TimeZoneInfo.Utc;
        try { return TimeZoneInfo.FindSystemTimeZoneById(id); }
        catch (TimeZoneNotFoundException) { return TimeZoneInfo.Utc; }
        catch (InvalidTimeZoneException) { return TimeZoneInfo.Utc; }
    }

    public static DateOnly LocalDate(DateTimeOffset at, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);

    /// <summary>The instant a local day starts; where a DST change skips midnight, the first local time that exists.</summary>
    public static DateTimeOffset StartOfDay(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(15);
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    /// <summary>The trend's x: whole seconds from the window start, the same floor PostgreSQL takes.</summary>
    public static decimal SecondsSince(DateTimeOffset from, DateTimeOffset at) =>
        Math.Floor((decimal)(at.UtcTicks - from.UtcTicks) / TimeSpan.TicksPerSecond);

    /// <summary>A vital's numeric components in the reported unit: glucose in mmol/L becomes mg/dL.</summary>
    public static IEnumerable<(string Component, decimal Value)> VitalComponents(string type, string payload)
    {
        var body = JsonNode.Parse(payload)!.AsObject();
        var factor = type == "glucose" && (string?)body["unit"] == "mmol/L" ? HealthRecordRules.GlucoseMgPerMmol : 1m;
        foreach (var (key, value) in body)
            if (value is JsonValue v && v.TryGetValue<decimal>(out var d) && v.GetValueKind() == System.Text.Json.JsonValueKind.Number)
                yield return (key, d * factor);
    }

    /// <summary>A daily-log record's numeric fields; a sleep record adds its length in seconds.</summary>
    public static IEnumerable<(string Field, decimal Value)> LogFields(string kind, string payload)
    {
        var body = JsonNode.Parse(payload)!.AsObject();
        foreach (var (key, value) in body)
            if (value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number && v.TryGetValue<decimal>(out var d))
                yield return (key, d);
        if (kind == "sleep" && body["start"] is JsonValue s && body["end"] is JsonValue e)
            yield return (SleepSeconds, (decimal)(DateTimeOffset.Parse((string)e!, System.Globalization.CultureInfo.InvariantCulture)
                - DateTimeOffset.Parse((string)s!, System.Globalization.CultureInfo.InvariantCulture)).Ticks / TimeSpan.TicksPerSecond);
    }

    public static decimal Cut(decimal sum) => Math.Round(sum, SumScale, MidpointRounding.AwayFromZero);

    private static decimal R2(decimal d) => Math.Round(d, 2, MidpointRounding.AwayFromZero);

    /// <summary>
    /// Least squares slope of value over time, per week: (nΣxy − ΣxΣy) / (nΣx² − (Σx)²) with x in seconds.
    /// Null when fewer than two readings or all at one second.
    /// </summary>
    public static decimal? SlopePerWeek(VitalSums s)
    {
        if (s.Count < 2) return null;
        var denominator = s.Count * s.SumXX - s.SumX * s.SumX;
        if (denominator == 0) return null;
        return Math.Round((s.Count * s.SumXY - s.SumX * s.SumY) / denominator * SecondsPerWeek, 3, MidpointRounding.AwayFromZero);
    }

    public static VitalInsight ToInsight(VitalSums s)
    {
        var range = NormalRanges.For(s.Type, s.Component);
        return new VitalInsight(s.Type, s.Component, NormalRanges.UnitOf(s.Type), s.Count, R2(s.SumY / s.Count), R2(s.Min), R2(s.Max),
            SlopePerWeek(s), range is null ? null : s.OutOfRange, range?.Low, range?.High);
    }

    public static IReadOnlyList<VitalInsight> ToInsights(IEnumerable<VitalSums> sums) =>
        sums.Where(s => s.Count > 0).Select(ToInsight)
            .OrderBy(v => v.Type, StringComparer.Ordinal).ThenBy(v => v.Component, StringComparer.Ordinal).ToList();

    /// <summary>One field of one kind per local day, divided into the reported unit (3600 turns sleep seconds into hours).</summary>
    public static DailySeries Series(IEnumerable<KindDayTotals> totals, string kind, string field, decimal divisor = 1)
    {
        var days = totals.Where(t => t.Kind == kind)
            .Select(t => new DayAmount(t.Date, R2(t.Sums.GetValueOrDefault(field) / divisor)))
            .OrderBy(d => d.Date).ToList();
        var total = R2(totals.Where(t => t.Kind == kind).Sum(t => t.Sums.GetValueOrDefault(field)) / divisor);
        return new DailySeries(total, days.Count, days.Count == 0 ? null : R2(total / days.Count), days);
    }

    /// <summary>A day's totals per kind, as <see cref="KindSummary"/> describes them.</summary>
    public static IReadOnlyList<KindSummary> Summaries(IEnumerable<KindDayTotals> totals) =>
        totals.GroupBy(t => t.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var records = g.Sum(t => t.Records);
            var values = new SortedDictionary<string, decimal>(StringComparer.Ordinal);
            foreach (var (field, sum) in g.SelectMany(t => t.Sums).GroupBy(kv => kv.Key).Select(f => (f.Key, f.Sum(kv => kv.Value))))
            {
                switch (field)
                {
                    case SleepSeconds: values["hours"] = R2(sum / 3600); break;
                    case "quality": values["averageQuality"] = R2(sum / records); break;
                    case "energy": values["averageEnergy"] = R2(sum / records); break;
                    default: values[field] = R2(sum); break;
                }
            }
            return new KindSummary(g.Key, records, values);
        }).ToList();
}
