using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HealthActors.Grains.Abstractions.Common;

namespace HealthActors.Grains.Abstractions.Records;

/// <summary>
/// What one record body says once checked: its type (a vital's or an exercise's), when, the normalized values
/// (canonical JSON, so two equal measurements compare equal as text and as jsonb) and the note.
/// </summary>
[GenerateSerializer, Immutable, Alias("ha.records.RecordDraft")]
public sealed record RecordDraft(
    [property: Id(0)] string Kind,
    [property: Id(1)] string? Type,
    [property: Id(2)] DateTimeOffset RecordedAt,
    [property: Id(3)] string Payload,
    [property: Id(4)] string? Note);

/// <summary>
/// The rules every record body must meet, for the endpoint's fast 400 and for the grain, which checks again and
/// decides. Field names in errors are the body's camelCase paths, prefixed (e.g. "items[3].") inside a batch.
/// </summary>
public static partial class HealthRecordRules
{
    public const int MaxBatch = 500;
    public const int MaxNote = 1000;
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan DuplicateWindow = TimeSpan.FromMinutes(5);

    public static readonly IReadOnlyList<string> Kinds = ["vitals", "medications", "food", "water", "sleep", "exercise", "mood", "meditation"];
    public static readonly IReadOnlyList<string> VitalTypes = ["blood-pressure", "heart-rate", "glucose", "temperature", "spo2", "weight", "respiratory-rate"];

    /// <summary>Glucose in mmol/L is mg/dL divided by this (molar mass of glucose / 10).</summary>
    public const decimal GlucoseMgPerMmol = 18.016m;

    private static readonly string[] MealTypes = ["breakfast", "lunch", "dinner", "snack"];
    private static readonly string[] Intensities = ["low", "moderate", "high"];
    private static readonly string[] Common = ["recordedAt", "note"];

    public static bool IsKind(string? kind) => kind is not null && Kinds.Contains(kind, StringComparer.Ordinal);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoWithOffset();

    /// <summary>Parses a JSON text holding one record body; null (and errors) when it breaks a rule.</summary>
    public static RecordDraft? Parse(string kind, string json, DateTimeOffset now, ValidationErrors e, string prefix = "")
    {
        JsonNode? node;
        try { node = JsonNode.Parse(json); }
        catch (JsonException) { node = null; }
        return Parse(kind, node, now, e, prefix);
    }

    public static RecordDraft? Parse(string kind, JsonNode? node, DateTimeOffset now, ValidationErrors e, string prefix = "")
    {
        if (!IsKind(kind)) { e.Add(prefix + "kind", "is not a known record kind"); return null; }
        if (node is not JsonObject body) { e.Add(prefix.Length > 0 ? prefix.TrimEnd('.') : "body", "must be a JSON object"); return null; }
        var before = e.ToDictionary().Count;
        var r = new Reader(body, e, prefix);
        var recordedAt = r.Instant("recordedAt", now, required: true);
        var note = r.Text("note", MaxNote, multiline: true);
        var values = new JsonObject();
        string? type = null;
        switch (kind)
        {
            case "vitals": type = Vital(r, values); break;
            case "medications":
                values["name"] = r.Text("name", 200, required: true);
                values["dose"] = r.Text("dose", 100, required: true);
                values["frequency"] = r.Text("frequency", 100, required: true);
                values["instructions"] = r.Text("instructions", 1000, multiline: true);
                values["active"] = r.Bool("active");
                r.Allow(Common, "name", "dose", "frequency", "instructions", "active");
                break;
            case "food":
                values["description"] = r.Text("description", 500, required: true);
                values["mealType"] = r.OneOf("mealType", MealTypes);
                values["calories"] = r.Number("calories", 0, 10_000, required: false);
                values["proteinG"] = r.Number("proteinG", 0, 1_000, required: false);
                values["carbsG"] = r.Number("carbsG", 0, 1_000, required: false);
                values["fatG"] = r.Number("fatG", 0, 1_000, required: false);
                r.Allow(Common, "description", "mealType", "calories", "proteinG", "carbsG", "fatG");
                break;
            case "water":
                values["ml"] = r.Number("ml", 1, 10_000);
                r.Allow(Common, "ml");
                break;
            case "sleep":
                var start = r.Instant("start", now, required: true);
                var end = r.Instant("end", now, required: true);
                if (start is { } s && end is { } en)
                {
                    if (en <= s) e.Add(prefix + "end", "must be after start");
                    else if (en - s > TimeSpan.FromHours(24)) e.Add(prefix + "end", "must be at most 24 hours after start");
                }
                values["start"] = start?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
                values["end"] = end?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
                values["quality"] = r.Number("quality", 1, 10, integer: true);
                r.Allow(Common, "start", "end", "quality");
                break;
            case "exercise":
                type = r.Text("type", 100, required: true);
                values["type"] = type;
                values["minutes"] = r.Number("minutes", 1, 1440);
                values["calories"] = r.Number("calories", 0, 10_000, required: false);
                values["intensity"] = r.OneOf("intensity", Intensities);
                r.Allow(Common, "type", "minutes", "calories", "intensity");
                break;
            case "mood":
                values["mood"] = r.Text("mood", 100, required: true);
                values["energy"] = r.Number("energy", 1, 10, integer: true);
                values["notes"] = r.Text("notes", 1000, multiline: true);
                r.Allow(Common, "mood", "energy", "notes");
                break;
            case "meditation":
                values["minutes"] = r.Number("minutes", 1, 1440);
                values["technique"] = r.Text("technique", 100);
                r.Allow(Common, "minutes", "technique");
                break;
        }
        if (e.ToDictionary().Count != before || recordedAt is null) return null;
        // Absent optional values are left out, so {"calories": null} and {} are the same record.
        foreach (var key in values.Where(v => v.Value is null).Select(v => v.Key).ToList()) values.Remove(key);
        return new RecordDraft(kind, type, recordedAt.Value, values.ToJsonString(), note);
    }

