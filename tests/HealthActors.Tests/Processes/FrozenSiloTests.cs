using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace HealthActors.Tests.Processes;

/// <summary>
/// A silo frozen with SIGSTOP (a paused VM) holds its connections open, so its probes time out instead of being
/// refused. Orleans spares a silo it heard from within MaxProbeTimeout x NumMissedProbesLimit (SiloHosting: 6 s); with
/// Orleans' default window (24 s) this silo was never declared dead. The bounds here are generous for a loaded
/// machine; docs/reliability.md has the tight numbers.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class FrozenSiloTests(ITestOutputHelper output)
{
    private const int PatientCount = 8;

    [Fact]
    public Task A_frozen_silo_is_declared_dead_its_patients_are_served_again_and_it_stops_itself_when_resumed() => ProcessCluster.RunAsync(async cluster =>
    {
        var clock = Stopwatch.StartNew();
        var survivor = cluster.StartSilo();
        var frozen = cluster.StartSilo();
        // Read through to the grains: a cached profile read would be served without the frozen silo's grains coming back.
        var api = await cluster.StartApiAsync(activeSilos: 2, Patients.ReadThroughToGrains);
        await cluster.WaitUntilApiKnowsGatewaysAsync([survivor, frozen], TimeSpan.FromSeconds(20));
        var patients = await Patients.CreateAsync(api.Http, first: 1, count: PatientCount);
        var hosts = await cluster.PatientGrainHostsAsync(patients.Select(p => p.User.Id));
        Assert.Contains(hosts.Values, h => h == frozen);
        output.WriteLine($"2 silos + Api ready, {hosts.Values.Count(h => h == frozen)} of {PatientCount} patients on silo-2, after {clock.Elapsed.TotalSeconds:0.0} s");

        Signal(frozen.Process.Pid, SigStop);
        var frozenAt = Stopwatch.StartNew();
        try
        {
            await cluster.WaitForActiveSilosAsync(1, TimeSpan.FromSeconds(40));
            output.WriteLine($"silo-2 declared dead {frozenAt.Elapsed.TotalSeconds:0.0} s after SIGSTOP");
            // Every profile, those of silo-2 included, reactivates on the survivor while silo-2 is still frozen.
            await Poll.Until(async () =>
            {
                var reads = await Task.WhenAll(patients.Select(p => Patients.GetAsync(api.Http, p.User.Tokens.AccessToken)));
                return reads.Zip(patients).All(x => x.First.Status == HttpStatusCode.OK && JsonNode.DeepEquals(x.Second.Profile, x.First.Body));
            }, TimeSpan.FromSeconds(20), () => "the profiles were not all served again while silo-2 was frozen");
            output.WriteLine($"every profile served again {frozenAt.Elapsed.TotalSeconds:0.0} s after SIGSTOP");
        }
        finally
        {
            Signal(frozen.Process.Pid, SigCont);
        }

        // Woken, it reads that it was declared dead and stops by itself (run.sh's supervisor would start it again).
        var resumed = Stopwatch.StartNew();
        await Poll.Until(() => Task.FromResult(frozen.Process.HasExited), TimeSpan.FromSeconds(30),
            () => "silo-2 carried on after SIGCONT although it was declared dead");
        Assert.Contains(frozen.Process.Lines, l => l.Contains("I have been told I am dead", StringComparison.Ordinal));
        output.WriteLine($"silo-2 stopped itself {resumed.Elapsed.TotalSeconds:0.0} s after SIGCONT ({frozen.Process.ExitDescription}); {clock.Elapsed.TotalSeconds:0.0} s in all");
        await cluster.KillSiloAsync(frozen); // already gone; only takes it off the cluster's list
        await Patients.AssertAllReadableAsync(api.Http, patients);
    });

    private const int SigCont = 18;
    private const int SigStop = 19;

    private static void Signal(int pid, int signal)
    {
        if (kill(pid, signal) != 0) throw new InvalidOperationException($"signal {signal} to {pid} failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
