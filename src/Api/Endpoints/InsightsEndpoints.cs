using System.Globalization;
using System.Security.Claims;
using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Records;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HealthActors.Api.Endpoints;

/// <summary>Insights over a patient's health record: vitals statistics and daily logs over 7, 30 or 90 local days, and one day's summary.</summary>
public static class InsightsEndpoints
{
    public const int DefaultDays = 7;

    public static void MapInsightsEndpoints(this IEndpointRouteBuilder app)
    {
        var mine = app.MapGroup("/api/patients/me/insights").WithTags("Insights").RequireAuthorization(Setup.Policies.Patient);
        mine.MapGet("/", GetMine).WithName("GetMyInsights")
            .WithSummary("My insights over the last days=7|30|90 local days (default 7): per vital count, average, min, max, trend per week, readings outside the normal range; sleep hours, exercise minutes and water ml per day.");
        mine.MapGet("/summary", GetMySummary).WithName("GetMyDaySummary")
            .WithSummary("One local day (date=YYYY-MM-DD, default today in my time zone): my vitals and each kind's records summarized.");
        app.MapGroup("/api/patients").WithTags("Insights").RequireAuthorization()
            .MapGet("/{patientId:guid}/insights", GetOne).WithName("GetPatientInsights")
            .WithSummary("A patient's insights, for a doctor with access or an admin (audited); anyone else gets 404.");
    }

    private static Task<Results<Ok<HealthInsights>, ProblemHttpResult>> GetMine(string? days, ClaimsPrincipal user, IGrainFactory grains) =>
        Insights(user.ToCaller().UserId, days, user, grains);

    private static Task<Results<Ok<HealthInsights>, ProblemHttpResult>> GetOne(Guid patientId, string? days, ClaimsPrincipal user, IGrainFactory grains) =>
        Insights(patientId, days, user, grains);

    private static async Task<Results<Ok<HealthInsights>, ProblemHttpResult>> Insights(Guid patientId, string? days, ClaimsPrincipal user, IGrainFactory grains)
    {
        var window = DefaultDays;
        if (days is not null && (!int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out window) || !InsightsMath.WindowDays.Contains(window)))
        {
            var e = new ValidationErrors();
            e.Add("days", "must be one of 7, 30, 90");
            return Problems.Invalid(e);
        }
        var outcome = await grains.GetGrain<IHealthInsightsGrain>(0).Insights(user.ToCaller(), patientId, window);
        return outcome.IsOk ? TypedResults.Ok(outcome.Value!) : outcome.Failure!.ToProblem();
    }

    private static async Task<Results<Ok<DaySummary>, ProblemHttpResult>> GetMySummary(string? date, ClaimsPrincipal user, IGrainFactory grains)
    {
        DateOnly? day = null;
        if (date is not null)
        {
            if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            {
                var e = new ValidationErrors();
                e.Add("date", "must be a date as YYYY-MM-DD");
                return Problems.Invalid(e);
            }
            day = parsed;
        }
        var caller = user.ToCaller();
        var outcome = await grains.GetGrain<IHealthInsightsGrain>(0).Summary(caller, caller.UserId, day);
        return outcome.IsOk ? TypedResults.Ok(outcome.Value!) : outcome.Failure!.ToProblem();
    }
}