    private static string? Vital(Reader r, JsonObject values)
    {
        var type = r.OneOf("type", VitalTypes);
        switch (type)
        {
            case "blood-pressure":
                var sys = r.Number("systolic", 50, 260);
                var dia = r.Number("diastolic", 30, 160);
                if (sys is { } s && dia is { } d && d >= s) r.Errors.Add(r.Prefix + "diastolic", "must be below systolic");
                values["systolic"] = sys;
                values["diastolic"] = dia;
                r.Allow(Common, "type", "systolic", "diastolic");
                break;
            case "glucose":
                var unit = r.OneOf("unit", ["mg/dL", "mmol/L"]);
                values["value"] = unit == "mmol/L"
                    ? r.Number("value", Math.Round(10 / GlucoseMgPerMmol, 2), Math.Round(1000 / GlucoseMgPerMmol, 1))
                    : unit is null ? null : r.Number("value", 10, 1000);
                values["unit"] = unit;
                r.Allow(Common, "type", "value", "unit");
                break;
            case "heart-rate": Single(r, values, 30, 220, "bpm"); break;
            case "temperature": Single(r, values, 30, 45, "°C"); break;
            case "spo2": Single(r, values, 50, 100, "%"); break;
            case "weight": Single(r, values, 1, 500, "kg"); break;
            case "respiratory-rate": Single(r, values, 4, 60, "/min"); break;
            default: r.Allow(Common, "type", "value", "unit", "systolic", "diastolic"); break;
        }
        return type;
    }

    /// <summary>A one-value vital; its unit is fixed, so a client may send it (and must send it right) or leave it out.</summary>
    private static void Single(Reader r, JsonObject values, decimal min, decimal max, string unit)
    {
        values["value"] = r.Number("value", min, max);
        if (r.Body["unit"] is { } sent && !(sent is JsonValue v && v.TryGetValue<string>(out var s) && s == unit))
            r.Errors.Add(r.Prefix + "unit", $"must be {unit}");
        values["unit"] = unit;
        r.Allow(Common, "type", "value", "unit");
    }

