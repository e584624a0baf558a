using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Records;
using HealthActors.Grains.Records.Fhir;
using Hl7.Fhir.Model;

namespace HealthActors.UnitTests.Records;

/// <summary>The FHIR mapping without a server: each stored vital becomes an Observation that reads back as the same record body.</summary>
public sealed class FhirMappingTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset At = new(2026, 5, 30, 8, 15, 30, 250, TimeSpan.Zero);

    private static HealthRecord Vital(string type, string payload, string? note = null) =>
        new(Guid.NewGuid(), "vitals", type, At, payload, note, Now, 1);

    private static Bundle Of(params Resource[] resources)
    {
        var b = new Bundle { Type = Bundle.BundleType.Collection };
        foreach (var r in resources) b.Entry.Add(new Bundle.EntryComponent { Resource = r });
        return b;
    }

    public static TheoryData<string, string> EveryVital => new()
    {
        { "blood-pressure", """{"systolic":128,"diastolic":82}""" },
        { "heart-rate", """{"value":64,"unit":"bpm"}""" },
        { "glucose", """{"value":97,"unit":"mg/dL"}""" },
        { "glucose", """{"value":5.4,"unit":"mmol/L"}""" },
        { "temperature", """{"value":36.8,"unit":"°C"}""" },
        { "spo2", """{"value":97,"unit":"%"}""" },
        { "weight", """{"value":61.35,"unit":"kg"}""" },
        { "respiratory-rate", """{"value":14,"unit":"/min"}""" },
    };

    [Theory]
    [MemberData(nameof(EveryVital))]
    public void A_stored_vital_exported_and_read_back_is_the_same_record(string type, string payload)
    {
        var record = Vital(type, payload, "seated");
        var observation = FhirBundleBuilder.Observation(record, new ResourceReference("urn:uuid:" + Guid.NewGuid()))!;
        var e = new ValidationErrors();

        var reading = FhirObservationReader.Read(Of(observation), Now, e);

        Assert.True(e.IsValid, string.Join("; ", e.ToDictionary().Select(kv => $"{kv.Key}: {string.Join(",", kv.Value)}")));
        var imported = new ValidationErrors();
        var draft = HealthRecordRules.Parse("vitals", Assert.Single(reading.Vitals).RecordJson, Now, imported)!;
        Assert.Equal(type, draft.Type);
        Assert.Equal(At, draft.RecordedAt);
        Assert.Equal("seated", draft.Note);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(payload), JsonNode.Parse(draft.Payload)), $"{payload} came back as {draft.Payload}");
    }

    [Fact]
    public void Glucose_coded_2339_0_is_also_taken_in_mmol_per_litre_as_many_apps_send_it()
    {
        var o = new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept(FhirVitals.LoincSystem, "2339-0"),
            Effective = new FhirDateTime(At),
            Value = FhirVitals.Quantity(5.4m, "mmol/L", "mmol/L"),
        };
        var e = new ValidationErrors();
        var vital = Assert.Single(FhirObservationReader.Read(Of(o), Now, e).Vitals);
        Assert.Equal("mmol/L", JsonNode.Parse(vital.RecordJson)!["unit"]!.GetValue<string>());
    }

    [Fact]
    public void Readings_entered_in_error_and_other_resources_are_skipped_by_index_and_type()
    {
        var wrong = new Observation
        {
            Status = ObservationStatus.EnteredInError,
            Code = new CodeableConcept(FhirVitals.LoincSystem, "8867-4"),
            Effective = new FhirDateTime(At),
            Value = FhirVitals.Quantity(64, "/min", "beats/minute"),
        };
        var e = new ValidationErrors();
        var reading = FhirObservationReader.Read(Of(new Patient(), wrong, new Condition()), Now, e);
        Assert.True(e.IsValid);
        Assert.Empty(reading.Vitals);
        Assert.Equal([(0, "Patient"), (1, "Observation"), (2, "Condition")], reading.Skipped.Select(s => (s.Index, s.ResourceType)));
    }

    [Fact]
    public void More_observations_than_one_batch_takes_are_refused_whole()
    {
        var many = Enumerable.Range(0, HealthRecordRules.MaxBatch + 1).Select(i => (Resource)new Observation
        {
            Status = ObservationStatus.Final,
            Code = new CodeableConcept(FhirVitals.LoincSystem, "8867-4"),
            Effective = new FhirDateTime(At.AddMinutes(-i)),
            Value = FhirVitals.Quantity(64, "/min", "beats/minute"),
        }).ToArray();
        var e = new ValidationErrors();
        FhirObservationReader.Read(Of(many), Now, e);
        Assert.Contains("entry", e.ToDictionary().Keys);
    }
}

public sealed class FhirBundleBuilderTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_cut_export_is_tagged_and_every_resource_points_at_the_patient_in_the_bundle()
    {
        var patientId = Guid.NewGuid();
        var vital = new HealthRecord(Guid.NewGuid(), "vitals", "heart-rate", Now.AddHours(-1), """{"value":64,"unit":"bpm"}""", null, Now, 1);
        var profile = new Grains.Abstractions.Patients.PatientProfile { FirstName = "Ana", LastName = "García", Allergies = ["latex"], Conditions = ["asthma"] };
        var set = new PatientRecordSet(patientId, profile, [vital], [], [], Truncated: true);

        var bundle = FhirBundleBuilder.Build(set, Now);

        Assert.Contains(bundle.Meta!.Tag, t => t.System == FhirBundleBuilder.TruncatedTagSystem && t.Code == "truncated");
        var patientUrl = "urn:uuid:" + patientId;
        Assert.Equal(patientUrl, bundle.Entry[0].FullUrl);
        Assert.Equal(patientUrl, bundle.Entry.Select(e => e.Resource).OfType<AllergyIntolerance>().Single().Patient!.Reference);
        Assert.Equal(patientUrl, bundle.Entry.Select(e => e.Resource).OfType<Condition>().Single().Subject!.Reference);
        Assert.Equal(patientUrl, bundle.Entry.Select(e => e.Resource).OfType<Observation>().Single().Subject!.Reference);
        Assert.All(bundle.Entry, e => Assert.StartsWith("urn:uuid:", e.FullUrl));
        Assert.Null(FhirBundleBuilder.Build(set with { Truncated = false }, Now).Meta);
    }
}
