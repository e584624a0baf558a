using HealthActors.Tests.Marketplace;

namespace HealthActors.Tests.Processes;

/// <summary>
/// Watchers on different Api processes see the same event sequence: each node registers its own observer
/// with the auction grain for the connections it holds, with no SignalR backplane between the nodes.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class MarketplaceAcrossApiNodesTests
{
    [Fact]
    public Task Watchers_on_two_api_nodes_receive_the_same_sequence() => ProcessCluster.RunAsync(async cluster =>
    {
        cluster.StartSilo();
        cluster.StartSilo();
        var api1 = await cluster.StartApiAsync(activeSilos: 2);
        var api2 = await cluster.StartAnotherApiAsync(activeSilos: 2);

        var market1 = new MarketApi(api1.Http);
        var market2 = new MarketApi(api2.Http);
        var admin = await api1.Http.LoginAdminAsync();
        var specialty = await MarketplaceFlowTests.Specialty(api1.Http, admin.Tokens.AccessToken, "Nodes-" + Guid.NewGuid().ToString("N")[..6]);
        var doctors = await market1.Doctors(admin.Tokens.AccessToken, specialty, 3);
        var patient = await api1.Http.RegisterAsync();

        var windowFrom = MarketplaceFlowTests.SlotAhead(6);
        var auction = await market1.CreateAuction(patient.Tokens.AccessToken, specialty, windowFrom, windowFrom.AddHours(6), DateTimeOffset.UtcNow.AddHours(1));

        await using var onNode1 = await AuctionWatcher.ConnectAsync(api1.BaseAddress, patient.Tokens.AccessToken, "patient@api1");
        await using var onNode2 = await AuctionWatcher.ConnectAsync(api2.BaseAddress, doctors[0].Tokens.AccessToken, "doctor@api2");
        Assert.Equal(0, await onNode1.WatchAsync(auction));
        Assert.Equal(0, await onNode2.WatchAsync(auction));

        // Bids enter through both nodes, alternating; each doctor then undercuts once.
        var events = 0;
        for (var i = 0; i < doctors.Count; i++)
        {
            var market = i % 2 == 0 ? market1 : market2;
            await market.Bid(auction, doctors[i].Tokens.AccessToken, 100 - i, windowFrom.AddMinutes(30 * (i + 1)));
            events++;
        }
        for (var i = 0; i < doctors.Count; i++)
        {
            var market = i % 2 == 0 ? market2 : market1;
            await market.Bid(auction, doctors[i].Tokens.AccessToken, 90 - i, windowFrom.AddMinutes(30 * (i + 1)));
            events++;
        }

        await onNode1.WaitForCountAsync(events, TimeSpan.FromSeconds(30));
        await onNode2.WaitForCountAsync(events, TimeSpan.FromSeconds(30));
        var expected = Enumerable.Range(1, events).Select(n => (long)n).ToList();
        Assert.Equal(expected, onNode1.Seqs);
        Assert.Equal(expected, onNode2.Seqs);
        Assert.Equal(onNode1.Received.Select(r => (r.Method, r.Event.Bid?.Id)), onNode2.Received.Select(r => (r.Method, r.Event.Bid?.Id)));

        // And the stored history says the same.
        var stored = await market2.Events(auction, patient.Tokens.AccessToken);
        Assert.Equal(expected, stored.Select(e => e!["seq"]!.GetValue<long>()));
    });
}