    /// <summary>A cursor for keyset paging: the last item's (recordedAt, id), opaque to clients.</summary>
    public static string EncodeCursor(DateTimeOffset recordedAt, Guid id) =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{recordedAt.UtcTicks}:{id:N}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static (DateTimeOffset RecordedAt, Guid Id)? DecodeCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor) || cursor.Length > 100) return null;
        try
        {
            var b64 = cursor.Replace('-', '+').Replace('_', '/');
            b64 += new string('=', (4 - b64.Length % 4) % 4);
            var parts = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(b64)).Split(':');
            if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks
                && Guid.TryParseExact(parts[1], "N", out var id))
                return (new DateTimeOffset(ticks, TimeSpan.Zero), id);
        }
        catch (FormatException) { }
        return null;
    }

    /// <summary>Parses a query's from/to: ISO 8601 with an offset, like recordedAt.</summary>
    public static DateTimeOffset? QueryInstant(ValidationErrors e, string field, string? value)
    {
        if (value is null) return null;
        if (TryInstant(value, out var at)) return at;
        e.Add(field, "must be an ISO 8601 date-time with an offset");
        return null;
    }

    private static bool TryInstant(string value, out DateTimeOffset at)
    {
        at = default;
        if (!IsoWithOffset().IsMatch(value)
            || !DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)) return false;
        // PostgreSQL keeps microseconds: cut the rest here so the stored value, the answer and a cursor agree.
        at = new DateTimeOffset(parsed.UtcTicks - parsed.UtcTicks % 10, TimeSpan.Zero);
        return at.Year >= 1900;
    }

    private sealed class Reader(JsonObject body, ValidationErrors errors, string prefix)
    {
        public JsonObject Body => body;
        public ValidationErrors Errors => errors;
        public string Prefix => prefix;

        public DateTimeOffset? Instant(string field, DateTimeOffset now, bool required)
        {
            var node = body[field];
            if (node is null) { if (required) errors.Add(prefix + field, "is required"); return null; }
            if (node is not JsonValue v || !v.TryGetValue<string>(out var s) || !TryInstant(s, out var at))
            {
                errors.Add(prefix + field, "must be an ISO 8601 date-time with an offset, from 1900 on");
                return null;
            }
            if (at > now + FutureTolerance) { errors.Add(prefix + field, "must not be in the future"); return null; }
            return at;
        }

        public string? Text(string field, int max, bool required = false, bool multiline = false)
        {
            var node = body[field];
            if (node is null) return errors.Text(prefix + field, null, max, required, multiline);
            if (node is not JsonValue v || !v.TryGetValue<string>(out var s)) { errors.Add(prefix + field, "must be a string"); return null; }
            return errors.Text(prefix + field, s, max, required, multiline);
        }

        public string? OneOf(string field, IReadOnlyList<string> allowed)
        {
            var s = Text(field, 50, required: true);
            if (s is null) return null;
            if (allowed.Contains(s, StringComparer.Ordinal)) return s;
            errors.Add(prefix + field, "must be one of: " + string.Join(", ", allowed));
            return null;
        }

        public decimal? Number(string field, decimal min, decimal max, bool required = true, bool integer = false)
        {
            var node = body[field];
            if (node is null) { if (required) errors.Add(prefix + field, "is required"); return null; }
            if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || !v.TryGetValue<decimal>(out var d))
            {
                errors.Add(prefix + field, "must be a number");
                return null;
            }
            if (integer && d != decimal.Truncate(d)) { errors.Add(prefix + field, "must be a whole number"); return null; }
            if (d < min || d > max)
            {
                errors.Add(prefix + field, $"must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}");
                return null;
            }
            // 120, 120.0 and 1.2e2 are one value: store it one way, or the duplicate rule would miss a resend.
            return d / 1.000000000000000000000000000000000m;
        }

        public bool? Bool(string field)
        {
            var node = body[field];
            if (node is null) { errors.Add(prefix + field, "is required"); return null; }
            if (node.GetValueKind() is JsonValueKind.True or JsonValueKind.False) return node.GetValue<bool>();
            errors.Add(prefix + field, "must be true or false");
            return null;
        }

        /// <summary>Unknown fields are refused: a misspelt optional field would otherwise vanish in silence.</summary>
        public void Allow(string[] common, params string[] known)
        {
            foreach (var (key, _) in body)
                if (!common.Contains(key, StringComparer.Ordinal) && !known.Contains(key, StringComparer.Ordinal))
                    errors.Add(prefix + key, "is not a field of this record kind");
        }
    }
}
