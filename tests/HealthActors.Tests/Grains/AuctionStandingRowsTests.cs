using HealthActors.Grains.Abstractions.Marketplace;
using HealthActors.Grains.Marketplace;
using HealthActors.Tests.Marketplace;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Core.Internal;
using Orleans.Serialization;
using Orleans.TestingHost;

namespace HealthActors.Tests.Grains;

/// <summary>
/// The auction's standing bids are rows of their own, written in the same commit as the auction's state: a commit
/// writes the bids it changed and a state that does not grow with the standing bids, a new activation rebuilds the
/// same auction from them, and an auction stored with its bids inside its state is read as before and moved to rows
/// by its next commit.
/// </summary>
[Collection(RulesCollection.Name)]
public sealed class AuctionStandingRowsTests(RulesClusterFixture fx)
{
    [Fact]
    public async Task The_state_does_not_grow_with_the_standing_bids_which_are_rows_a_new_activation_reads_back_unchanged()
    {
        var specialty = await fx.SpecialtyAsync();
        var (id, auction, patient, doctors, from) = await AuctionGrainKit.OpenAuction(fx, specialty, 8);
        Assert.True((await auction.PlaceBid(doctors[0], 500m, from, "first")).IsOk);
        var stateWithOne = await StateBytes(id);
        for (var i = 1; i < doctors.Count; i++)
            Assert.True((await auction.PlaceBid(doctors[i], 400m - i, from.AddMinutes(30 * i), "bid " + i)).IsOk);
        // A replacement: the doctor's row is replaced, not added.
        var replaced = await auction.PlaceBid(doctors[0], 300m, from, null);
        Assert.True(replaced.IsOk);

        // The state carries no bid: eight standing bids leave it the size it had with one (a sequence number or
        // two may take a byte more), where each bid inside it was about 190 bytes.
        Assert.InRange(await StateBytes(id), stateWithOne - 4, stateWithOne + 4);
        Assert.Equal(doctors.Count, await MarketDb.Scalar("SELECT count(*) FROM auction_standing WHERE auction_id = $1", id));

        // A withdrawn bid's row goes with the commit that withdraws it.
        var withdrawn = (await auction.Get(patient))!.Bids.Single(b => b.DoctorId == doctors[3].UserId);
        Assert.True((await auction.WithdrawBid(doctors[3], withdrawn.Id)).IsOk);
        Assert.Equal(doctors.Count - 1, await MarketDb.Scalar("SELECT count(*) FROM auction_standing WHERE auction_id = $1", id));

        var before = (await auction.Get(patient))!;
        await Deactivate(auction);
        var after = (await auction.Get(patient))!;
        AssertSameAuction(before, after);
        Assert.Contains(after.Bids, b => b.Id == replaced.Value!.Id && b.Price == 300m && b.Message is null);
        Assert.DoesNotContain(after.Bids, b => b.DoctorId == doctors[3].UserId);

        // The holds came back with the bids: accepting one books the slot its hold keeps.
        var accepted = await auction.Accept(patient, after.Bids.Single(b => b.DoctorId == doctors[5].UserId).Id, RulesClusterFixture.Card(), "standing-rows-" + id);
        Assert.True(accepted.IsOk, accepted.Failure?.Detail);
    }

    [Fact]
    public async Task An_auction_stored_with_its_bids_inside_the_state_is_read_as_before_and_its_next_commit_moves_them_to_rows()
    {
        var specialty = await fx.SpecialtyAsync();
        var (id, auction, patient, doctors, from) = await AuctionGrainKit.OpenAuction(fx, specialty, 4);
        for (var i = 0; i < 3; i++)
            Assert.True((await auction.PlaceBid(doctors[i], 200m - i, from.AddMinutes(30 * i), null)).IsOk);
        var before = (await auction.Get(patient))!;

        // Stored the way it was before the standing bids had rows: every bid inside the state, no row.
        await Deactivate(auction);
        await ToOldShape(id);
        Assert.Equal(0, await MarketDb.Scalar("SELECT count(*) FROM auction_standing WHERE auction_id = $1", id));
        AssertSameAuction(before, (await auction.Get(patient))!);

        // The next commit (a fourth doctor's bid) writes all four rows and a state without bids.
        Assert.True((await auction.PlaceBid(doctors[3], 150m, from.AddMinutes(90), null)).IsOk);
        Assert.Equal(4, await MarketDb.Scalar("SELECT count(*) FROM auction_standing WHERE auction_id = $1", id));
        var moved = (await auction.Get(patient))!;
        await Deactivate(auction);
        AssertSameAuction(moved, (await auction.Get(patient))!);
        Assert.Equal(4, moved.Bids.Count);
        Assert.All(before.Bids, b => Assert.Contains(moved.Bids, m => m.Id == b.Id));
    }

    private static void AssertSameAuction(AuctionView expected, AuctionView actual)
    {
        Assert.Equal(expected.LastSeq, actual.LastSeq);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.ClosesAt, actual.ClosesAt);
        Assert.Equal(expected.Bids, actual.Bids);
    }

    private static ValueTask Deactivate(IAuctionGrain grain) => grain.AsReference<IGrainManagementExtension>().DeactivateOnIdle();

    private static Task<long> StateBytes(Guid id) => MarketDb.Scalar("SELECT octet_length(state) FROM auctions WHERE id = $1", id);

    /// <summary>Rewrites the stored auction as the code before the rows stored it: the bids inside the state, no rows.</summary>
    private async Task ToOldShape(Guid id)
    {
        var serializer = ((InProcessSiloHandle)fx.Cluster.Primary!).ServiceProvider.GetRequiredService<Serializer>();
        await using var db = NpgsqlDataSource.Create(TestEnvironment.Postgres);
        var stored = (await new PostgresMarketStore(db).LoadState(id))!;
        var state = serializer.Deserialize<AuctionState>(stored.State)!;
        Assert.True(state.StandingInRows);
        Assert.Empty(state.Standing);
        state.StandingInRows = false;
        foreach (var row in stored.Standing)
        {
            var standing = serializer.Deserialize<StandingBid>(row)!;
            state.Standing[standing.Bid.DoctorId] = standing;
        }
        await using var batch = new NpgsqlBatch(await db.OpenConnectionAsync());
        batch.BatchCommands.Add(new NpgsqlBatchCommand("UPDATE auctions SET state = $2 WHERE id = $1") { Parameters = { new() { Value = id }, new() { Value = serializer.SerializeToArray(state) } } });
        batch.BatchCommands.Add(new NpgsqlBatchCommand("DELETE FROM auction_standing WHERE auction_id = $1") { Parameters = { new() { Value = id } } });
        await batch.ExecuteNonQueryAsync();
        await batch.Connection!.DisposeAsync();
    }
}
