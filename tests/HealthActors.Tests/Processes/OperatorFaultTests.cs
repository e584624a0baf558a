using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace HealthActors.Tests.Processes;

/// <summary>
/// The faults an operator tried by hand (issue 14), in the order they met them: Redis stopped under a running
/// cluster, then a crash of every process and an immediate start. The cluster uses a Redis of this test's own,
/// since the shared one must never stop. One cluster for both: each start-up of processes costs seconds.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class OperatorFaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Redis_down_only_degrades_readiness_and_a_start_right_after_a_crash_gets_ready_without_a_restart()
    {
        await using var redis = await RedisServer.StartAsync();
        await ProcessCluster.RunAsync(async cluster =>
        {
            var clock = Stopwatch.StartNew();
            var silo = cluster.StartSilo();
            var api = await cluster.StartApiAsync(activeSilos: 1);
            output.WriteLine($"silo + Api ready after {clock.Elapsed.TotalSeconds:0.0} s");
            var user = await api.Http.RegisterAsync(name: "Redis Outage Patient");
            await Patients.PutAsync(api.Http, user, Patients.FullProfile(1));

            // Redis goes away. Every readiness answer from now on must stay 200: a load balancer following it
            // would otherwise take every node out for a dependency that serving does not need.
            await redis.Kill();
            var outage = Stopwatch.StartNew();
            JsonNode? degraded = null;
            var answers = 0;
            while (degraded is null || answers < 2)
            {
                Assert.True(outage.Elapsed < TimeSpan.FromSeconds(30), "readiness never reported Redis as degraded; last: " + degraded?.ToJsonString());
                var (status, body) = await Ready(api);
                Assert.True(status == HttpStatusCode.OK, $"readiness {(int)status} during the Redis outage: {body?.ToJsonString()}");
                if (body?["checks"]?["redis"]?["status"]?.GetValue<string>() == "Degraded") degraded = body;
                if (degraded is not null) answers++;
                await Task.Delay(300);
            }
            output.WriteLine($"readiness during the outage ({outage.Elapsed.TotalSeconds:0.0} s in): {degraded.ToJsonString()}");
            Assert.Equal("Degraded", degraded["status"]!.GetValue<string>());
            Assert.Contains("Redis is unreachable", degraded["checks"]!["redis"]!["description"]!.GetValue<string>());
            Assert.NotEqual("Unhealthy", degraded["checks"]!["cluster"]!["status"]!.GetValue<string>());
            Assert.StartsWith("1 active silo", degraded["checks"]!["cluster"]!["description"]!.GetValue<string>());
            Assert.Equal("Healthy", degraded["checks"]!["postgres"]!["status"]!.GetValue<string>());
            Assert.Equal("Healthy", degraded["checks"]!["startup"]!["status"]!.GetValue<string>());

            // Serving goes on: a write and a read through the grains and PostgreSQL.
            var written = await Patients.PutAsync(api.Http, user, Patients.FullProfile(2));
            var read = await Patients.GetAsync(api.Http, user.Tokens.AccessToken);
            Assert.Equal(HttpStatusCode.OK, read.Status);
            Assert.True(JsonNode.DeepEquals(written, read.Body), $"PUT answered {written.ToJsonString()}, GET {read.Raw}");
            Assert.Equal(HttpStatusCode.OK, (await api.Http.GetAsync("/health/live")).StatusCode);

            await redis.Restart();
            await Poll.Until(async () => (await Ready(api)).Body?["status"]?.GetValue<string>() == "Healthy",
                TimeSpan.FromSeconds(30), () => "readiness did not return to Healthy after Redis came back");
            output.WriteLine($"Redis back, readiness Healthy {outage.Elapsed.TotalSeconds:0.0} s after the outage began");

            // Everything crashes at once, then starts again at once: the new silo finds the dead one still listed as
            // active, and the Api's seeding must wait for the cluster in the background instead of killing the Api.
            // No inline wait, so that the background path is what is tested, whatever the timing.
            await cluster.KillApiAsync(api);
            await cluster.KillSiloAsync(silo);
            var restart = Stopwatch.StartNew();
            cluster.StartSilo();
            var bound = TimeSpan.FromSeconds(60);
            var again = await cluster.StartApiAsync(activeSilos: 1, new Dictionary<string, string> { ["Startup__InlineWaitSeconds"] = "0" }, bound);
            output.WriteLine($"new silo + Api ready (dead entry gone, admin seeded) {restart.Elapsed.TotalSeconds:0.0} s after the crash");
            // What the start went through, for the test log: the new silo's wait on the dead entry, the seeding's retries.
            foreach (var line in cluster.Silos.Single().Process.Lines.Where(l => l.Contains("connectivity", StringComparison.OrdinalIgnoreCase)
                || l.Contains("dead", StringComparison.OrdinalIgnoreCase) || l.Contains("stale", StringComparison.OrdinalIgnoreCase)).Take(12))
                output.WriteLine("silo: " + line);
            foreach (var line in again.Process.Lines.Where(l => l.Contains("admin seeding", StringComparison.OrdinalIgnoreCase)
                || l.Contains("Admin account ready", StringComparison.Ordinal)).Take(12))
                output.WriteLine("api: " + line);
            Assert.False(again.Process.HasExited);
            Assert.Contains(again.Process.Lines, l => l.Contains("Admin account ready", StringComparison.Ordinal));

            var admin = await again.Http.LoginAdminAsync();
            Assert.False(string.IsNullOrEmpty(admin.Tokens.AccessToken));
            var tokens = await again.Http.LoginAsync(user.Email, user.Password);
            var after = await Patients.GetAsync(again.Http, tokens.AccessToken);
            Assert.Equal(HttpStatusCode.OK, after.Status);
            Assert.True(JsonNode.DeepEquals(written, after.Body), $"before the crash {written.ToJsonString()}\nafter {after.Raw}");
            output.WriteLine($"whole test {clock.Elapsed.TotalSeconds:0.0} s");
        }, redis.ConnectionString);
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> Ready(ApiProcess api)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var response = await api.Http.GetAsync("/health/ready", cts.Token);
        var text = await response.Content.ReadAsStringAsync(cts.Token);
        return (response.StatusCode, JsonNode.Parse(text));
    }
}
