using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Notifications;
using HealthActors.Grains.Live;
using Microsoft.Extensions.Logging;

namespace HealthActors.Grains.Notifications;

[GenerateSerializer, Alias("ha.notifications.InboxState")]
public sealed class InboxState
{
    [Id(0)] public List<Notification> Items { get; set; } = [];
    [Id(1)] public List<Guid> RecentKeys { get; set; } = [];
    /// <summary>How many notifications were ever added: the newest item's sequence number. Items[i] has LastSeq - i.</summary>
    [Id(2)] public long LastSeq { get; set; }
}

public sealed class InboxGrain(
    [PersistentState("inbox", StorageNames.Store)] IPersistentState<InboxState> state,
    TimeProvider time,
    ILogger<InboxGrain> log) : Grain, IInboxGrain
{
    // The inbox is a convenience view, not an archive: the newest notifications are kept.
    private const int Capacity = 500;
    private Guid UserId => this.GetPrimaryKey();
    private Watchers<IInboxWatcher>? _watchers;
    private Watchers<IInboxWatcher> LiveWatchers => _watchers ??= new(log, DelayDeactivation);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Inboxes stored before LastSeq existed: number what they hold.
        if (state.State.LastSeq < state.State.Items.Count) state.State.LastSeq = state.State.Items.Count;
        return Task.CompletedTask;
    }

    public async Task<Notification> Add(string kind, string title, string body, Guid? subjectId, Guid dedupeKey)
    {
        var key = Combine(dedupeKey, kind);
        if (state.State.RecentKeys.Contains(key))
            return state.State.Items.FirstOrDefault(n => n.SubjectId == subjectId && n.Kind == kind)
                   ?? new Notification(Guid.Empty, UserId, kind, title, body, subjectId, time.GetUtcNow(), null);
        var n = new Notification(Guid.NewGuid(), UserId, kind, title, body, subjectId, time.GetUtcNow(), null);
        state.State.LastSeq++;
        state.State.Items.Insert(0, n);
        if (state.State.Items.Count > Capacity) state.State.Items.RemoveRange(Capacity, state.State.Items.Count - Capacity);
        state.State.RecentKeys.Add(key);
        if (state.State.RecentKeys.Count > Capacity) state.State.RecentKeys.RemoveAt(0);
        await state.WriteStateAsync();
        // Stored first, pushed second: a user who is not connected finds it in the inbox, and a node that
        // misses the one-way push reads it back through After.
        var pushed = new InboxEvent(state.State.LastSeq, n);
        await LiveWatchers.Push(w => w.OnInboxEvent(pushed));
        return n;
    }

    public Task<long> Watch(IInboxWatcher watcher) => Task.FromResult(LiveWatchers.Watch(watcher, state.State.LastSeq));

    public Task Unwatch(IInboxWatcher watcher)
    {
        LiveWatchers.Unwatch(watcher);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<InboxEvent>> After(long afterSeq, int limit)
    {
        var items = state.State.Items;
        var newer = (int)Math.Clamp(state.State.LastSeq - afterSeq, 0, items.Count);
        var result = new List<InboxEvent>(Math.Min(newer, limit));
        for (var i = newer - 1; i >= 0 && result.Count < limit; i--)
            result.Add(new InboxEvent(state.State.LastSeq - i, items[i]));
        return Task.FromResult<IReadOnlyList<InboxEvent>>(result);
    }

    public Task<InboxPage> List(int page, int pageSize, bool unreadOnly)
    {
        var items = state.State.Items.Where(n => !unreadOnly || n.ReadAt is null).Skip((page - 1) * pageSize).Take(pageSize + 1).ToList();
        return Task.FromResult(new InboxPage(items.Take(pageSize).ToList(), state.State.Items.Count(n => n.ReadAt is null), items.Count > pageSize));
    }

    public async Task<bool> MarkRead(Guid notificationId)
    {
        var index = state.State.Items.FindIndex(n => n.Id == notificationId);
        if (index < 0) return false;
        if (state.State.Items[index].ReadAt is null)
        {
            state.State.Items[index] = state.State.Items[index] with { ReadAt = time.GetUtcNow() };
            await state.WriteStateAsync();
        }
        return true;
    }

    private static Guid Combine(Guid key, string kind)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key.ToString("N") + kind));
        return new Guid(hash.AsSpan(0, 16));
    }
}
