using System.Globalization;
using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Abstractions.Patients;
using HealthActors.Grains.Abstractions.Records;
using Hl7.Fhir.Model;

namespace HealthActors.Grains.Records.Fhir;

/// <summary>What one export holds, read by the grain before the bundle is built.</summary>
public sealed record PatientRecordSet(
    Guid PatientId,
    PatientProfile? Profile,
    IReadOnlyList<HealthRecord> Vitals,
    IReadOnlyList<HealthRecord> Medications,
    IReadOnlyList<AppointmentSummary> Appointments,
    bool Truncated);

/// <summary>
/// Builds a patient's FHIR R4 Bundle (type collection) from the Firely POCOs. Every resource gets a urn:uuid
/// fullUrl and points at the Patient by that urn, so the bundle resolves on its own without our server's URLs.
/// </summary>
public static class FhirBundleBuilder
{
    public const string RecordIdentifierSystem = "urn:healthactors:record";
    public const string DoctorIdentifierSystem = "urn:healthactors:doctor";
    public const string TruncatedTagSystem = "urn:healthactors:export";

    private const string AllergyClinical = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical";
    private const string ConditionClinical = "http://terminology.hl7.org/CodeSystem/condition-clinical";

    public static Bundle Build(PatientRecordSet set, DateTimeOffset now)
    {
        var patientUrn = Urn(set.PatientId);
        var patientRef = new ResourceReference(patientUrn);
        var bundle = new Bundle { Id = Guid.NewGuid().ToString(), Type = Bundle.BundleType.Collection, Timestamp = now };
        if (set.Truncated)
            bundle.Meta = new Meta { Tag = [new Coding(TruncatedTagSystem, "truncated", "Only the newest records are included")] };

        Add(bundle, patientUrn, Patient(set.PatientId, set.Profile));
        var profile = set.Profile ?? new PatientProfile();
        foreach (var allergy in profile.Allergies ?? [])
            Add(bundle, NewUrn(), new AllergyIntolerance
            {
                ClinicalStatus = new CodeableConcept(AllergyClinical, "active"),
                Code = new CodeableConcept { Text = allergy },
                Patient = patientRef,
            });
        foreach (var condition in profile.Conditions ?? [])
            Add(bundle, NewUrn(), new Condition
            {
                ClinicalStatus = new CodeableConcept(ConditionClinical, "active"),
                Code = new CodeableConcept { Text = condition },
                Subject = patientRef,
            });
        foreach (var medication in profile.Medications ?? [])
            if (!string.IsNullOrWhiteSpace(medication.Name))
                Add(bundle, NewUrn(), new MedicationStatement
                {
                    Status = MedicationStatement.MedicationStatusCodes.Active,
                    Medication = new CodeableConcept { Text = medication.Name },
                    Subject = patientRef,
                    Dosage = Dosage(medication.Dose, medication.Frequency, null),
                });
        foreach (var record in set.Medications) Add(bundle, Urn(record.Id), MedicationRecord(record, patientRef));
        foreach (var record in set.Vitals)
            if (Observation(record, patientRef) is { } observation) Add(bundle, Urn(record.Id), observation);
        foreach (var appointment in set.Appointments) Add(bundle, Urn(appointment.Id), Appointment(appointment, patientRef));
        return bundle;
    }

