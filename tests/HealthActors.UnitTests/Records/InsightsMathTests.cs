using HealthActors.Grains.Abstractions.Records;
using HealthActors.Grains.Records;

namespace HealthActors.UnitTests.Records;

/// <summary>
/// The embedded mode's insights over the in-memory store, checked against numbers worked out by hand; the
/// PostgreSQL store is held to the same numbers by the Api tests (InsightsTests).
/// </summary>
public sealed class InsightsMathTests
{
    private static readonly DateTimeOffset From = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Guid Patient = Guid.NewGuid();

    private static RecordRow Row(string kind, string? type, DateTimeOffset at, string payload, int version = 1, Guid? id = null, bool deleted = false) =>
        new(Patient, new HealthRecord(id ?? Guid.NewGuid(), kind, type, at, payload, null, From, version), deleted);

    private static async Task<(InMemoryHealthInsightsStore Insights, InMemoryHealthRecordStore Records)> Store(params RecordRow[] rows)
    {
        var records = new InMemoryHealthRecordStore();
        await records.Append(rows);
        return (new InMemoryHealthInsightsStore(records), records);
    }

    [Fact]
    public async Task Trend_average_and_out_of_range_count_only_live_latest_versions()
    {
        var edited = Guid.NewGuid();
        var deleted = Guid.NewGuid();
        var (store, _) = await Store(
            Row("vitals", "heart-rate", From.AddHours(9), """{"value":70,"unit":"bpm"}"""),
            Row("vitals", "heart-rate", From.AddDays(1).AddHours(9), """{"value":130,"unit":"bpm"}""", id: edited),
            Row("vitals", "heart-rate", From.AddDays(1).AddHours(9), """{"value":80,"unit":"bpm"}""", version: 2, id: edited),
            Row("vitals", "heart-rate", From.AddDays(2).AddHours(9), """{"value":105,"unit":"bpm"}"""),
            Row("vitals", "heart-rate", From.AddDays(2).AddHours(10), """{"value":200,"unit":"bpm"}""", id: deleted),
            Row("vitals", "heart-rate", From.AddDays(2).AddHours(10), """{"value":200,"unit":"bpm"}""", version: 2, id: deleted, deleted: true),
            Row("vitals", "spo2", From.AddHours(9), """{"value":99,"unit":"%"}"""),
            Row("vitals", "spo2", From.AddDays(1).AddHours(9), """{"value":97,"unit":"%"}"""),
            Row("vitals", "spo2", From.AddDays(2).AddHours(9), """{"value":93,"unit":"%"}"""),
            // Outside the window on both ends: not counted.
            Row("vitals", "spo2", From.AddSeconds(-1), """{"value":50,"unit":"%"}"""),
            Row("vitals", "spo2", From.AddDays(7), """{"value":50,"unit":"%"}"""));

        var vitals = InsightsMath.ToInsights(await store.VitalSums(Patient, From, From.AddDays(7)));

        var heart = vitals.Single(v => v.Type == "heart-rate");
        Assert.Equal((3L, 85m, 70m, 105m, 122.5m, 1L), (heart.Count, heart.Average, heart.Min, heart.Max, heart.TrendPerWeek, heart.OutOfRange));
        var spo2 = vitals.Single(v => v.Type == "spo2");
        Assert.Equal((3L, 96.33m, -21m, 1L), (spo2.Count, spo2.Average, spo2.TrendPerWeek, spo2.OutOfRange));
    }

    [Fact]
    public async Task Glucose_in_mmol_per_litre_is_compared_and_reported_in_mg_per_decilitre()
    {
        var (store, _) = await Store(
            Row("vitals", "glucose", From.AddHours(8), """{"value":5.0,"unit":"mmol/L"}"""),
            Row("vitals", "glucose", From.AddDays(1).AddHours(8), """{"value":8.0,"unit":"mmol/L"}"""),
            Row("vitals", "glucose", From.AddDays(2).AddHours(8), """{"value":60,"unit":"mg/dL"}"""));

        var glucose = InsightsMath.ToInsights(await store.VitalSums(Patient, From, From.AddDays(7))).Single();

        Assert.Equal(("mg/dL", 98.07m, 60m, 144.13m, 2L), (glucose.Unit, glucose.Average, glucose.Min, glucose.Max, glucose.OutOfRange));
    }

