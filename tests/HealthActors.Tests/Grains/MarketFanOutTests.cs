using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Abstractions.Marketplace;

namespace HealthActors.Tests.Grains;

/// <summary>One account cannot make the marketplace fan out without bound: open auctions per patient and bids per doctor are capped.</summary>
[Collection(RulesCollection.Name)]
public sealed class MarketFanOutTests(RulesClusterFixture fx)
{
    private static AuctionSpec Spec(Guid specialtyId, DateTimeOffset from) =>
        new("sore throat for a week", specialtyId, null, "USD", from, from.AddHours(6), DateTimeOffset.UtcNow.AddHours(1));

    [Fact]
    public async Task Twenty_concurrent_auctions_by_one_patient_open_at_most_the_cap()
    {
        var specialty = await fx.SpecialtyAsync();
        var patient = new Caller(Guid.NewGuid(), Roles.Patient);
        var from = RulesClusterFixture.TomorrowMorning();
        var ids = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToList();
        var outcomes = await Task.WhenAll(ids.Select(id => fx.Grains.GetGrain<IAuctionGrain>(id).Create(patient, Spec(specialty, from))));

        var opened = ids.Where((_, i) => outcomes[i].IsOk).ToList();
        Assert.Equal(new MarketplaceOptions().MaxOpenAuctionsPerPatient, opened.Count);
        Assert.All(outcomes.Where(o => !o.IsOk), o => Assert.Equal("TooManyOpenAuctions", o.Failure!.Reason));
        Assert.Equal(opened.Count, (await fx.Grains.GetGrain<IAuctionQueryGrain>(0).ForPatient(patient.UserId, 1, 100)).Count);

        // Another patient is not affected, and closing one of mine frees a place.
        Assert.True((await fx.Grains.GetGrain<IAuctionGrain>(Guid.NewGuid()).Create(new Caller(Guid.NewGuid(), Roles.Patient), Spec(specialty, from))).IsOk);
        Assert.False((await fx.Grains.GetGrain<IAuctionGrain>(Guid.NewGuid()).Create(patient, Spec(specialty, from))).IsOk);
        Assert.True((await fx.Grains.GetGrain<IAuctionGrain>(opened[0]).Cancel(patient)).IsOk);
        Assert.True((await fx.Grains.GetGrain<IAuctionGrain>(Guid.NewGuid()).Create(patient, Spec(specialty, from))).IsOk);
    }

    [Fact]
    public async Task A_doctor_changing_bids_on_one_auction_is_slowed_to_the_per_minute_cap()
    {
        var specialty = await fx.SpecialtyAsync();
        var doctor = await fx.DoctorAsync(specialty);
        var other = await fx.DoctorAsync(specialty);
        var patient = new Caller(Guid.NewGuid(), Roles.Patient);
        var from = RulesClusterFixture.TomorrowMorning();
        var auction = fx.Grains.GetGrain<IAuctionGrain>(Guid.NewGuid());
        Assert.True((await auction.Create(patient, Spec(specialty, from))).IsOk);

        // Alternating two slots replaces the standing bid every time, as the probe did.
        var cap = new MarketplaceOptions().MaxBidsPerDoctorPerMinute;
        for (var i = 0; i < cap; i++)
        {
            var bid = await auction.PlaceBid(doctor, 100m, from.AddMinutes(30 * (i % 2)), null);
            Assert.True(bid.IsOk, $"bid {i + 1}: {bid.Failure?.Detail}");
        }
        var refused = await auction.PlaceBid(doctor, 100m, from.AddMinutes(30 * (cap % 2)), null);
        Assert.Equal(FailureKind.TooMany, refused.Failure?.Kind);
        // The refused bid changed nothing, and other doctors still bid.
        var view = (await auction.Get(patient))!;
        Assert.Equal(from.AddMinutes(30 * ((cap - 1) % 2)), Assert.Single(view.Bids).SlotStart);
        Assert.True((await auction.PlaceBid(other, 90m, from.AddHours(2), null)).IsOk);
    }
}
