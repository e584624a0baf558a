using System.Globalization;
using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Records;
using Hl7.Fhir.Model;

namespace HealthActors.Grains.Records.Fhir;

/// <summary>
/// One Observation turned into a vitals record body. It remembers where its values came from, so that an error
/// the record rules find in "systolic" can be named where the client wrote it ("entry[2].resource.component[0].valueQuantity.value").
/// </summary>
public sealed record ImportedVital(int EntryIndex, string RecordJson, int? SystolicComponent, int? DiastolicComponent)
{
    public string Resource => $"entry[{EntryIndex}].resource";

    /// <summary>The bundle path of a record field ("recordedAt", "value", ...) of this entry.</summary>
    public string PathOf(string recordField) => recordField switch
    {
        "recordedAt" => Resource + ".effectiveDateTime",
        "value" => Resource + ".valueQuantity.value",
        "unit" => Resource + ".valueQuantity.code",
        "systolic" when SystolicComponent is { } k => $"{Resource}.component[{k}].valueQuantity.value",
        "diastolic" when DiastolicComponent is { } k => $"{Resource}.component[{k}].valueQuantity.value",
        "note" => Resource + ".note",
        _ => Resource,
    };
}

/// <summary>The vitals a Bundle holds, the entries it skips, and every reason it cannot be imported.</summary>
public sealed record BundleReading(IReadOnlyList<ImportedVital> Vitals, IReadOnlyList<FhirSkippedEntry> Skipped);

/// <summary>
/// Reads the vital-sign Observations of a Bundle into vitals record bodies. Pure: no grain, no clock but the one
/// given, so every refusal is unit-tested. The record rules (ranges, the future, diastolic below systolic) are
/// applied here too, so a bad value is named by its bundle path; the records grain applies them again and decides.
/// </summary>
public static class FhirObservationReader
{
    /// <summary>Statuses that say the reading is not a fact about the patient: kept out, and listed as skipped.</summary>
    private static readonly ObservationStatus[] NotAReading = [ObservationStatus.EnteredInError, ObservationStatus.Cancelled];

    private static readonly string KnownCodes = string.Join(", ", FhirVitals.Codings.Select(c => c.Loinc).Distinct());

    public static BundleReading Read(Bundle bundle, DateTimeOffset now, ValidationErrors e)
    {
        var vitals = new List<ImportedVital>();
        var skipped = new List<FhirSkippedEntry>();
        for (var i = 0; i < bundle.Entry.Count; i++)
        {
            var resource = bundle.Entry[i].Resource;
            var path = $"entry[{i}].resource";
            if (resource is null) { e.Add(path, "is required: every entry of a collection carries a resource"); continue; }
            if (resource is not Observation observation)
            {
                skipped.Add(new FhirSkippedEntry(i, resource.TypeName, "only vital-sign Observations are imported"));
                continue;
            }
            if (observation.Status is { } status && NotAReading.Contains(status))
            {
                skipped.Add(new FhirSkippedEntry(i, resource.TypeName, $"status {status.ToString().ToLowerInvariant()} is not a reading"));
                continue;
            }
            if (ReadObservation(i, observation, now, e) is { } vital) vitals.Add(vital);
        }
        if (vitals.Count > HealthRecordRules.MaxBatch)
            e.Add("entry", $"holds {vitals.Count} vital-sign Observations; at most {HealthRecordRules.MaxBatch} are imported at once, so split the bundle");
        return new BundleReading(vitals, skipped);
    }