    [Fact]
    public async Task Blood_pressure_is_two_components_each_against_its_own_range()
    {
        var (store, _) = await Store(
            Row("vitals", "blood-pressure", From.AddHours(7), """{"systolic":135,"diastolic":88}"""),
            Row("vitals", "blood-pressure", From.AddDays(1).AddHours(7), """{"systolic":118,"diastolic":76}"""),
            Row("vitals", "blood-pressure", From.AddDays(2).AddHours(7), """{"systolic":129,"diastolic":84}"""));

        var bp = InsightsMath.ToInsights(await store.VitalSums(Patient, From, From.AddDays(7)));

        // 129/84 is the last normal reading (bounds included); only 135/88 is outside.
        Assert.Equal(["diastolic", "systolic"], bp.Select(v => v.Component));
        Assert.All(bp, v => Assert.Equal(1L, v.OutOfRange));
        Assert.Equal(127.33m, bp.Single(v => v.Component == "systolic").Average);
    }

    [Fact]
    public async Task Daily_logs_are_grouped_by_local_day_and_sleep_is_counted_in_hours()
    {
        var madrid = TimeZoneInfo.FindSystemTimeZoneById("Europe/Madrid");
        // 23:30 UTC on 1 March is 00:30 on 2 March in Madrid (UTC+1 in winter).
        var (store, _) = await Store(
            Row("water", null, From.AddHours(22).AddMinutes(30), """{"ml":500}"""),
            Row("water", null, From.AddHours(23).AddMinutes(30), """{"ml":250}"""),
            Row("sleep", null, From.AddDays(1).AddHours(6), """{"start":"2026-03-01T22:00:00.0000000+00:00","end":"2026-03-02T06:00:00.0000000+00:00","quality":7}"""));

        var totals = await store.DailyTotals(Patient, From.AddHours(-1), From.AddDays(3), madrid);

        var water = InsightsMath.Series(totals, "water", "ml");
        Assert.Equal(new[] { new DayAmount(new DateOnly(2026, 3, 1), 500m), new DayAmount(new DateOnly(2026, 3, 2), 250m) }, water.Days);
        Assert.Equal(375m, water.AveragePerLoggedDay);
        var sleep = InsightsMath.Summaries(totals.Where(t => t.Date == new DateOnly(2026, 3, 2))).Single(k => k.Kind == "sleep");
        Assert.Equal(8m, sleep.Values["hours"]);
        Assert.Equal(7m, sleep.Values["averageQuality"]);
    }

    [Fact]
    public void A_local_day_starts_at_its_own_midnight_across_daylight_saving()
    {
        var madrid = TimeZoneInfo.FindSystemTimeZoneById("Europe/Madrid");
        Assert.Equal(new DateTimeOffset(2026, 3, 28, 23, 0, 0, TimeSpan.Zero), InsightsMath.StartOfDay(new DateOnly(2026, 3, 29), madrid));
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 22, 0, 0, TimeSpan.Zero), InsightsMath.StartOfDay(new DateOnly(2026, 3, 30), madrid));
        // Santiago de Chile skips midnight when summer time starts: the day begins at 01:00 local.
        var santiago = TimeZoneInfo.FindSystemTimeZoneById("America/Santiago");
        Assert.Equal(new DateTimeOffset(2026, 9, 6, 4, 0, 0, TimeSpan.Zero), InsightsMath.StartOfDay(new DateOnly(2026, 9, 6), santiago));
    }

    [Fact]
    public void No_trend_from_one_reading_or_readings_at_one_instant()
    {
        Assert.Null(InsightsMath.SlopePerWeek(new VitalSums("heart-rate", "value", 1, 0, 70, 0, 0, 70, 70, 0)));
        Assert.Null(InsightsMath.SlopePerWeek(new VitalSums("heart-rate", "value", 2, 20, 150, 1500, 200, 70, 80, 0)));
    }

    [Fact]
    public void Adherence_percent_is_taken_over_due_and_null_when_nothing_was_due()
    {
        Assert.Equal(66.7m, MedicationAdherence.Of(3, 2, 1).Percent);
        Assert.Null(MedicationAdherence.Of(0, 0, 0).Percent);
    }
}