    private static void Add(Bundle bundle, string fullUrl, Resource resource) =>
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = fullUrl, Resource = resource });

    private static string Urn(Guid id) => "urn:uuid:" + id.ToString("D");

    private static string NewUrn() => Urn(Guid.NewGuid());

    private static Patient Patient(Guid id, PatientProfile? p)
    {
        var patient = new Patient { Id = id.ToString("D") };
        if (p is null) return patient;
        if (p.FirstName is not null || p.LastName is not null)
            patient.Name.Add(new HumanName { Family = p.LastName, Given = p.FirstName is null ? [] : [p.FirstName] });
        patient.Gender = p.Sex switch
        {
            "female" => AdministrativeGender.Female,
            "male" => AdministrativeGender.Male,
            "intersex" => AdministrativeGender.Other,
            "unknown" => AdministrativeGender.Unknown,
            _ => null,
        };
        if (p.BirthDate is { } born) patient.BirthDate = born.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (p.Phone is not null) patient.Telecom.Add(new ContactPoint(ContactPoint.ContactPointSystem.Phone, null, p.Phone));
        if (p.PreferredLanguage is not null)
            patient.Communication.Add(new Patient.CommunicationComponent { Language = new CodeableConcept { Text = p.PreferredLanguage } });
        if (p.EmergencyContact is { } c)
            patient.Contact.Add(new Patient.ContactComponent
            {
                Name = c.Name is null ? null : new HumanName { Text = c.Name },
                Telecom = c.Phone is null ? [] : [new ContactPoint(ContactPoint.ContactPointSystem.Phone, null, c.Phone)],
                Relationship = c.Relationship is null ? [] : [new CodeableConcept { Text = c.Relationship }],
            });
        return patient;
    }

    private static List<Dosage> Dosage(string? dose, string? frequency, string? instructions)
    {
        var text = string.Join(", ", new[] { dose, frequency }.Where(s => !string.IsNullOrWhiteSpace(s)));
        if (text.Length == 0 && instructions is null) return [];
        return [new Dosage { Text = text.Length == 0 ? null : text, PatientInstruction = instructions }];
    }

    private static MedicationStatement MedicationRecord(HealthRecord r, ResourceReference patient)
    {
        var v = JsonNode.Parse(r.Payload)!.AsObject();
        return new MedicationStatement
        {
            Id = r.Id.ToString("D"),
            Identifier = [new Identifier(RecordIdentifierSystem, r.Id.ToString("D"))],
            Status = v["active"]?.GetValue<bool>() == false ? MedicationStatement.MedicationStatusCodes.Stopped : MedicationStatement.MedicationStatusCodes.Active,
            Medication = new CodeableConcept { Text = v["name"]?.GetValue<string>() },
            Subject = patient,
            DateAssertedElement = new FhirDateTime(r.RecordedAt),
            Dosage = Dosage(v["dose"]?.GetValue<string>(), v["frequency"]?.GetValue<string>(), v["instructions"]?.GetValue<string>()),
            Note = r.Note is null ? [] : [new Annotation { Text = new Markdown(r.Note) }],
        };
    }

    /// <summary>A vitals record as a vital-signs Observation; null for a type this table does not code (none today).</summary>
    public static Observation? Observation(HealthRecord r, ResourceReference patient)
    {
        var v = JsonNode.Parse(r.Payload)!.AsObject();
        var coding = FhirVitals.ForRecord(r.Type, v["unit"]?.GetValue<string>());
        if (coding is null) return null;
        var o = new Observation
        {
            Id = r.Id.ToString("D"),
            Meta = new Meta { Profile = coding.Profile is null ? [] : [FhirVitals.VitalSignsProfile, coding.Profile] },
            Identifier = [new Identifier(RecordIdentifierSystem, r.Id.ToString("D"))],
            Status = ObservationStatus.Final,
            Category = [FhirVitals.VitalSignsCategory()],
            Code = new CodeableConcept(FhirVitals.LoincSystem, coding.Loinc, coding.Display, coding.Display),
            Subject = patient,
            Effective = new FhirDateTime(r.RecordedAt),
            Note = r.Note is null ? [] : [new Annotation { Text = new Markdown(r.Note) }],
        };
        if (coding.Type == "blood-pressure")
        {
            o.Component.Add(Component(FhirVitals.SystolicCode, "Systolic blood pressure", v["systolic"]!.GetValue<decimal>(), coding));
            o.Component.Add(Component(FhirVitals.DiastolicCode, "Diastolic blood pressure", v["diastolic"]!.GetValue<decimal>(), coding));
        }
        else o.Value = FhirVitals.Quantity(v["value"]!.GetValue<decimal>(), coding.Ucum, coding.UnitText);
        return o;
    }

    private static Observation.ComponentComponent Component(string loinc, string display, decimal value, VitalCoding coding) => new()
    {
        Code = new CodeableConcept(FhirVitals.LoincSystem, loinc, display, display),
        Value = FhirVitals.Quantity(value, coding.Ucum, coding.UnitText),
    };

    private static Appointment Appointment(AppointmentSummary a, ResourceReference patient) => new()
    {
        Id = a.Id.ToString("D"),
        Status = a.Status switch
        {
            AppointmentStatus.Booked => Hl7.Fhir.Model.Appointment.AppointmentStatus.Booked,
            AppointmentStatus.Completed => Hl7.Fhir.Model.Appointment.AppointmentStatus.Fulfilled,
            AppointmentStatus.NoShow => Hl7.Fhir.Model.Appointment.AppointmentStatus.Noshow,
            _ => Hl7.Fhir.Model.Appointment.AppointmentStatus.Cancelled,
        },
        Start = a.Start,
        End = a.End,
        Participant =
        [
            new Appointment.ParticipantComponent { Actor = patient, Status = ParticipationStatus.Accepted },
            // The doctor is not in the bundle: a logical reference by our id says who without a URL to resolve.
            new Appointment.ParticipantComponent
            {
                Actor = new ResourceReference { Identifier = new Identifier(DoctorIdentifierSystem, a.DoctorId.ToString("D")), Type = "Practitioner" },
                Status = ParticipationStatus.Accepted,
            },
        ],
    };
}
