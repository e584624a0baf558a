using System.Collections.Concurrent;
using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Cases;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace HealthActors.Api.Hubs;

/// <summary>
/// /hubs/cases: WatchCase(caseId) for verified doctors returns the case's last seq; then every later comment (and
/// reply) arrives as CaseComment {caseId, seq, comment}, in seq order and once. Anyone else is told the case does
/// not exist, as the REST endpoints do.
/// </summary>
[Authorize]
public sealed class CaseHub(IGrainFactory grains, CaseRelay relay) : Hub
{
    public const string CommentEvent = "CaseComment";

    public async Task<long> WatchCase(Guid caseId)
    {
        if (!await grains.GetGrain<ICaseGrain>(caseId).CanWatch(Context.User!.ToCaller()))
            throw new HubException("Case not found.");
        Watched().TryAdd(caseId, 0);
        return await relay.Attach(caseId, Context.ConnectionId);
    }

    public async Task UnwatchCase(Guid caseId)
    {
        if (Watched().TryRemove(caseId, out _)) await relay.Detach(caseId, Context.ConnectionId);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        foreach (var caseId in Watched().Keys) await relay.Detach(caseId, Context.ConnectionId);
        await base.OnDisconnectedAsync(exception);
    }

    private ConcurrentDictionary<Guid, byte> Watched() =>
        (ConcurrentDictionary<Guid, byte>)(Context.Items.TryGetValue("watched", out var w) ? w! : Context.Items["watched"] = new ConcurrentDictionary<Guid, byte>());
}

/// <summary>Forwards each watched case's new comments to the SignalR group of its watchers on this node.</summary>
public sealed class CaseRelay(IGrainFactory grains, IHubContext<CaseHub> hub, IOptions<LiveOptions> options, ILogger<CaseRelay> log)
    : LiveRelay<CaseCommentEvent>(options, log), ICaseWatcher
{
    // Created on first use: in client mode the cluster connection is not up while services are built.
    private ICaseWatcher? _self;
    private ICaseWatcher Self => _self ??= grains.CreateObjectReference<ICaseWatcher>(this);

    public static string Group(Guid caseId) => "case:" + caseId.ToString("N");

    public Task OnCaseComment(CaseCommentEvent e) => Receive(e.CaseId, e);

    protected override long SeqOf(CaseCommentEvent e) => e.Seq;
    protected override Task<long> Watch(Guid key) => grains.GetGrain<ICaseGrain>(key).Watch(Self);
    protected override Task Unwatch(Guid key) => grains.GetGrain<ICaseGrain>(key).Unwatch(Self);
    protected override Task<IReadOnlyList<CaseCommentEvent>> ReadAfter(Guid key, long afterSeq, int limit) =>
        grains.GetGrain<ICaseGrain>(key).After(afterSeq, limit);
    protected override Task Forward(Guid key, CaseCommentEvent e) => hub.Clients.Group(Group(key)).SendAsync(CaseHub.CommentEvent, e);
    protected override Task Join(Guid key, string connectionId) => hub.Groups.AddToGroupAsync(connectionId, Group(key));
    protected override Task Leave(Guid key, string connectionId) => hub.Groups.RemoveFromGroupAsync(connectionId, Group(key));
}
