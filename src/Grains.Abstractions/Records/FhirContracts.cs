using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;

namespace HealthActors.Grains.Abstractions.Records;

/// <summary>A bundle entry the import left alone: its index in Bundle.entry, its resource type and why.</summary>
[GenerateSerializer, Immutable, Alias("ha.records.FhirSkippedEntry")]
public sealed record FhirSkippedEntry(
    [property: Id(0)] int Index,
    [property: Id(1)] string ResourceType,
    [property: Id(2)] string Reason);

/// <summary>What an import stored (the new vitals records, in bundle order) and what it skipped.</summary>
[GenerateSerializer, Immutable, Alias("ha.records.FhirImportResult")]
public sealed record FhirImportResult(
    [property: Id(0)] IReadOnlyList<HealthRecord> Imported,
    [property: Id(1)] IReadOnlyList<FhirSkippedEntry> Skipped);

/// <summary>An export as FHIR R4 JSON, with whether a cap cut the history short.</summary>
[GenerateSerializer, Immutable, Alias("ha.records.FhirExport")]
public sealed record FhirExport(
    [property: Id(0)] string Json,
    [property: Id(1)] bool Truncated);

/// <summary>
/// A patient's record as FHIR R4 and back. Stateless: the export reads through the record, appointment and patient
/// grains, the import writes through <see cref="IHealthRecordsGrain.AddBatch"/>, so the rules and the duplicate check are theirs.
/// </summary>
[Alias("ha.records.IFhirGrain")]
public interface IFhirGrain : IGrainWithIntegerKey
{
    /// <summary>The patient's Bundle (type collection); null when <paramref name="caller"/> may not read it (answer 404).</summary>
    [Alias("Export")] Task<FhirExport?> Export(Guid patientId, Caller caller);

    /// <summary>
    /// Stores the vital-sign Observations of a Bundle as vitals records, all or nothing; other resources are skipped.
    /// Errors name the entry ("entry[3].resource.code").
    /// </summary>
    [Alias("Import")] Task<Outcome<FhirImportResult>> Import(Guid patientId, string bundleJson, bool allowDuplicate);
}
