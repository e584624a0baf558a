using HealthActors.Grains.Abstractions.Common;

namespace HealthActors.Grains.Abstractions.Records;

/// <summary>The latest version of one record. Payload is the kind's values as canonical JSON.</summary>
[GenerateSerializer, Immutable, Alias("ha.records.HealthRecord")]
public sealed record HealthRecord(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string Kind,
    [property: Id(2)] string? Type,
    [property: Id(3)] DateTimeOffset RecordedAt,
    [property: Id(4)] string Payload,
    [property: Id(5)] string? Note,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] int Version);

/// <summary>A page of records, newest first; NextCursor is null on the last page.</summary>
[GenerateSerializer, Immutable, Alias("ha.records.RecordPage")]
public sealed record RecordPage(
    [property: Id(0)] IReadOnlyList<HealthRecord> Items,
    [property: Id(1)] string? NextCursor);

[GenerateSerializer, Immutable, Alias("ha.records.RecordQuery")]
public sealed record RecordQuery(
    [property: Id(0)] string Kind,
    [property: Id(1)] string? Type,
    [property: Id(2)] DateTimeOffset? From,
    [property: Id(3)] DateTimeOffset? To,
    [property: Id(4)] int Limit,
    [property: Id(5)] DateTimeOffset? AfterRecordedAt,
    [property: Id(6)] Guid? AfterId);

public static class RecordReasons
{
    /// <summary>A live record of the same kind, type and values lies within five minutes; the problem names it.</summary>
    public const string Duplicate = "DuplicateRecord";
    public const string ExistingRecordId = "existingRecordId";
}

/// <summary>
/// One patient's health record (keyed by patient id): every write passes here, so the duplicate check and the
/// version numbers see each other's effects. Bodies arrive as JSON text and are checked again here.
/// </summary>
[Alias("ha.records.IHealthRecordsGrain")]
public interface IHealthRecordsGrain : IGrainWithGuidKey
{
    [Alias("Add")] Task<Outcome<HealthRecord>> Add(string kind, string json, bool allowDuplicate);
    /// <summary>All or nothing: any bad item refuses the batch, each error named "items[i].field".</summary>
    [Alias("AddBatch")] Task<Outcome<IReadOnlyList<HealthRecord>>> AddBatch(string kind, IReadOnlyList<string> items, bool allowDuplicate);
    [Alias("Replace")] Task<Outcome<HealthRecord>> Replace(string kind, Guid id, string json, bool allowDuplicate);
    [Alias("Delete")] Task<Outcome<HealthRecord>> Delete(string kind, Guid id);
    /// <summary>The newest live reading of each vital type.</summary>
    [Alias("LatestVitals")] Task<IReadOnlyList<HealthRecord>> LatestVitals();
}

/// <summary>Reads a patient's records straight from the table; any activation serves any patient.</summary>
[Alias("ha.records.IHealthRecordQueryGrain")]
public interface IHealthRecordQueryGrain : IGrainWithIntegerKey
{
    [Alias("List")] Task<RecordPage> List(Guid patientId, RecordQuery query);
    [Alias("Get")] Task<HealthRecord?> Get(Guid patientId, string kind, Guid id);
}
