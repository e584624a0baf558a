using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Common;

namespace HealthActors.Grains.Abstractions.Alarms;

/// <summary>A medication schedule body once checked, before the medication and the time zone are looked up.</summary>
[GenerateSerializer, Immutable, Alias("ha.alarms.ScheduleDraft")]
public sealed record ScheduleDraft(
    [property: Id(0)] Guid MedicationId,
    [property: Id(1)] DosePlan Plan);

/// <summary>A custom alarm body once checked.</summary>
[GenerateSerializer, Immutable, Alias("ha.alarms.CustomAlarmDraft")]
public sealed record CustomAlarmDraft(
    [property: Id(0)] string Title,
    [property: Id(1)] DateTimeOffset At);

/// <summary>
/// The rules of schedule and alarm bodies, for the endpoint's fast 400 and for the grain, which checks again.
/// Field names in errors are the body's camelCase names; a bad item of a list is named by index (timesOfDay[1]).
/// </summary>
public static class AlarmRules
{
    public const int MaxTimesPerDay = 12;
    public const int MaxSchedules = 50;
    public const int MaxTitle = 200;
    public static readonly TimeSpan CustomAlarmHorizon = TimeSpan.FromDays(366);

    private static readonly Dictionary<string, DayOfWeek> Days = new(StringComparer.Ordinal)
    {
        ["mon"] = DayOfWeek.Monday, ["tue"] = DayOfWeek.Tuesday, ["wed"] = DayOfWeek.Wednesday, ["thu"] = DayOfWeek.Thursday,
        ["fri"] = DayOfWeek.Friday, ["sat"] = DayOfWeek.Saturday, ["sun"] = DayOfWeek.Sunday,
    };

    private static readonly string[] ScheduleFields = ["medicationId", "timesOfDay", "daysOfWeek", "startDate", "endDate"];
    private static readonly string[] CustomFields = ["title", "at"];

    public static string DayName(DayOfWeek d) => Days.First(kv => kv.Value == d).Key;

    public static ScheduleDraft? ParseSchedule(string json, ValidationErrors e) => ParseSchedule(ParseJson(json), e);

    public static ScheduleDraft? ParseSchedule(JsonNode? node, ValidationErrors e)
    {
        if (node is not JsonObject body) { e.Add("body", "must be a JSON object"); return null; }
        var before = e.ToDictionary().Count;
        Unknown(body, ScheduleFields, e);

        Guid medicationId = default;
        if (String(body, "medicationId", e, required: true) is { } m && !Guid.TryParse(m, out medicationId))
            e.Add("medicationId", "must be the id of a medications record");

        var times = new List<TimeOnly>();
        if (body["timesOfDay"] is not JsonArray timeList) e.Add("timesOfDay", "is required: an array of local times \"HH:mm\"");
        else if (timeList.Count == 0) e.Add("timesOfDay", "must hold at least one time");
        else if (timeList.Count > MaxTimesPerDay) e.Add("timesOfDay", $"must hold at most {MaxTimesPerDay} times");
        else
            for (var i = 0; i < timeList.Count; i++)
            {
                var field = $"timesOfDay[{i}]";
                if (!TryTime(timeList[i], out var t)) e.Add(field, "must be a 24-hour local time \"HH:mm\"");
                else if (times.Contains(t)) e.Add(field, "repeats an earlier time");
                else times.Add(t);
            }

        var days = new List<DayOfWeek>();
        if (body["daysOfWeek"] is { } dayNode)
        {
            if (dayNode is not JsonArray dayList || dayList.Count is 0 or > 7) e.Add("daysOfWeek", "must be an array of 1 to 7 of mon, tue, wed, thu, fri, sat, sun");
            else
                for (var i = 0; i < dayList.Count; i++)
                {
                    var field = $"daysOfWeek[{i}]";
                    if (!TryString(dayList[i], out var name) || !Days.TryGetValue(name, out var day)) e.Add(field, "must be one of mon, tue, wed, thu, fri, sat, sun");
                    else if (days.Contains(day)) e.Add(field, "repeats an earlier day");
                    else days.Add(day);
                }
        }

        var start = Date(body, "startDate", e, required: true);
        var end = Date(body, "endDate", e, required: false);
        if (start is { } s && end is { } en && en < s) e.Add("endDate", "must not be before startDate");

        if (e.ToDictionary().Count > before || start is null) return null;
        times.Sort();
        days.Sort();
        return new ScheduleDraft(medicationId, new DosePlan(times, days, start.Value, end));
    }

    public static CustomAlarmDraft? ParseCustom(string json, DateTimeOffset now, ValidationErrors e) => ParseCustom(ParseJson(json), now, e);

    public static CustomAlarmDraft? ParseCustom(JsonNode? node, DateTimeOffset now, ValidationErrors e)
    {
        if (node is not JsonObject body) { e.Add("body", "must be a JSON object"); return null; }
        var before = e.ToDictionary().Count;
        Unknown(body, CustomFields, e);
        var title = e.Text("title", String(body, "title", e, required: true), MaxTitle, required: true);
        DateTimeOffset? at = null;
        if (String(body, "at", e, required: true) is { } text)
        {
            at = Instant(text);
            if (at is null) e.Add("at", "must be an ISO 8601 date-time with an offset");
            else if (at <= now) e.Add("at", "must be in the future");
            else if (at > now + CustomAlarmHorizon) e.Add("at", "must be within a year");
        }
        if (e.ToDictionary().Count > before || title is null || at is null) return null;
        return new CustomAlarmDraft(title, at.Value);
    }

    /// <summary>An instant from a query or body, by the records' rule (ISO 8601 with an explicit offset), in UTC.</summary>
    public static DateTimeOffset? Instant(string? value) =>
        Records.HealthRecordRules.QueryInstant(new ValidationErrors(), "at", value)?.ToUniversalTime();

    private static JsonNode? ParseJson(string json)
    {
        try { return JsonNode.Parse(json); }
        catch (JsonException) { return null; }
    }

    private static void Unknown(JsonObject body, string[] known, ValidationErrors e)
    {
        foreach (var (key, _) in body)
            if (!known.Contains(key, StringComparer.Ordinal)) e.Add(key, "is not a field of this body");
    }

    private static string? String(JsonObject body, string field, ValidationErrors e, bool required)
    {
        var node = body[field];
        if (node is null)
        {
            if (required) e.Add(field, "is required");
            return null;
        }
        if (!TryString(node, out var s)) { e.Add(field, "must be a string"); return null; }
        return s;
    }

    private static bool TryString(JsonNode? node, out string value)
    {
        value = "";
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.String) return false;
        value = v.GetValue<string>();
        return true;
    }

    private static bool TryTime(JsonNode? node, out TimeOnly time)
    {
        time = default;
        return TryString(node, out var s) && s.Length == 5
            && TimeOnly.TryParseExact(s, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
    }

    private static DateOnly? Date(JsonObject body, string field, ValidationErrors e, bool required)
    {
        if (String(body, field, e, required) is not { } s) return null;
        if (s.Length == 10 && DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
        e.Add(field, "must be a date \"yyyy-MM-dd\"");
        return null;
    }
}
