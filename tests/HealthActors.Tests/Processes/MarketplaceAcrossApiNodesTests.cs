using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using HealthActors.Grains.Abstractions.Marketplace;
using HealthActors.Tests.Marketplace;
using Microsoft.AspNetCore.SignalR.Client;

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

        // The matching doctors hear of the new auction on /hubs/notifications, on whichever node they are connected to.
        var opened = new ConcurrentDictionary<string, JsonElement>();
        await using var bell1 = await NotificationsAsync(api1.BaseAddress, doctors[1].Tokens.AccessToken, n => opened.TryAdd("api1", n));
        await using var bell2 = await NotificationsAsync(api2.BaseAddress, doctors[2].Tokens.AccessToken, n => opened.TryAdd("api2", n));

        var windowFrom = MarketplaceFlowTests.SlotAhead(6);
        var auction = await market1.CreateAuction(patient.Tokens.AccessToken, specialty, windowFrom, windowFrom.AddHours(6), DateTimeOffset.UtcNow.AddHours(1));

        await Poll.Until(() => Task.FromResult(opened.Count == 2), TimeSpan.FromSeconds(30), () => $"auction.opened pushed on {string.Join(", ", opened.Keys)} only");
        Assert.All(opened.Values, n =>
        {
            Assert.Equal("auction.opened", n.GetProperty("kind").GetString());
            Assert.Equal(auction, n.GetProperty("subjectId").GetGuid());
        });

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

    /// <summary>
    /// The silo holding a watched auction is killed mid-auction. The auction comes back on the other silo
    /// without the Api node's registration (observers are not persisted); the node's renewal finds it ahead
    /// and reads back what it missed, so the watcher still gets every event, in order, once.
    /// </summary>
    [Fact]
    public Task A_watcher_misses_nothing_when_the_silo_holding_the_auction_is_killed() => ProcessCluster.RunAsync(async cluster =>
    {
        cluster.StartSilo();
        cluster.StartSilo();
        var api = await cluster.StartApiAsync(activeSilos: 2);
        var market = new MarketApi(api.Http);
        var admin = await api.Http.LoginAdminAsync();
        var specialty = await MarketplaceFlowTests.Specialty(api.Http, admin.Tokens.AccessToken, "Crash-" + Guid.NewGuid().ToString("N")[..6]);
        var doctors = await market.Doctors(admin.Tokens.AccessToken, specialty, 4);
        var patient = await api.Http.RegisterAsync();
        var windowFrom = MarketplaceFlowTests.SlotAhead(6);
        var auction = await market.CreateAuction(patient.Tokens.AccessToken, specialty, windowFrom, windowFrom.AddHours(6), DateTimeOffset.UtcNow.AddHours(1));

        await using var watcher = await AuctionWatcher.ConnectAsync(api.BaseAddress, patient.Tokens.AccessToken, "patient");
        Assert.Equal(0, await watcher.WatchAsync(auction));
        for (var i = 0; i < 2; i++) await market.Bid(auction, doctors[i].Tokens.AccessToken, 100 - i, windowFrom.AddMinutes(30 * (i + 1)));
        await watcher.WaitForCountAsync(2, TimeSpan.FromSeconds(30));

        var host = (await cluster.GrainHostsAsync<IAuctionGrain>([auction]))[auction] ?? throw new InvalidOperationException("the auction is not active anywhere");
        await cluster.KillSiloAsync(host);

        // Until the survivor declares the dead silo gone, calls may fail; a bid is retried until it is taken.
        for (var i = 2; i < doctors.Count; i++)
        {
            var slot = windowFrom.AddMinutes(30 * (i + 1));
            await Poll.Until(async () =>
            {
                var (status, _) = await market.Call(HttpMethod.Post, $"/api/auctions/{auction}/bids", doctors[i].Tokens.AccessToken, new { price = 100 - i, slotStart = slot });
                // 409: an earlier attempt that timed out for the caller was taken after all (its hold now blocks the slot).
                return status is HttpStatusCode.Created or HttpStatusCode.Conflict;
            }, TimeSpan.FromSeconds(90), () => $"doctor {i}'s bid not taken after the kill", TimeSpan.FromSeconds(1));
        }

        var last = (await market.Get(auction, patient.Tokens.AccessToken))["lastSeq"]!.GetValue<long>();
        Assert.True(last >= doctors.Count, $"every doctor's bid should be an event; lastSeq is {last}");
        await watcher.WaitForCountAsync((int)last, TimeSpan.FromSeconds(30));
        await Task.Delay(500);
        Assert.Equal(Enumerable.Range(1, (int)last).Select(n => (long)n), watcher.Seqs);
        Assert.Equal((await market.Events(auction, patient.Tokens.AccessToken)).Select(e => e!["type"]!.GetValue<string>()), watcher.Received.Select(r => r.Method));
    });

    private static async Task<HubConnection> NotificationsAsync(Uri apiBase, string token, Action<JsonElement> onNotification)
    {
        var hub = HubClients.Build(new Uri(apiBase, "/hubs/notifications"), () => token);
        hub.On<JsonElement>("notification", onNotification);
        await hub.StartAsync();
        return hub;
    }
}
