using System.Reflection;
using HealthActors.Api.Hosting;
using HealthActors.Grains.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace HealthActors.UnitTests.Hosting;

/// <summary>
/// The numbers that decide how long a dead or frozen silo costs (docs/reliability.md), as a clustered silo resolves
/// them (the host is built, never started), and the Api's giving up on calls in flight when a gateway is lost.
/// </summary>
public sealed class SiloLossTimingTests
{
    private static IServiceProvider Silo(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings)
        {
            // Redis clustering is configured, not connected: the host is never started.
            ["ConnectionStrings:Redis"] = "127.0.0.1:1",
        });
        builder.UseOrleans(silo => silo.ConfigureHealthActors(builder.Configuration));
        return builder.Build().Services;
    }

    [Fact]
    public void A_frozen_silo_is_voted_out_within_7_s_of_its_last_message()
    {
        var o = Silo(new()).GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;

        // Orleans suppresses every vote against a silo heard from within MaxProbeTimeout x NumMissedProbesLimit;
        // with its default (4 x ProbeTimeout) that was 24 s and a 15 s freeze never got a vote.
        Assert.True(o.EnableConnectionLivenessCheck);
        Assert.Equal(TimeSpan.FromSeconds(6), o.MaxProbeTimeout * o.NumMissedProbesLimit);
        Assert.True(o.MinProbeTimeout <= o.MaxProbeTimeout);
        Assert.True(o.ExtendProbeTimeoutDuringDegradation);
    }

    [Fact]
    public void Membership_settings_still_override_the_defaults()
    {
        var o = Silo(new() { ["Orleans:Membership:MaxProbeTimeout"] = "00:00:08" })
            .GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(8), o.MaxProbeTimeout);
    }

    [Fact]
    public void A_streamed_call_gets_its_heartbeat_well_before_the_Api_gives_up_on_it()
    {
        var services = Silo(new());
        var silo = services.GetRequiredService<IOptions<SiloMessagingOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(10), silo.ResponseTimeout);
        // What Orleans' streamed-call extension reads for its long poll on a silo.
        Assert.Equal(silo.ResponseTimeout, services.GetRequiredService<IOptions<MessagingOptions>>().Value.ResponseTimeout);
        // The silo answers a long poll of a streamed call (a chat turn waiting for the model) after half its timeout;
        // the Api must wait longer than that, with room for a loaded machine.
        var client = TimeSpan.FromSeconds(OrleansHosting.DefaultResponseTimeoutSeconds);
        Assert.True(silo.ResponseTimeout / 2 + TimeSpan.FromSeconds(2) <= client, $"heartbeat every {silo.ResponseTimeout / 2}, client gives up after {client}");
        // And the Api's own bound keeps a lost call under the 10 s the issue allows.
        Assert.True(client < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_call_in_flight_when_a_gateway_is_lost_fails_as_unavailable_after_the_grace()
    {
        var calls = new LostSiloCalls(TimeSpan.FromMilliseconds(200), NullLogger<LostSiloCalls>.Instance);
        var never = new FakeCall(new TaskCompletionSource().Task);

        var invoke = calls.Invoke(never);
        calls.NotifyGatewayCountChanged(1, 2, connectionRecovered: false);

        var failure = await Assert.ThrowsAsync<SiloUnavailableException>(() => invoke.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("gateway", failure.Message);
    }

    [Fact]
    public async Task A_call_that_answers_within_the_grace_keeps_its_answer()
    {
        var calls = new LostSiloCalls(TimeSpan.FromSeconds(5), NullLogger<LostSiloCalls>.Instance);
        var answer = new TaskCompletionSource();
        var call = new FakeCall(answer.Task);

        var invoke = calls.Invoke(call);
        calls.NotifyGatewayCountChanged(1, 2, connectionRecovered: false);
        await Task.Delay(50);
        Assert.False(invoke.IsCompleted);
        answer.SetResult();

        await invoke.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_new_gateway_or_a_call_started_after_the_loss_is_left_alone()
    {
        var calls = new LostSiloCalls(TimeSpan.FromMilliseconds(100), NullLogger<LostSiloCalls>.Instance);
        calls.NotifyGatewayCountChanged(1, 2, connectionRecovered: false);
        var answer = new TaskCompletionSource();

        var invoke = calls.Invoke(new FakeCall(answer.Task));
        calls.NotifyGatewayCountChanged(2, 1, connectionRecovered: false);
        await Task.Delay(400);
        Assert.False(invoke.IsCompleted);
        answer.SetResult();

        await invoke.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_error_of_a_call_answered_before_any_loss_passes_through()
    {
        var calls = new LostSiloCalls(TimeSpan.FromMilliseconds(100), NullLogger<LostSiloCalls>.Instance);

        await Assert.ThrowsAsync<InvalidOperationException>(() => calls.Invoke(new FakeCall(Task.FromException(new InvalidOperationException("its own")))));
    }

    /// <summary>An outgoing call whose answer is the given task; nothing else of the context is used.</summary>
    private sealed class FakeCall(Task answer) : IOutgoingGrainCallContext
    {
        public Task Invoke() => answer;
        public string InterfaceName => "IFake";
        public string MethodName => "Call";
        public Orleans.Serialization.Invocation.IInvokable Request => throw new NotSupportedException();
        public object Grain => this;
        public GrainId? SourceId => null;
        public GrainId TargetId => default;
        public GrainInterfaceType InterfaceType => default;
        public MethodInfo InterfaceMethod => throw new NotSupportedException();
        public object? Result { get => null; set { } }
        public Orleans.Serialization.Invocation.Response? Response { get => null; set { } }
        public IGrainContext? SourceContext => null;
    }
}
