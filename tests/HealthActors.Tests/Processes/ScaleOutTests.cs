using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace HealthActors.Tests.Processes;

[Collection(ProcessCollection.Name)]
public sealed class ScaleOutTests(ITestOutputHelper output)
{
    private const int PatientCount = 20;

    /// <summary>The Api re-reads the gateway list every 2 s (OrleansHosting); Orleans' default would be a minute.</summary>
    private static readonly TimeSpan GatewayDiscovery = TimeSpan.FromSeconds(20);

    [Fact]
    public Task Two_silos_share_the_patients_and_a_rolling_graceful_replacement_loses_nothing() => ProcessCluster.RunAsync(async cluster =>
    {
        var clock = Stopwatch.StartNew();
        var first = cluster.StartSilo();
        var second = cluster.StartSilo();
        // Read through to the grains: a cached read would neither show that silo-1's patients are served again nor
        // bring their grains back for the host checks below.
        var api = await cluster.StartApiAsync(activeSilos: 2, Patients.ReadThroughToGrains);
        await cluster.WaitUntilApiKnowsGatewaysAsync([first, second], GatewayDiscovery);
        output.WriteLine($"2 silos + Api ready after {clock.Elapsed.TotalSeconds:0.0} s");

        var patients = await Patients.CreateAsync(api.Http, first: 1, count: PatientCount);
        await Patients.AssertAllReadableAsync(api.Http, patients);
        var hosts = await cluster.PatientGrainHostsAsync(patients.Select(p => p.User.Id));
        var onFirst = hosts.Values.Count(h => h == first);
        var onSecond = hosts.Values.Count(h => h == second);
        output.WriteLine($"patient grains: {onFirst} on silo-1, {onSecond} on silo-2 ({clock.Elapsed.TotalSeconds:0.0} s)");
        Assert.True(onFirst > 0 && onSecond > 0, $"expected patient grains on both silos, got {onFirst} and {onSecond}");

        Assert.True(await cluster.StopSiloAsync(first), "silo-1 should exit by itself after SIGTERM");
        output.WriteLine($"silo-1 stopped after {clock.Elapsed.TotalSeconds:0.0} s");

        // Straight away and without retries: a graceful leave is announced, so no request should fail.
        await Patients.AssertAllReadableAsync(api.Http, patients);
        var newcomer = await Patients.CreateAsync(api.Http, first: PatientCount + 1, count: 1);
        await Patients.AssertAllReadableAsync(api.Http, newcomer);
        await cluster.WaitForActiveSilosAsync(1, TimeSpan.FromSeconds(10));
        Assert.All((await cluster.PatientGrainHostsAsync(patients.Select(p => p.User.Id))).Values, h => Assert.Equal(second, h));
        output.WriteLine($"silo-1 gone, everything read and written on silo-2 after {clock.Elapsed.TotalSeconds:0.0} s");

        // Finish a rolling replacement: the Api must move to a gateway that did not exist when it started.
        var third = cluster.StartSilo();
        await cluster.WaitForActiveSilosAsync(2);
        await cluster.WaitUntilApiKnowsGatewaysAsync([second, third], GatewayDiscovery);
        output.WriteLine($"silo-3 active and known to the Api after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(await cluster.StopSiloAsync(second), "silo-2 should exit by itself after SIGTERM");
        patients.AddRange(newcomer);
        await Patients.AssertAllReadableAsync(api.Http, patients);
        await Patients.AssertAllReadableAsync(api.Http, await Patients.CreateAsync(api.Http, first: PatientCount + 2, count: 1));
        Assert.All((await cluster.PatientGrainHostsAsync(patients.Select(p => p.User.Id))).Values, h => Assert.Equal(third, h));
        output.WriteLine($"done after {clock.Elapsed.TotalSeconds:0.0} s");
    });

    [Fact]
    public Task After_a_silo_is_killed_every_profile_is_reachable_again_within_a_bounded_time() => ProcessCluster.RunAsync(async cluster =>
    {
        var clock = Stopwatch.StartNew();
        var first = cluster.StartSilo();
        var second = cluster.StartSilo();
        // The profile reads are what probe the patient grains here: answered from the Api's read cache they would not
        // reach the dead silo's grains at all, and the test would prove nothing about their return.
        var api = await cluster.StartApiAsync(activeSilos: 2, Patients.ReadThroughToGrains);
        await cluster.WaitUntilApiKnowsGatewaysAsync([first, second], GatewayDiscovery);
        var patients = await Patients.CreateAsync(api.Http, first: 1, count: PatientCount);
        await Patients.AssertAllReadableAsync(api.Http, patients);

        var hosts = await cluster.PatientGrainHostsAsync(patients.Select(p => p.User.Id));
        var victim = hosts.Values.Count(h => h == first) >= hosts.Values.Count(h => h == second) ? first : second;
        var survivor = victim == first ? second : first;
        var orphaned = hosts.Count(h => h.Value == victim);
        Assert.True(orphaned > 0, "the killed silo should host some of the patient grains");
        output.WriteLine($"killing silo-{victim.Number}, host of {orphaned} of {PatientCount} patient grains ({clock.Elapsed.TotalSeconds:0.0} s)");

        await cluster.KillSiloAsync(victim);
        var sinceKill = Stopwatch.StartNew();

        // Until the survivor declares the dead silo dead, calls to its grains fail with 503; after that
        // each must come back exactly as stored, and a wrong answer is never acceptable.
        var pending = patients.ToList();
        var lastFailures = new List<string>();
        // Membership declares a killed silo dead after about 6 s (SiloHosting.QuickFailureDetection; 3.4 s measured
        // here alone); a loaded machine stretches the probe timeout, and this leaves it several times that.
        var window = TimeSpan.FromSeconds(40);
        while (pending.Count > 0 && sinceKill.Elapsed < window)
        {
            var reads = await Task.WhenAll(pending.Select(async p =>
            {
                try { return (Patient: p, Read: await Patients.GetAsync(api.Http, p.User.Tokens.AccessToken)); }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return (Patient: p, Read: new ProfileRead(0, null, e.GetType().Name));
                }
            }));
            // The Api must say "unavailable, retry" (503), never "unexpected error" (500) or anything else.
            Assert.All(reads, r => Assert.True(r.Read.Status is 0 or HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable,
                $"{r.Patient.User.Email}: {r.Read}"));
            foreach (var (patient, read) in reads.Where(r => r.Read.Status == HttpStatusCode.OK))
                Assert.True(JsonNode.DeepEquals(patient.Profile, read.Body), $"{patient.User.Email}: stored {patient.Profile.ToJsonString()}, read {read}");
            var failed = reads.Where(r => r.Read.Status != HttpStatusCode.OK).ToList();
            lastFailures = failed.Select(r => $"{r.Patient.User.Email}: {r.Read}").ToList();
            pending = failed.Select(r => r.Patient).ToList();
            output.WriteLine($"{sinceKill.Elapsed.TotalSeconds,5:0.0} s after the kill: {pending.Count} unreachable ("
                + string.Join(", ", failed.GroupBy(r => r.Read.Status == 0 ? r.Read.Raw : ((int)r.Read.Status).ToString()).Select(g => $"{g.Count()} x {g.Key}")) + ")");
            if (pending.Count > 0) await Task.Delay(1000);
        }
        Assert.True(pending.Count == 0,
            $"{pending.Count} profiles still unreachable {window.TotalSeconds:0} s after the kill:\n" + string.Join("\n", lastFailures));
        output.WriteLine($"all {PatientCount} profiles readable {sinceKill.Elapsed.TotalSeconds:0.0} s after the kill");

        // Settled: every read succeeds first time, the dead silo is out of the membership, and new data lands.
        await Patients.AssertAllReadableAsync(api.Http, patients);
        await cluster.WaitForActiveSilosAsync(1, window - sinceKill.Elapsed + TimeSpan.FromSeconds(5));
        output.WriteLine($"membership shows 1 active silo {sinceKill.Elapsed.TotalSeconds:0.0} s after the kill");
        var newcomer = await Patients.CreateAsync(api.Http, first: PatientCount + 1, count: 1);
        await Patients.AssertAllReadableAsync(api.Http, newcomer);
        Assert.All((await cluster.PatientGrainHostsAsync(patients.Select(p => p.User.Id))).Values, h => Assert.Equal(survivor, h));
        output.WriteLine($"done after {clock.Elapsed.TotalSeconds:0.0} s");
    });
}
