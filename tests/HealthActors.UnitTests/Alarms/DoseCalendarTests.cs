using HealthActors.Grains.Abstractions.Alarms;

namespace HealthActors.UnitTests.Alarms;

public sealed class DoseCalendarTests
{
    private static readonly TimeZoneInfo Madrid = TimeZoneInfo.FindSystemTimeZoneById("Europe/Madrid");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private static DateTimeOffset Utc(string iso) => DateTimeOffset.Parse(iso + "Z", System.Globalization.CultureInfo.InvariantCulture);

    private static DosePlan Plan(string[] times, DateOnly start, DateOnly? end = null, params DayOfWeek[] days) =>
        new(times.Select(t => TimeOnly.Parse(t, System.Globalization.CultureInfo.InvariantCulture)).Order().ToList(), days, start, end);

    [Fact]
    public void Eight_in_Madrid_is_seven_utc_in_winter_and_six_in_summer()
    {
        var plan = Plan(["08:00"], new DateOnly(2026, 1, 1));
        Assert.Equal(Utc("2026-01-15T07:00:00"), DoseCalendar.Next(plan, Madrid, Utc("2026-01-15T00:00:00")));
        Assert.Equal(Utc("2026-07-15T06:00:00"), DoseCalendar.Next(plan, Madrid, Utc("2026-07-15T00:00:00")));
    }

    [Fact]
    public void Across_the_spring_change_each_dose_keeps_its_local_time()
    {
        // Madrid moves from +01:00 to +02:00 at 02:00 local on Sunday 29 March 2026.
        var plan = Plan(["08:00", "20:00"], new DateOnly(2026, 3, 1));
        var doses = DoseCalendar.Between(plan, Madrid, Utc("2026-03-28T00:00:00"), Utc("2026-03-30T00:00:00")).ToList();
        Assert.Equal([Utc("2026-03-28T07:00:00"), Utc("2026-03-28T19:00:00"), Utc("2026-03-29T06:00:00"), Utc("2026-03-29T18:00:00")], doses);
    }

    [Fact]
    public void A_time_in_the_spring_gap_rings_once_moved_forward_by_the_gap()
    {
        // 02:30 does not exist on 29 March 2026 in Madrid: it rings at 03:30 CEST, which is 01:30 UTC.
        var plan = Plan(["02:30"], new DateOnly(2026, 3, 28), new DateOnly(2026, 3, 30));
        var doses = DoseCalendar.Between(plan, Madrid, Utc("2026-03-27T00:00:00"), Utc("2026-03-31T00:00:00")).ToList();
        Assert.Equal([Utc("2026-03-28T01:30:00"), Utc("2026-03-29T01:30:00"), Utc("2026-03-30T00:30:00")], doses);
    }

    [Fact]
    public void A_gap_time_and_the_time_it_moves_to_ring_once_between_them()
    {
        // 02:30 moves to 03:30 local, the same instant as the 03:30 dose: one alarm, not two.
        var plan = Plan(["02:30", "03:30", "03:15"], new DateOnly(2026, 3, 29), new DateOnly(2026, 3, 29));
        var doses = DoseCalendar.Between(plan, Madrid, Utc("2026-03-28T00:00:00"), Utc("2026-03-30T00:00:00")).ToList();
        Assert.Equal([Utc("2026-03-29T01:15:00"), Utc("2026-03-29T01:30:00")], doses);
    }

    [Fact]
    public void A_time_in_the_autumn_overlap_rings_once_at_its_first_occurrence()
    {
        // 02:30 happens twice on 25 October 2026 in Madrid (+02:00, then +01:00): the first, 00:30 UTC, rings.
        var plan = Plan(["02:30"], new DateOnly(2026, 10, 25), new DateOnly(2026, 10, 25));
        var doses = DoseCalendar.Between(plan, Madrid, Utc("2026-10-24T00:00:00"), Utc("2026-10-26T00:00:00")).ToList();
        Assert.Equal([Utc("2026-10-25T00:30:00")], doses);
    }

    [Fact]
    public void Another_zone_changes_on_its_own_dates()
    {
        // New York springs forward on 8 March 2026 at 02:00 (-05:00 to -04:00); Madrid has not changed yet.
        var plan = Plan(["09:00"], new DateOnly(2026, 3, 7), new DateOnly(2026, 3, 8));
        Assert.Equal([Utc("2026-03-07T14:00:00"), Utc("2026-03-08T13:00:00")],
            DoseCalendar.Between(plan, NewYork, Utc("2026-03-01T00:00:00"), Utc("2026-03-10T00:00:00")).ToList());
        Assert.Equal([Utc("2026-03-07T08:00:00"), Utc("2026-03-08T08:00:00")],
            DoseCalendar.Between(plan, Madrid, Utc("2026-03-01T00:00:00"), Utc("2026-03-10T00:00:00")).ToList());
    }

    [Fact]
    public void Weekdays_start_and_end_dates_bound_the_doses()
    {
        // 2026-02-02 is a Monday.
        var plan = Plan(["08:00"], new DateOnly(2026, 2, 3), new DateOnly(2026, 2, 12), DayOfWeek.Monday, DayOfWeek.Thursday);
        var doses = DoseCalendar.Between(plan, Madrid, Utc("2026-01-01T00:00:00"), Utc("2026-03-01T00:00:00")).ToList();
        Assert.Equal([Utc("2026-02-05T07:00:00"), Utc("2026-02-09T07:00:00"), Utc("2026-02-12T07:00:00")], doses);
        Assert.Null(DoseCalendar.Next(plan, Madrid, Utc("2026-02-12T07:00:00")));
    }

    [Fact]
    public void The_range_is_open_at_its_start_and_closed_at_its_end()
    {
        var plan = Plan(["08:00"], new DateOnly(2026, 1, 1));
        Assert.Empty(DoseCalendar.Between(plan, Madrid, Utc("2026-01-15T07:00:00"), Utc("2026-01-15T08:00:00")));
        Assert.Single(DoseCalendar.Between(plan, Madrid, Utc("2026-01-15T06:59:59"), Utc("2026-01-15T07:00:00")));
        Assert.Equal(Utc("2026-01-16T07:00:00"), DoseCalendar.Next(plan, Madrid, Utc("2026-01-15T07:00:00")));
    }

    [Fact]
    public void A_plan_starting_far_ahead_finds_its_first_dose_without_walking_every_day()
    {
        var plan = Plan(["21:00"], new DateOnly(2027, 6, 1));
        Assert.Equal(Utc("2027-06-01T19:00:00"), DoseCalendar.Next(plan, Madrid, Utc("2026-12-03T00:00:00")));
    }

    [Fact]
    public void A_local_date_ahead_of_utc_is_found_from_the_utc_day_before()
    {
        // 07:00 on 1 January in Tokyo is 22:00 UTC on 31 December.
        var tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        var plan = Plan(["07:00"], new DateOnly(2027, 1, 1), new DateOnly(2027, 1, 1));
        Assert.Equal(Utc("2026-12-31T22:00:00"), DoseCalendar.Next(plan, tokyo, Utc("2026-12-31T12:00:00")));
    }
}
