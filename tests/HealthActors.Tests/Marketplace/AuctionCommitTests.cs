using HealthActors.Grains.Abstractions.Marketplace;
using HealthActors.Grains.Marketplace;
using HealthActors.Grains.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace HealthActors.Tests.Marketplace;

/// <summary>
/// The auction's one commit per change, against PostgreSQL: all or nothing, and nothing at all for a writer that
/// does not hold the last write's token (a second activation after a crash).
/// </summary>
public sealed class AuctionCommitTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_commit_with_a_stale_token_writes_neither_state_nor_bid_nor_events()
    {
        await using var db = await Database();
        var store = new PostgresMarketStore(db);
        var id = Guid.NewGuid();
        var first = Guid.NewGuid();
        Assert.True(await store.Commit(Change(id, expected: null, written: first, seq: 1, bidCount: 1, state: [1])));

        // A second activation that read before the first write and now writes seq 2 on top of nothing.
        var stale = Change(id, expected: null, written: Guid.NewGuid(), seq: 2, bidCount: 2, state: [2]);
        Assert.False(await store.Commit(stale));

        await AssertStored(store, id, [1], first);
        Assert.Equal(1, await MarketDb.Scalar("SELECT count(*) FROM auction_bids WHERE auction_id = $1", id));
        Assert.Equal([1L], (await MarketDb.Events(id)).Select(e => e.Seq));
        Assert.Equal(1, await MarketDb.Scalar("SELECT bid_count FROM auctions WHERE id = $1", id));

        // The holder of the token carries on.
        var second = Guid.NewGuid();
        Assert.True(await store.Commit(Change(id, expected: first, written: second, seq: 2, bidCount: 2, state: [3])));
        await AssertStored(store, id, [3], second);
        Assert.Equal([1L, 2L], (await MarketDb.Events(id)).Select(e => e.Seq));
    }

    [Fact]
    public async Task A_failing_statement_rolls_back_the_whole_change()
    {
        await using var db = await Database();
        var store = new PostgresMarketStore(db);
        var id = Guid.NewGuid();
        var first = Guid.NewGuid();
        Assert.True(await store.Commit(Change(id, expected: null, written: first, seq: 1, bidCount: 1, state: [1])));

        // Seq 1 again: the event insert fails after the state and the bid statements of the same batch ran.
        var clash = Change(id, expected: first, written: Guid.NewGuid(), seq: 1, bidCount: 2, state: [2]);
        await Assert.ThrowsAsync<PostgresException>(() => store.Commit(clash));

        await AssertStored(store, id, [1], first);
        Assert.Equal(0, await MarketDb.Scalar("SELECT count(*) FROM auction_bids WHERE id = $1", clash.Bids[0].Id));
        Assert.Equal(1, await MarketDb.Scalar("SELECT bid_count FROM auctions WHERE id = $1", id));
    }

    [Fact]
    public async Task Standing_rows_are_set_replaced_and_removed_with_the_state_and_not_at_all_by_a_stale_token()
    {
        await using var db = await Database();
        var store = new PostgresMarketStore(db);
        var id = Guid.NewGuid();
        var (a, b, c) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var first = Guid.NewGuid();
        Assert.True(await store.Commit(Change(id, null, first, seq: 1, bidCount: 2, state: [1]) with { Standing = [new(a, [1]), new(b, [2])] }));
        Assert.Equal([[1], [2]], Rows(await store.LoadState(id)));

        var second = Guid.NewGuid();
        Assert.True(await store.Commit(Change(id, first, second, seq: 2, bidCount: 1, state: [2]) with { Standing = [new(a, [3])], Unstanding = [b] }));
        Assert.Equal([[3]], Rows(await store.LoadState(id)));

        // A writer without the token changes no row: neither the one it sets nor the one it removes.
        Assert.False(await store.Commit(Change(id, first, Guid.NewGuid(), seq: 3, bidCount: 1, state: [3]) with { Standing = [new(c, [4])], Unstanding = [a] }));
        var stored = await store.LoadState(id);
        Assert.Equal([[3]], Rows(stored));
        Assert.Equal(second, stored!.Etag);
    }

    private static List<byte[]> Rows(StoredAuctionState? stored) => [.. stored!.Standing.OrderBy(r => r[0])];

    private static async Task<NpgsqlDataSource> Database()
    {
        var db = NpgsqlDataSource.Create(TestEnvironment.Postgres);
        await SchemaMigrator.ApplyAsync(db, NullLogger.Instance);
        return db;
    }

    private static async Task AssertStored(IMarketStore store, Guid id, byte[] state, Guid etag)
    {
        var stored = await store.LoadState(id);
        Assert.NotNull(stored);
        Assert.Equal(state, stored.State);
        Assert.Equal(etag, stored.Etag);
    }

    private static AuctionCommit Change(Guid auctionId, Guid? expected, Guid written, long seq, int bidCount, byte[] state)
    {
        var bid = new Bid(Guid.NewGuid(), Guid.NewGuid(), "Dr Test", 0, 80 - seq, Now.AddDays(1), Now.AddDays(1).AddMinutes(30), null, Now, seq);
        var summary = new AuctionSummary(auctionId, Guid.NewGuid(), Guid.NewGuid(), AuctionStatus.Open, Now.AddHours(1), 100, "USD",
            Now.AddDays(1), Now.AddDays(2), bidCount, Now);
        var e = new AuctionEvent(auctionId, seq, AuctionEventTypes.BidPlaced, bid, null, summary.ClosesAt, AuctionStatus.Open, null, null, Now);
        return new AuctionCommit(summary, state, expected, written, [bid], [e], [], []);
    }
}
