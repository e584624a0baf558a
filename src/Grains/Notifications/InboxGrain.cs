using HealthActors.Grains.Abstractions.Notifications;
using Orleans.Streams;

namespace HealthActors.Grains.Notifications;

[GenerateSerializer, Alias("ha.notifications.InboxState")]
public sealed class InboxState
{
    [Id(0)] public List<Notification> Items { get; set; } = [];
    [Id(1)] public List<Guid> RecentKeys { get; set; } = [];
}

public sealed class InboxGrain(
    [PersistentState("inbox", StorageNames.Store)] IPersistentState<InboxState> state,
    TimeProvider time) : Grain, IInboxGrain
{
    // The inbox is a convenience view, not an archive: the newest notifications are kept.
    private const int Capacity = 500;
    private Guid UserId => this.GetPrimaryKey();

    public async Task<Notification> Add(string kind, string title, string body, Guid? subjectId, Guid dedupeKey)
    {
        var key = Combine(dedupeKey, kind);
        if (state.State.RecentKeys.Contains(key))
            return state.State.Items.FirstOrDefault(n => n.SubjectId == subjectId && n.Kind == kind)
                   ?? new Notification(Guid.Empty, UserId, kind, title, body, subjectId, time.GetUtcNow(), null);
        var n = new Notification(Guid.NewGuid(), UserId, kind, title, body, subjectId, time.GetUtcNow(), null);
        state.State.Items.Insert(0, n);
        if (state.State.Items.Count > Capacity) state.State.Items.RemoveRange(Capacity, state.State.Items.Count - Capacity);
        state.State.RecentKeys.Add(key);
        if (state.State.RecentKeys.Count > Capacity) state.State.RecentKeys.RemoveAt(0);
        await state.WriteStateAsync();
        // Stored first, pushed second: a user who is not connected finds it in the inbox.
        await this.GetStreamProvider(StorageNames.StreamProvider)
            .GetStream<Notification>(StreamId.Create(NotificationStreams.Namespace, UserId)).OnNextAsync(n);
        return n;
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
