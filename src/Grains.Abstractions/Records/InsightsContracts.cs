using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;

namespace HealthActors.Grains.Abstractions.Records;

/// <summary>
/// One vital (a blood pressure reading is two: systolic and diastolic) over a window. TrendPerWeek is the least
/// squares slope of value over time, in the vital's unit per week (null with fewer than two distinct times);
/// OutOfRange counts readings outside <see cref="NormalRanges"/> (null when the vital has no normal range).
/// </summary>
[GenerateSerializer, Immutable, Alias("ha.records.VitalInsight")]
public sealed record VitalInsight(
    [property: Id(0)] string Type,
    [property: Id(1)] string Component,
    [property: Id(2)] string Unit,
    [property: Id(3)] long Count,
    [property: Id(4)] decimal Average,
    [property: Id(5)] decimal Min,
    [property: Id(6)] decimal Max,
    [property: Id(7)] decimal? TrendPerWeek,
    [property: Id(8)] long? OutOfRange,
    [property: Id(9)] decimal? NormalLow,
    [property: Id(10)] decimal? NormalHigh);

[GenerateSerializer, Immutable, Alias("ha.records.DayAmount")]
public sealed record DayAmount([property: Id(0)] DateOnly Date, [property: Id(1)] decimal Amount);

/// <summary>
/// A daily amount (sleep hours, exercise minutes, water ml) per local day that has records; the average is over
/// those logged days, because a day without a sleep record is a day not logged, not a night without sleep.
/// </summary>
[GenerateSerializer, Immutable, Alias("ha.records.DailySeries")]
public sealed record DailySeries(
    [property: Id(0)] decimal Total,
    [property: Id(1)] int DaysLogged,
    [property: Id(2)] decimal? AveragePerLoggedDay,
    [property: Id(3)] IReadOnlyList<DayAmount> Days);

/// <summary>Doses due, taken and skipped in a window; Percent is taken / due (null when nothing was due).</summary>
[GenerateSerializer, Immutable, Alias("ha.records.MedicationAdherence")]
public sealed record MedicationAdherence(
    [property: Id(0)] int Due,
    [property: Id(1)] int Taken,
    [property: Id(2)] int Skipped,
    [property: Id(3)] decimal? Percent)
{
    public static MedicationAdherence Of(int due, int taken, int skipped) =>
        new(due, taken, skipped, due == 0 ? null : Math.Round(100m * taken / due, 1, MidpointRounding.AwayFromZero));
}

/// <summary>
/// A patient's insights over the last <see cref="Days"/> local days, today included: [From, To) are the local
/// midnights that bound them in <see cref="TimeZone"/> (the profile's, or UTC when the profile has none).
/// MedicationAdherence counts the medication doses the alarms recorded as due in the window (its Percent is null when none were).
/// </summary>
[GenerateSerializer, Immutable, Alias("ha.records.HealthInsights")]
public sealed record HealthInsights(
    [property: Id(0)] int Days,
    [property: Id(1)] string TimeZone,
    [property: Id(2)] DateTimeOffset From,
    [property: Id(3)] DateTimeOffset To,
    [property: Id(4)] IReadOnlyList<VitalInsight> Vitals,
    [property: Id(5)] DailySeries SleepHours,
    [property: Id(6)] DailySeries ExerciseMinutes,
    [property: Id(7)] DailySeries WaterMl,
    [property: Id(8)] MedicationAdherence? MedicationAdherence);

/// <summary>
/// One kind's records of a day: how many, and its numbers added up (water ml, exercise minutes and calories, food
/// calories and macros, meditation minutes, sleep hours) or averaged where a sum means nothing (averageQuality of
/// sleep, averageEnergy of mood).
/// </summary>
[GenerateSerializer, Immutable, Alias("ha.records.KindSummary")]
public sealed record KindSummary(
    [property: Id(0)] string Kind,
    [property: Id(1)] int Count,
    [property: Id(2)] IReadOnlyDictionary<string, decimal> Values);

[GenerateSerializer, Immutable, Alias("ha.records.DaySummary")]
public sealed record DaySummary(
    [property: Id(0)] DateOnly Date,
    [property: Id(1)] string TimeZone,
    [property: Id(2)] DateTimeOffset From,
    [property: Id(3)] DateTimeOffset To,
    [property: Id(4)] IReadOnlyList<VitalInsight> Vitals,
    [property: Id(5)] IReadOnlyList<KindSummary> Kinds,
    [property: Id(6)] MedicationAdherence? MedicationAdherence);

/// <summary>
/// Insights over a patient's records, computed next to the data (in PostgreSQL, or over the in-memory store) and
/// never by loading the history. Every call asks the patient grain first (<see cref="Patients.IPatientGrain.AuthorizeRead"/>,
/// what = "insights"): a caller without access gets NotFound, and every read by someone else is audited.
/// </summary>
[Alias("ha.records.IHealthInsightsGrain")]
public interface IHealthInsightsGrain : IGrainWithIntegerKey
{
    /// <summary><paramref name="days"/> must be 7, 30 or 90.</summary>
    [Alias("Insights")] Task<Outcome<HealthInsights>> Insights(Caller caller, Guid patientId, int days);
    /// <summary>One local day; today in the patient's zone when <paramref name="date"/> is null. A future day is invalid.</summary>
    [Alias("Summary")] Task<Outcome<DaySummary>> Summary(Caller caller, Guid patientId, DateOnly? date);
}
