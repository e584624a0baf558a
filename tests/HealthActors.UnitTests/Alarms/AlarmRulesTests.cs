using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Alarms;
using HealthActors.Grains.Abstractions.Common;

namespace HealthActors.UnitTests.Alarms;

public sealed class AlarmRulesTests
{
    private const string Medication = "\"medicationId\":\"6f1f3c1e-8a4b-4c55-9a51-0d3f6e1b2c3d\"";

    private static (ScheduleDraft? Draft, IDictionary<string, string[]> Errors) Schedule(string body)
    {
        var e = new ValidationErrors();
        var draft = AlarmRules.ParseSchedule(body, e);
        return (draft, e.ToDictionary());
    }

    [Fact]
    public void A_good_schedule_is_read_with_its_times_and_days_sorted()
    {
        var (draft, errors) = Schedule($$"""{{{Medication}},"timesOfDay":["20:00","08:00"],"daysOfWeek":["thu","mon"],"startDate":"2026-12-01","endDate":"2026-12-31"}""");
        Assert.Empty(errors);
        Assert.Equal([new TimeOnly(8, 0), new TimeOnly(20, 0)], draft!.Plan.TimesOfDay);
        Assert.Equal([DayOfWeek.Monday, DayOfWeek.Thursday], draft.Plan.DaysOfWeek);
        Assert.Equal(new DateOnly(2026, 12, 31), draft.Plan.EndDate);
    }

    [Theory]
    [InlineData("\"timesOfDay\":[\"8:00\"],\"startDate\":\"2026-12-01\"", "timesOfDay[0]")]
    [InlineData("\"timesOfDay\":[\"24:00\"],\"startDate\":\"2026-12-01\"", "timesOfDay[0]")]
    [InlineData("\"timesOfDay\":[\"08:00 PM\"],\"startDate\":\"2026-12-01\"", "timesOfDay[0]")]
    [InlineData("\"timesOfDay\":[800],\"startDate\":\"2026-12-01\"", "timesOfDay[0]")]
    [InlineData("\"timesOfDay\":[\"08:00\",\"08:00\"],\"startDate\":\"2026-12-01\"", "timesOfDay[1]")]
    [InlineData("\"timesOfDay\":[],\"startDate\":\"2026-12-01\"", "timesOfDay")]
    [InlineData("\"startDate\":\"2026-12-01\"", "timesOfDay")]
    [InlineData("\"timesOfDay\":[\"00:00\",\"01:00\",\"02:00\",\"03:00\",\"04:00\",\"05:00\",\"06:00\",\"07:00\",\"08:00\",\"09:00\",\"10:00\",\"11:00\",\"12:00\"],\"startDate\":\"2026-12-01\"", "timesOfDay")]
    [InlineData("\"timesOfDay\":[\"08:00\"],\"daysOfWeek\":[\"monday\"],\"startDate\":\"2026-12-01\"", "daysOfWeek[0]")]
    [InlineData("\"timesOfDay\":[\"08:00\"],\"daysOfWeek\":[\"mon\",\"mon\"],\"startDate\":\"2026-12-01\"", "daysOfWeek[1]")]
    [InlineData("\"timesOfDay\":[\"08:00\"],\"daysOfWeek\":[],\"startDate\":\"2026-12-01\"", "daysOfWeek")]
    [InlineData("\"timesOfDay\":[\"08:00\"]", "startDate")]
    [InlineData("\"timesOfDay\":[\"08:00\"],\"startDate\":\"01/12/2026\"", "startDate")]
    [InlineData("\"timesOfDay\":[\"08:00\"],\"startDate\":\"2026-12-10\",\"endDate\":\"2026-12-09\"", "endDate")]
    [InlineData("\"timesOfDay\":[\"08:00\"],\"startDate\":\"2026-12-10\",\"every\":\"day\"", "every")]
    public void A_bad_schedule_names_the_field(string fields, string field)
    {
        var (draft, errors) = Schedule($$"""{{{Medication}},{{fields}}}""");
        Assert.Null(draft);
        Assert.Contains(field, errors.Keys);
    }

    [Theory]
    [InlineData("{\"timesOfDay\":[\"08:00\"],\"startDate\":\"2026-12-01\"}", "medicationId")]
    [InlineData("{\"medicationId\":\"not-a-guid\",\"timesOfDay\":[\"08:00\"],\"startDate\":\"2026-12-01\"}", "medicationId")]
    [InlineData("[1,2]", "body")]
    [InlineData("not json", "body")]
    public void A_schedule_without_a_medication_or_body_is_refused(string body, string field)
    {
        var (draft, errors) = Schedule(body);
        Assert.Null(draft);
        Assert.Contains(field, errors.Keys);
    }

    [Theory]
    [InlineData("{\"title\":\"Call the pharmacy\",\"at\":\"2026-12-03T09:00:00+01:00\"}", "at")] // in the past
    [InlineData("{\"title\":\"Call the pharmacy\",\"at\":\"2028-01-01T09:00:00+01:00\"}", "at")] // beyond a year
    [InlineData("{\"title\":\"Call the pharmacy\",\"at\":\"2026-12-05T09:00:00\"}", "at")] // no offset
    [InlineData("{\"title\":\"  \",\"at\":\"2026-12-05T09:00:00Z\"}", "title")]
    [InlineData("{\"at\":\"2026-12-05T09:00:00Z\"}", "title")]
    [InlineData("{\"title\":\"Call\"}", "at")]
    public void A_bad_custom_alarm_names_the_field(string body, string field)
    {
        var now = DateTimeOffset.Parse("2026-12-03T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var e = new ValidationErrors();
        Assert.Null(AlarmRules.ParseCustom(body, now, e));
        Assert.Contains(field, e.ToDictionary().Keys);
    }

    [Fact]
    public void A_custom_alarm_keeps_its_instant_in_utc()
    {
        var now = DateTimeOffset.Parse("2026-12-03T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var e = new ValidationErrors();
        var draft = AlarmRules.ParseCustom(JsonNode.Parse("{\"title\":\" Call the pharmacy \",\"at\":\"2026-12-05T09:00:00+01:00\"}"), now, e);
        Assert.True(e.IsValid);
        Assert.Equal("Call the pharmacy", draft!.Title);
        Assert.Equal(DateTimeOffset.Parse("2026-12-05T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture), draft.At);
        Assert.Equal(TimeSpan.Zero, draft.At.Offset);
    }
}
