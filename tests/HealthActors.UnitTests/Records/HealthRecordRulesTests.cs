using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Records;

namespace HealthActors.UnitTests.Records;

public sealed class HealthRecordRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static (RecordDraft? Draft, IDictionary<string, string[]> Errors) Parse(string kind, string json, string prefix = "")
    {
        var e = new ValidationErrors();
        var draft = HealthRecordRules.Parse(kind, json, Now, e, prefix);
        return (draft, e.ToDictionary());
    }

    [Theory]
    [InlineData(120, 80, true)]
    [InlineData(120, 119, true)]
    [InlineData(120, 120, false)]
    [InlineData(90, 100, false)]
    public void Diastolic_must_lie_below_systolic(int systolic, int diastolic, bool ok)
    {
        var (draft, errors) = Parse("vitals", $$"""{"type":"blood-pressure","systolic":{{systolic}},"diastolic":{{diastolic}},"recordedAt":"2026-06-01T10:00:00+02:00"}""");
        Assert.Equal(ok, draft is not null);
        Assert.Equal(ok, !errors.ContainsKey("diastolic"));
    }

    [Theory]
    [InlineData("mg/dL", 10, true)]
    [InlineData("mg/dL", 1000, true)]
    [InlineData("mg/dL", 9.9, false)]
    [InlineData("mmol/L", 0.56, true)]
    [InlineData("mmol/L", 55.5, true)]
    [InlineData("mmol/L", 97, false)]
    [InlineData("mmol/L", 0.5, false)]
    public void Glucose_ranges_follow_the_unit(string unit, double value, bool ok)
    {
        var (draft, errors) = Parse("vitals", $$"""{"type":"glucose","value":{{value.ToString(System.Globalization.CultureInfo.InvariantCulture)}},"unit":"{{unit}}","recordedAt":"2026-06-01T10:00:00Z"}""");
        Assert.Equal(ok, draft is not null);
        if (!ok) Assert.Contains("value", errors.Keys);
    }

    [Theory]
    [InlineData("2026-06-01T12:05:00Z", true)]
    [InlineData("2026-06-01T12:05:01Z", false)]
    [InlineData("2026-06-01T14:04:00+02:00", true)]
    [InlineData("2026-06-01T12:00:00", false)]
    [InlineData("2026-06-01", false)]
    [InlineData("1899-12-31T23:00:00Z", false)]
    public void RecordedAt_needs_an_offset_and_at_most_five_minutes_ahead(string recordedAt, bool ok)
    {
        var (draft, errors) = Parse("water", $$"""{"ml":200,"recordedAt":"{{recordedAt}}"}""");
        Assert.Equal(ok, draft is not null);
        Assert.Equal(ok, !errors.ContainsKey("recordedAt"));
    }

    [Fact]
    public void Equal_values_written_differently_give_one_payload()
    {
        var a = Parse("vitals", """{"type":"weight","value":61.5,"recordedAt":"2026-06-01T10:00:00Z"}""").Draft!;
        var b = Parse("vitals", """{"recordedAt":"2026-06-01T10:00:00Z","value":61.50,"unit":"kg","type":"weight"}""").Draft!;
        Assert.Equal(a.Payload, b.Payload);
        Assert.Equal("weight", a.Type);
        var c = Parse("food", """{"description":"soup","mealType":"lunch","calories":null,"recordedAt":"2026-06-01T10:00:00Z"}""").Draft!;
        var d = Parse("food", """{"description":" soup ","mealType":"lunch","recordedAt":"2026-06-01T10:00:00Z"}""").Draft!;
        Assert.Equal(c.Payload, d.Payload);
    }

    [Fact]
    public void Errors_carry_the_batch_prefix_and_unknown_fields_are_named()
    {
        var (draft, errors) = Parse("mood", """{"mood":"ok","energy":4,"recordedAt":"2026-06-01T10:00:00Z","enrgy":5}""", "items[7].");
        Assert.Null(draft);
        Assert.Equal(["items[7].enrgy"], errors.Keys);
        Assert.Contains("items[7]", Parse("water", "[1,2]", "items[7].").Errors.Keys);
        Assert.Contains("kind", Parse("steps", "{}").Errors.Keys);
    }

    [Fact]
    public void Cursors_round_trip_and_garbage_is_refused()
    {
        var at = new DateTimeOffset(2026, 2, 3, 4, 5, 6, TimeSpan.Zero).AddTicks(1230);
        var id = Guid.NewGuid();
        Assert.Equal((at, id), HealthRecordRules.DecodeCursor(HealthRecordRules.EncodeCursor(at, id)));
        Assert.Null(HealthRecordRules.DecodeCursor("not-a-cursor"));
        Assert.Null(HealthRecordRules.DecodeCursor(Convert.ToBase64String("-5:abc"u8.ToArray())));
        Assert.Null(HealthRecordRules.DecodeCursor(""));
    }
}
