using Hl7.Fhir.Model;

namespace HealthActors.Grains.Records.Fhir;

/// <summary>
/// How one vital type is coded in FHIR: its LOINC code, the UCUM unit of its quantity, the unit a record stores
/// (null for blood pressure, which keeps two values) and the HL7 vital-signs profile it meets, if any.
/// </summary>
public sealed record VitalCoding(string Type, string Loinc, string Display, string Ucum, string UnitText, string? RecordUnit, string? Profile);

/// <summary>The one table of LOINC codes and UCUM units the export writes and the import reads.</summary>
public static class FhirVitals
{
    public const string LoincSystem = "http://loinc.org";
    public const string UcumSystem = "http://unitsofmeasure.org";
    public const string CategorySystem = "http://terminology.hl7.org/CodeSystem/observation-category";
    public const string VitalSignsProfile = "http://hl7.org/fhir/StructureDefinition/vitalsigns";
    public const string SystolicCode = "8480-6";
    public const string DiastolicCode = "8462-4";
    public const string MillimetresOfMercury = "mm[Hg]";

    private const string Hl7Profiles = "http://hl7.org/fhir/StructureDefinition/";

    public static readonly IReadOnlyList<VitalCoding> Codings =
    [
        new("blood-pressure", "85354-9", "Blood pressure panel with all children optional", MillimetresOfMercury, "mmHg", null, Hl7Profiles + "bp"),
        new("heart-rate", "8867-4", "Heart rate", "/min", "beats/minute", "bpm", Hl7Profiles + "heartrate"),
        new("glucose", "2339-0", "Glucose [Mass/volume] in Blood", "mg/dL", "mg/dL", "mg/dL", null),
        // 2339-0 is a mass concentration: a reading taken in mmol/L is a substance concentration, which LOINC codes apart.
        new("glucose", "15074-8", "Glucose [Moles/volume] in Blood", "mmol/L", "mmol/L", "mmol/L", null),
        new("temperature", "8310-5", "Body temperature", "Cel", "°C", "°C", Hl7Profiles + "bodytemp"),
        new("spo2", "2708-6", "Oxygen saturation in Arterial blood", "%", "%", "%", Hl7Profiles + "oxygensat"),
        new("weight", "29463-7", "Body weight", "kg", "kg", "kg", Hl7Profiles + "bodyweight"),
        new("respiratory-rate", "9279-1", "Respiratory rate", "/min", "breaths/minute", "/min", Hl7Profiles + "resprate"),
    ];

    /// <summary>The coding of a stored reading: by type, and for glucose by the unit it was taken in.</summary>
    public static VitalCoding? ForRecord(string? type, string? unit) =>
        Codings.FirstOrDefault(c => c.Type == type && (c.RecordUnit is null || type != "glucose" || c.RecordUnit == unit));

    /// <summary>The codings an imported LOINC code may stand for (2339-0 is also accepted in mmol/L, as many apps send it).</summary>
    public static IReadOnlyList<VitalCoding> ForLoinc(string code) =>
        code == "2339-0" ? Codings.Where(c => c.Type == "glucose").ToList() : Codings.Where(c => c.Loinc == code).ToList();

    public static CodeableConcept VitalSignsCategory() =>
        new(CategorySystem, "vital-signs", "Vital Signs");

    public static Quantity Quantity(decimal value, string ucum, string unitText) =>
        new() { Value = value, Unit = unitText, System = UcumSystem, Code = ucum };
}
