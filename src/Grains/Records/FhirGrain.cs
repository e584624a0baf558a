using System.Text.Json;
using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Abstractions.Patients;
using HealthActors.Grains.Abstractions.Records;
using HealthActors.Grains.Records.Fhir;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Task = System.Threading.Tasks.Task;

namespace HealthActors.Grains.Records;

/// <summary>
/// Export and import of a patient's record as FHIR R4. Stateless: any activation serves any patient, and the work
/// (reading pages, building and parsing POCOs) spreads over the silos instead of queueing behind one patient grain.
/// </summary>
[Orleans.Concurrency.StatelessWorker]
public sealed class FhirGrain(TimeProvider time) : Grain, IFhirGrain
{
    /// <summary>
    /// The export holds at most this many vitals (the newest): beyond it the bundle is tagged "truncated". Five
    /// thousand readings are years of daily measurements and about 4 MB of JSON, well inside one request's time.
    /// </summary>
    public const int MaxVitals = 5_000;
    public const int MaxMedications = 1_000;
    public const int MaxAppointments = 500;
    private const int RecordPage = 500;
    private const int AppointmentPage = 100;

    private static readonly BaseFhirJsonSerializer Serializer = new(ModelInfo.ModelInspector);
    private static readonly FhirJsonDeserializer Deserializer = new(new DeserializerSettings());

    public async Task<FhirExport?> Export(Guid patientId, Caller caller)
    {
        var patient = GrainFactory.GetGrain<IPatientGrain>(patientId);
        // The one access decision and the one audit row of this read; what follows reads on the patient's behalf.
        if (await patient.AuthorizeRead(caller, "fhir") is null) return null;
        var profile = await patient.GetProfile(new Caller(patientId, Roles.Patient));

        var (vitals, vitalsCut) = await Records(patientId, "vitals", MaxVitals);
        var (medications, medicationsCut) = await Records(patientId, "medications", MaxMedications);
        var (appointments, appointmentsCut) = await Appointments(patientId);
        var set = new PatientRecordSet(patientId, profile, vitals, medications, appointments, vitalsCut || medicationsCut || appointmentsCut);
        var bundle = FhirBundleBuilder.Build(set, time.GetUtcNow());
        return new FhirExport(Serializer.SerializeToString(bundle), set.Truncated);
    }

    private async Task<(List<HealthRecord> Items, bool Truncated)> Records(Guid patientId, string kind, int cap)
    {
        var query = GrainFactory.GetGrain<IHealthRecordQueryGrain>(0);
        var items = new List<HealthRecord>();
        string? cursor = null;
        do
        {
            var after = HealthRecordRules.DecodeCursor(cursor);
            var page = await query.List(patientId, new RecordQuery(kind, null, null, null, Math.Min(RecordPage, cap - items.Count), after?.RecordedAt, after?.Id));
            items.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null && items.Count < cap);
        return (items, cursor is not null);
    }

    private async Task<(List<AppointmentSummary> Items, bool Truncated)> Appointments(Guid patientId)
    {
        var query = GrainFactory.GetGrain<IAppointmentQueryGrain>(0);
        var items = new List<AppointmentSummary>();
        for (var page = 1; items.Count < MaxAppointments; page++)
        {
            var rows = await query.ForPatient(patientId, page, AppointmentPage);
            items.AddRange(rows);
            if (rows.Count < AppointmentPage) return (items, false);
        }
        return (items, true);
    }

    public async Task<Outcome<FhirImportResult>> Import(Guid patientId, string bundleJson, bool allowDuplicate)
    {
        var e = new ValidationErrors();
        if (ParseBundle(bundleJson, e) is not { } bundle) return Outcome.Invalid(e);
        var reading = FhirObservationReader.Read(bundle, time.GetUtcNow(), e);
        if (!e.IsValid) return Outcome.Invalid(e);
        if (reading.Vitals.Count == 0) return Outcome.Ok(new FhirImportResult([], reading.Skipped));

        // One batch: every Observation is a vitals record, so one AddBatch makes the whole import all or nothing.
        var outcome = await GrainFactory.GetGrain<IHealthRecordsGrain>(patientId)
            .AddBatch("vitals", reading.Vitals.Select(v => v.RecordJson).ToList(), allowDuplicate);
        return outcome.IsOk ? Outcome.Ok(new FhirImportResult(outcome.Value!, reading.Skipped)) : InBundleTerms(outcome.Failure!, reading.Vitals);
    }

    /// <summary>
    /// Checks the text is JSON holding a Bundle before Firely reads it, so the usual mistakes get a plain answer;
    /// what Firely then refuses is reported with its own messages, which carry the element's path.
    /// </summary>
    private static Bundle? ParseBundle(string json, ValidationErrors e)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(json); }
        catch (JsonException) { e.Add("body", "is not valid JSON"); return null; }
        if (node is not JsonObject root) { e.Add("body", "must be a JSON object: a FHIR Bundle"); return null; }
        if (root["resourceType"] is not JsonValue type || !type.TryGetValue<string>(out var name) || name != "Bundle")
        {
            e.Add("resourceType", "must be Bundle");
            return null;
        }
        try
        {
            var bundle = Deserializer.Deserialize<Bundle>(json);
            if (bundle.Type is not (Bundle.BundleType.Collection or Bundle.BundleType.Transaction or Bundle.BundleType.Batch or Bundle.BundleType.Document or Bundle.BundleType.Searchset))
                e.Add("type", "must be collection (or transaction, batch, document, searchset)");
            return e.IsValid ? bundle : null;
        }
        catch (DeserializationFailedException ex)
        {
            foreach (var issue in ex.Exceptions.Take(10)) e.Add("body", issue.Message);
            return null;
        }
    }

    /// <summary>The records grain names items ("items[4].systolic"); the client sent entries, so name those.</summary>
    private static Failure InBundleTerms(Failure failure, IReadOnlyList<ImportedVital> vitals)
    {
        string Translate(string field)
        {
            if (!field.StartsWith("items[", StringComparison.Ordinal)) return field;
            var close = field.IndexOf(']');
            if (close < 0 || !int.TryParse(field.AsSpan(6, close - 6), out var i) || i < 0 || i >= vitals.Count) return field;
            var rest = field[(close + 1)..].TrimStart('.');
            return rest.Length == 0 ? $"entry[{vitals[i].EntryIndex}]" : vitals[i].PathOf(rest);
        }
        return failure with
        {
            Field = failure.Field is null ? null : Translate(failure.Field),
            Errors = failure.Errors?.ToDictionary(kv => Translate(kv.Key), kv => kv.Value),
        };
    }
}