    private static ImportedVital? ReadObservation(int index, Observation o, DateTimeOffset now, ValidationErrors e)
    {
        var path = $"entry[{index}].resource";
        var loinc = o.Code?.Coding.FirstOrDefault(c => c.System == FhirVitals.LoincSystem && c.Code is not null && FhirVitals.ForLoinc(c.Code).Count > 0);
        if (loinc is null)
        {
            e.Add(path + ".code", $"must carry a LOINC vital-sign code (system {FhirVitals.LoincSystem}): one of {KnownCodes}");
            return null;
        }
        var candidates = FhirVitals.ForLoinc(loinc.Code!);
        var body = new JsonObject { ["type"] = candidates[0].Type };
        var before = e.ToDictionary().Count;

        switch (o.Effective)
        {
            case FhirDateTime at when at.Value is not null: body["recordedAt"] = at.Value; break;
            case Instant at when at.Value is { } instant: body["recordedAt"] = instant.ToString("O", CultureInfo.InvariantCulture); break;
            default: e.Add(path + ".effectiveDateTime", "is required: a date-time with an offset"); break;
        }

        int? systolicAt = null, diastolicAt = null;
        if (candidates[0].Type == "blood-pressure")
        {
            systolicAt = Component(o, FhirVitals.SystolicCode);
            diastolicAt = Component(o, FhirVitals.DiastolicCode);
            if (systolicAt is null || diastolicAt is null)
                e.Add(path + ".component", $"must hold a systolic ({FhirVitals.SystolicCode}) and a diastolic ({FhirVitals.DiastolicCode}) component");
            else
            {
                body["systolic"] = Value(o.Component[systolicAt.Value].Value, [FhirVitals.MillimetresOfMercury], $"{path}.component[{systolicAt}].valueQuantity", e).Value;
                body["diastolic"] = Value(o.Component[diastolicAt.Value].Value, [FhirVitals.MillimetresOfMercury], $"{path}.component[{diastolicAt}].valueQuantity", e).Value;
            }
        }
        else
        {
            var (value, ucum) = Value(o.Value, candidates.Select(c => c.Ucum).ToArray(), path + ".valueQuantity", e);
            body["value"] = value;
            var coding = candidates.FirstOrDefault(c => c.Ucum == ucum) ?? candidates[0];
            if (coding.Type == "glucose") body["unit"] = coding.RecordUnit;
        }

        var note = string.Join("\n", o.Note.Select(n => n.Text).Where(t => !string.IsNullOrWhiteSpace(t)));
        if (note.Length > 0) body["note"] = note;
        if (e.ToDictionary().Count != before) return null;

        var vital = new ImportedVital(index, body.ToJsonString(), systolicAt, diastolicAt);
        // The record rules speak of record fields; say the same thing at the place in the bundle it came from.
        var ruleErrors = new ValidationErrors();
        HealthRecordRules.Parse("vitals", body, now, ruleErrors);
        foreach (var (field, messages) in ruleErrors.ToDictionary())
            foreach (var message in messages) e.Add(vital.PathOf(field), message);
        return ruleErrors.IsValid ? vital : null;
    }

    private static int? Component(Observation o, string loinc)
    {
        for (var k = 0; k < o.Component.Count; k++)
            if (o.Component[k].Code?.Coding.Any(c => c.System == FhirVitals.LoincSystem && c.Code == loinc) == true) return k;
        return null;
    }

    /// <summary>A quantity's value, if it is in one of the UCUM units allowed; the unit is its UCUM code (or, without one, its unit text).</summary>
    private static (decimal? Value, string? Ucum) Value(DataType? value, string[] units, string path, ValidationErrors e)
    {
        if (value is not Quantity q) { e.Add(path, "is required: a Quantity"); return (null, null); }
        if (q.Value is null) e.Add(path + ".value", "is required");
        if (q.System is not null && q.System != FhirVitals.UcumSystem) e.Add(path + ".system", $"must be {FhirVitals.UcumSystem}");
        var unit = q.Code ?? q.Unit;
        if (unit is null || !units.Contains(unit, StringComparer.Ordinal))
        {
            e.Add(path + ".code", "must be the UCUM unit " + string.Join(" or ", units.Select(u => $"'{u}'")));
            return (null, null);
        }
        return (q.Value, unit);
    }
}
