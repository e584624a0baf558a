using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Abstractions.Patients;
using HealthActors.Grains.Abstractions.Records;

namespace HealthActors.Grains.Records;

/// <summary>
/// Insights for any patient: stateless, because the numbers come from the store's aggregates and the access
/// decision from the patient grain, which audits it.
/// </summary>
[Orleans.Concurrency.StatelessWorker]
public sealed class HealthInsightsGrain(IHealthInsightsStore store, IMedicationAdherenceSource adherence, TimeProvider time)
    : Grain, IHealthInsightsGrain
{
    public async Task<Outcome<HealthInsights>> Insights(Caller caller, Guid patientId, int days)
    {
        if (!InsightsMath.WindowDays.Contains(days)) return Outcome.Invalid("days", "must be one of 7, 30, 90");
        if (await ZoneIfAllowed(caller, patientId) is not { } zone) return Outcome.NotFound();

        var today = InsightsMath.LocalDate(time.GetUtcNow(), zone);
        var from = InsightsMath.StartOfDay(today.AddDays(1 - days), zone);
        // The window ends at the next local midnight: a record may be stamped up to five minutes ahead of now.
        var to = InsightsMath.StartOfDay(today.AddDays(1), zone);
        var vitals = store.VitalSums(patientId, from, to);
        var logs = store.DailyTotals(patientId, from, to, zone);
        var doses = adherence.Between(patientId, from, to);
        var totals = await logs;
        return Outcome.Ok(new HealthInsights(days, zone.Id, from, to, InsightsMath.ToInsights(await vitals),
            InsightsMath.Series(totals, "sleep", InsightsMath.SleepSeconds, 3600),
            InsightsMath.Series(totals, "exercise", "minutes"),
            InsightsMath.Series(totals, "water", "ml"),
            await doses));
    }

    public async Task<Outcome<DaySummary>> Summary(Caller caller, Guid patientId, DateOnly? date)
    {
        if (date is { Year: < 1900 }) return Outcome.Invalid("date", "must be from 1900 on");
        if (await ZoneIfAllowed(caller, patientId) is not { } zone) return Outcome.NotFound();
        var today = InsightsMath.LocalDate(time.GetUtcNow(), zone);
        var day = date ?? today;
        if (day > today) return Outcome.Invalid("date", "must not be after today in the patient's time zone");

        var from = InsightsMath.StartOfDay(day, zone);
        var to = InsightsMath.StartOfDay(day.AddDays(1), zone);
        var vitals = store.VitalSums(patientId, from, to);
        var logs = store.DailyTotals(patientId, from, to, zone);
        var doses = adherence.Between(patientId, from, to);
        return Outcome.Ok(new DaySummary(day, zone.Id, from, to, InsightsMath.ToInsights(await vitals), InsightsMath.Summaries(await logs), await doses));
    }

    /// <summary>The patient's time zone (UTC when the profile names none) when the caller may read their insights; null otherwise.</summary>
    private async Task<TimeZoneInfo?> ZoneIfAllowed(Caller caller, Guid patientId)
    {
        var patient = GrainFactory.GetGrain<IPatientGrain>(patientId);
        if (await patient.AuthorizeRead(caller, "insights") is null) return null;
        // Read as the patient: access is already decided and audited above, and the zone only shapes the days.
        var profile = await patient.GetProfile(new Caller(patientId, Roles.Patient));
        return InsightsMath.ZoneOrUtc(profile?.TimeZone);
    }
}
