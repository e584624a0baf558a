using System.Diagnostics;
using HealthActors.Tests.Consultations;
using HealthActors.Tests.Marketplace;
using Xunit.Abstractions;

namespace HealthActors.Tests.Processes;

/// <summary>
/// A consultation's thread watched on two Api processes: each node registers its own observer with the
/// consultation grain for the connections it holds, with no SignalR backplane between the nodes.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ConsultationAcrossApiNodesTests(ITestOutputHelper output)
{
    [Fact]
    public Task Watchers_on_two_api_nodes_receive_every_message_once_in_order() => ProcessCluster.RunAsync(async cluster =>
    {
        var started = Stopwatch.GetTimestamp();
        // One silo: what is under test is the two nodes' relays, not where the grain lives.
        cluster.StartSilo();
        var api1 = await cluster.StartApiAsync(activeSilos: 1);
        var api2 = await cluster.StartAnotherApiAsync(activeSilos: 1);
        output.WriteLine($"cluster up in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");

        var node1 = new ConsultationApi(api1.Http);
        var node2 = new ConsultationApi(api2.Http);
        var admin = await api1.Http.LoginAdminAsync();
        var specialty = await MarketplaceFlowTests.Specialty(api1.Http, admin.Tokens.AccessToken, "Thread-" + Guid.NewGuid().ToString("N")[..6]);
        var doctor = await MarketplaceFlowTests.Doctor(api1.Http, admin.Tokens.AccessToken, specialty);
        var patient = await api2.Http.RegisterAsync();
        var id = await node1.Ask(patient.Tokens.AccessToken, specialty);
        await node2.Claim(id, doctor.Tokens.AccessToken);

        var watchers = new[]
        {
            await ConsultationWatcher.ConnectAsync(api1.BaseAddress, patient.Tokens.AccessToken, "patient@api1"),
            await ConsultationWatcher.ConnectAsync(api2.BaseAddress, patient.Tokens.AccessToken, "patient@api2"),
            await ConsultationWatcher.ConnectAsync(api1.BaseAddress, doctor.Tokens.AccessToken, "doctor@api1"),
            await ConsultationWatcher.ConnectAsync(api2.BaseAddress, doctor.Tokens.AccessToken, "doctor@api2"),
        };
        try
        {
            foreach (var w in watchers) Assert.Equal(0, await w.WatchAsync(id));

            // Both sides write at once, each through both nodes.
            const int total = 24;
            await Task.WhenAll(Enumerable.Range(0, total).Select(i =>
            {
                var node = i % 4 < 2 ? node1 : node2;
                var token = i % 2 == 0 ? patient.Tokens.AccessToken : doctor.Tokens.AccessToken;
                return node.Post(id, token, $"message {i}");
            }));

            foreach (var w in watchers) await w.WaitForSeqAsync(total, TimeSpan.FromSeconds(20));
            await Task.Delay(500);
            var expected = Enumerable.Range(1, total).Select(n => (long)n).ToList();
            var stored = await node2.Messages(id, doctor.Tokens.AccessToken);
            Assert.Equal(expected, stored.Select(m => m!["seq"]!.GetValue<long>()));
            foreach (var w in watchers)
            {
                Assert.True(expected.SequenceEqual(w.Seqs), $"{w.Name} received [{string.Join(",", w.Seqs)}]");
                Assert.Equal(stored.Select(m => m!["text"]!.GetValue<string>()), w.Received.Select(e => e.Message.Text));
            }
            output.WriteLine($"whole test {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s");
        }
        finally
        {
            foreach (var w in watchers) await w.DisposeAsync();
        }
    });
}
