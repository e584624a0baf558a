using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Records;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace HealthActors.UnitTests.Records;

/// <summary>
/// In one process Orleans may pass immutable values by reference; between an Api client and a silo they are
/// serialized. These round trips are what crosses that wire.
/// </summary>
public sealed class RecordSerializationTests
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    private static T RoundTrip<T>(T value) => Serializer.Deserialize<T>(Serializer.SerializeToArray(value))!;

    [Fact]
    public void A_duplicate_failure_keeps_the_existing_record_id()
    {
        var id = Guid.NewGuid().ToString();
        Outcome<HealthRecord> sent = new Failure(FailureKind.Conflict, "dup", "items[2]", RecordReasons.Duplicate,
            Extensions: new Dictionary<string, string> { [RecordReasons.ExistingRecordId] = id });
        var got = RoundTrip(sent).Failure!;
        Assert.Equal(id, got.Extensions![RecordReasons.ExistingRecordId]);
        Assert.Equal("items[2]", got.Field);
    }

    [Fact]
    public void Records_pages_and_queries_round_trip()
    {
        var record = new HealthRecord(Guid.NewGuid(), "vitals", "spo2", DateTimeOffset.UtcNow, """{"value":97,"unit":"%"}""", "ok", DateTimeOffset.UtcNow, 2);
        Assert.Equal(record, RoundTrip(record));
        var page = RoundTrip(new RecordPage([record], "cursor"));
        Assert.Equal(record, Assert.Single(page.Items));
        var query = new RecordQuery("vitals", "spo2", DateTimeOffset.UtcNow.AddDays(-1), null, 25, DateTimeOffset.UtcNow, Guid.NewGuid());
        Assert.Equal(query, RoundTrip(query));
    }
}
