using HealthActors.Grains.Abstractions.Records;
using HealthActors.Grains.Records;

namespace HealthActors.UnitTests.Records;

/// <summary>The embedded mode's store keeps the PostgreSQL store's rules: latest live version, keyset order.</summary>
public sealed class InMemoryHealthRecordStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static HealthRecord Water(DateTimeOffset at, int ml, int version = 1, Guid? id = null) =>
        new(id ?? Guid.NewGuid(), "water", null, at, $$"""{"ml":{{ml}}}""", null, T0, version);

    [Fact]
    public async Task Paging_by_cursor_visits_every_live_record_once_newest_first()
    {
        var store = new InMemoryHealthRecordStore();
        var patient = Guid.NewGuid();
        // Three records per timestamp, so the id decides the order within one.
        var records = Enumerable.Range(0, 30).Select(i => Water(T0.AddHours(i / 3), 100 + i)).ToList();
        await store.Append(records.Select(r => new RecordRow(patient, r, false)).ToList());
        await store.Append([new RecordRow(Guid.NewGuid(), Water(T0, 1), false)]);

        var seen = new List<HealthRecord>();
        RecordQuery query = new("water", null, null, null, 7, null, null);
        while (true)
        {
            var page = await store.List(patient, query);
            seen.AddRange(page);
            if (page.Count < 7) break;
            query = query with { AfterRecordedAt = page[^1].RecordedAt, AfterId = page[^1].Id };
        }
        Assert.Equal(records.Select(r => r.Id).Order(), seen.Select(r => r.Id).Order());
        for (var i = 1; i < seen.Count; i++) Assert.True(seen[i - 1].RecordedAt >= seen[i].RecordedAt);
    }

    [Fact]
    public async Task Only_the_latest_live_version_is_read_or_counts_as_a_duplicate()
    {
        var store = new InMemoryHealthRecordStore();
        var patient = Guid.NewGuid();
        var first = Water(T0, 250);
        await store.Append([new RecordRow(patient, first, false)]);
        await store.Append([new RecordRow(patient, first with { Payload = """{"ml":330}""", Version = 2 }, false)]);

        var draft = new RecordDraft("water", null, T0.AddMinutes(2), """{"ml":250}""", null);
        Assert.Null(await store.FindDuplicate(patient, draft, HealthRecordRules.DuplicateWindow, null));
        Assert.Equal(first.Id, await store.FindDuplicate(patient, draft with { Payload = """{"ml":330}""" }, HealthRecordRules.DuplicateWindow, null));
        Assert.Equal(2, (await store.Latest(patient, "water", first.Id))!.Record.Version);

        await store.Append([new RecordRow(patient, first with { Version = 3 }, true)]);
        Assert.True((await store.Latest(patient, "water", first.Id))!.Deleted);
        Assert.Empty(await store.List(patient, new RecordQuery("water", null, null, null, 10, null, null)));
        Assert.Null(await store.Latest(Guid.NewGuid(), "water", first.Id));
    }
}
