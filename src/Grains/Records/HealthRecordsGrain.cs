using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Records;
using HealthActors.Grains.Storage;

namespace HealthActors.Grains.Records;

/// <summary>
/// One patient's record writer. Non-reentrant, so a duplicate check and the append that follows it, or two
/// edits of one record, never interleave. The newest reading of each vital type is kept hot (at most one per
/// type); it is rebuilt from the table on activation, so there is no second copy to drift from the table.
/// </summary>
public sealed class HealthRecordsGrain(IHealthRecordStore store, TimeProvider time) : Grain, IHealthRecordsGrain
{
    private const string Vitals = "vitals";
    private readonly Dictionary<string, HealthRecord> _latestVitals = new(StringComparer.Ordinal);

    private Guid PatientId => this.GetPrimaryKey();

    // Activation reads pass no call filter: a database outage must still reach the caller as a 503 (StorageFaults).
    public override Task OnActivateAsync(CancellationToken cancellationToken) => StorageFaults.DuringActivation(() => Activate(cancellationToken));

    private async Task Activate(CancellationToken cancellationToken)
    {
        foreach (var r in await store.NewestPerType(PatientId, Vitals)) _latestVitals[r.Type!] = r;
    }

    public async Task<Outcome<HealthRecord>> Add(string kind, string json, bool allowDuplicate)
    {
        var result = await AddBatch(kind, [json], allowDuplicate, single: true);
        return result.IsOk ? Outcome.Ok(result.Value![0]) : result.Failure!;
    }

    public Task<Outcome<IReadOnlyList<HealthRecord>>> AddBatch(string kind, IReadOnlyList<string> items, bool allowDuplicate) =>
        AddBatch(kind, items, allowDuplicate, single: false);

    private async Task<Outcome<IReadOnlyList<HealthRecord>>> AddBatch(string kind, IReadOnlyList<string> items, bool allowDuplicate, bool single)
    {
        if (!HealthRecordRules.IsKind(kind)) return Outcome.NotFound();
        var e = new ValidationErrors();
        if (items.Count == 0) e.Add("items", "must hold at least one record");
        if (items.Count > HealthRecordRules.MaxBatch) e.Add("items", $"must hold at most {HealthRecordRules.MaxBatch} records");
        if (!e.IsValid) return Outcome.Invalid(e);

        var now = time.GetUtcNow();
        // PostgreSQL keeps microseconds: the 201 should say what a later read will.
        var createdAt = new DateTimeOffset(now.UtcTicks - now.UtcTicks % 10, TimeSpan.Zero);
        var drafts = new List<RecordDraft>(items.Count);
        for (var i = 0; i < items.Count; i++)
            if (HealthRecordRules.Parse(kind, items[i], now, e, single ? "" : $"items[{i}].") is { } d) drafts.Add(d);
        if (!e.IsValid) return Outcome.Invalid(e);

        if (!allowDuplicate)
            for (var i = 0; i < drafts.Count; i++)
                if (await store.FindDuplicate(PatientId, drafts[i], HealthRecordRules.DuplicateWindow, except: null) is { } existing)
                    return Duplicate(existing, single ? null : $"items[{i}]");

        var records = drafts.Select(d => new HealthRecord(Guid.NewGuid(), kind, d.Type, d.RecordedAt, d.Payload, d.Note, createdAt, 1)).ToList();
        await store.Append(records.Select(r => new RecordRow(PatientId, r, Deleted: false)).ToList());
        foreach (var r in records) KeepIfNewest(r);
        return Outcome.Ok<IReadOnlyList<HealthRecord>>(records);
    }

    public async Task<Outcome<HealthRecord>> Replace(string kind, Guid id, string json, bool allowDuplicate)
    {
        if (!HealthRecordRules.IsKind(kind)) return Outcome.NotFound();
        if (await store.Latest(PatientId, kind, id) is not { Deleted: false } current) return Outcome.NotFound();
        var e = new ValidationErrors();
        if (HealthRecordRules.Parse(kind, json, time.GetUtcNow(), e) is not { } d) return Outcome.Invalid(e);
        if (!allowDuplicate && await store.FindDuplicate(PatientId, d, HealthRecordRules.DuplicateWindow, except: id) is { } existing)
            return Duplicate(existing, null);

        // The record keeps its id and creation time; the new version says what it is now.
        var next = current.Record with { Type = d.Type, RecordedAt = d.RecordedAt, Payload = d.Payload, Note = d.Note, Version = current.Record.Version + 1 };
        await store.Append([new RecordRow(PatientId, next, Deleted: false)]);
        await RefreshVital(current.Record, next);
        return Outcome.Ok(next);
    }

    public async Task<Outcome<HealthRecord>> Delete(string kind, Guid id)
    {
        if (!HealthRecordRules.IsKind(kind)) return Outcome.NotFound();
        if (await store.Latest(PatientId, kind, id) is not { Deleted: false } current) return Outcome.NotFound();
        var tombstone = current.Record with { Version = current.Record.Version + 1 };
        await store.Append([new RecordRow(PatientId, tombstone, Deleted: true)]);
        await RefreshVital(current.Record, null);
        return Outcome.Ok(tombstone);
    }

    public Task<IReadOnlyList<HealthRecord>> LatestVitals() =>
        Task.FromResult<IReadOnlyList<HealthRecord>>(_latestVitals.Values.OrderBy(r => r.Type, StringComparer.Ordinal).ToList());

    private static Failure Duplicate(Guid existing, string? field) => new(
        FailureKind.Conflict, "A record with the same values lies within five minutes of this one; send allowDuplicate=true to keep both.",
        field, RecordReasons.Duplicate, Extensions: new Dictionary<string, string> { [RecordReasons.ExistingRecordId] = existing.ToString() });

    private void KeepIfNewest(HealthRecord r)
    {
        if (r.Kind != Vitals || r.Type is null) return;
        if (!_latestVitals.TryGetValue(r.Type, out var held) || r.RecordedAt >= held.RecordedAt) _latestVitals[r.Type] = r;
    }

    /// <summary>An edit or delete of the hot reading (or one moved away from its type) asks the table which is newest now.</summary>
    private async Task RefreshVital(HealthRecord before, HealthRecord? after)
    {
        if (before.Kind != Vitals) return;
        var touched = new[] { before.Type, after?.Type }.OfType<string>().Distinct().ToList();
        if (touched.All(t => !_latestVitals.TryGetValue(t, out var held) || held.Id != before.Id))
        {
            if (after is not null) KeepIfNewest(after);
            return;
        }
        _latestVitals.Clear();
        foreach (var r in await store.NewestPerType(PatientId, Vitals)) _latestVitals[r.Type!] = r;
    }
}

[Orleans.Concurrency.StatelessWorker]
public sealed class HealthRecordQueryGrain(IHealthRecordStore store) : Grain, IHealthRecordQueryGrain
{
    public Task<RecordPage> List(Guid patientId, RecordQuery query) => ListPage(patientId, query);

    private async Task<RecordPage> ListPage(Guid patientId, RecordQuery query)
    {
        // One row more than asked tells whether another page exists without a count.
        var rows = await store.List(patientId, query with { Limit = query.Limit + 1 });
        var items = rows.Take(query.Limit).ToList();
        var next = rows.Count > query.Limit ? HealthRecordRules.EncodeCursor(items[^1].RecordedAt, items[^1].Id) : null;
        return new RecordPage(items, next);
    }

    public async Task<HealthRecord?> Get(Guid patientId, string kind, Guid id) =>
        await store.Latest(patientId, kind, id) is { Deleted: false } row ? row.Record : null;
}
