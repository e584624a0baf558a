using System.Collections.Concurrent;
using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Consultations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace HealthActors.Api.Hubs;

/// <summary>
/// /hubs/consultations: WatchConsultation(consultationId) for the consultation's patient or its claiming doctor
/// returns the last seq n; then every message with a seq above n arrives as ConsultationMessage
/// {consultationId, seq, message}, in order and once.
/// </summary>
[Authorize]
public sealed class ConsultationHub(IGrainFactory grains, ConsultationRelay relay) : Hub
{
    public async Task<long> WatchConsultation(Guid consultationId)
    {
        // Anyone else is told the same as for an id that does not exist, so ids cannot be probed.
        if (!await grains.GetGrain<IConsultationGrain>(consultationId).CanWatch(Context.User!.ToCaller()))
            throw new HubException("Consultation not found.");
        Watched().TryAdd(consultationId, 0);
        return await relay.Attach(consultationId, Context.ConnectionId);
    }

    public async Task UnwatchConsultation(Guid consultationId)
    {
        if (Watched().TryRemove(consultationId, out _)) await relay.Detach(consultationId, Context.ConnectionId);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        foreach (var consultationId in Watched().Keys) await relay.Detach(consultationId, Context.ConnectionId);
        await base.OnDisconnectedAsync(exception);
    }

    private ConcurrentDictionary<Guid, byte> Watched() =>
        (ConcurrentDictionary<Guid, byte>)(Context.Items.TryGetValue("watched", out var w) ? w! : Context.Items["watched"] = new ConcurrentDictionary<Guid, byte>());
}

/// <summary>Forwards each watched consultation's messages to the SignalR group of its watchers on this node.</summary>
public sealed class ConsultationRelay(IGrainFactory grains, IHubContext<ConsultationHub> hub, IOptions<LiveOptions> options, ILogger<ConsultationRelay> log)
    : LiveRelay<ConsultationEvent>(options, log), IConsultationWatcher
{
    public const string EventName = "ConsultationMessage";

    // Created on first use: in client mode the cluster connection is not up while services are built.
    private IConsultationWatcher? _self;
    private IConsultationWatcher Self => _self ??= grains.CreateObjectReference<IConsultationWatcher>(this);

    public static string Group(Guid consultationId) => "consultation:" + consultationId.ToString("N");

    public Task OnConsultationEvent(ConsultationEvent e) => Receive(e.ConsultationId, e);

    protected override long SeqOf(ConsultationEvent e) => e.Seq;
    protected override Task<long> Watch(Guid key) => grains.GetGrain<IConsultationGrain>(key).Watch(Self);
    protected override Task Unwatch(Guid key) => grains.GetGrain<IConsultationGrain>(key).Unwatch(Self);
    protected override Task<IReadOnlyList<ConsultationEvent>> ReadAfter(Guid key, long afterSeq, int limit) =>
        grains.GetGrain<IConsultationGrain>(key).After(afterSeq, limit);
    protected override Task Forward(Guid key, ConsultationEvent e) => hub.Clients.Group(Group(key)).SendAsync(EventName, e);
    protected override Task Join(Guid key, string connectionId) => hub.Groups.AddToGroupAsync(connectionId, Group(key));
    protected override Task Leave(Guid key, string connectionId) => hub.Groups.RemoveFromGroupAsync(connectionId, Group(key));
}
