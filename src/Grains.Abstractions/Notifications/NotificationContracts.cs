using Orleans.Concurrency;

namespace HealthActors.Grains.Abstractions.Notifications;

[GenerateSerializer, Immutable, Alias("ha.notifications.Notification")]
public sealed record Notification(
    [property: Id(0)] Guid Id,
    [property: Id(1)] Guid UserId,
    [property: Id(2)] string Kind,
    [property: Id(3)] string Title,
    [property: Id(4)] string Body,
    [property: Id(5)] Guid? SubjectId,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] DateTimeOffset? ReadAt);

[GenerateSerializer, Immutable, Alias("ha.notifications.InboxPage")]
public sealed record InboxPage(
    [property: Id(0)] IReadOnlyList<Notification> Items,
    [property: Id(1)] int Unread,
    [property: Id(2)] bool HasMore);

/// <summary>A notification with its place in the user's inbox (1, 2, 3, ... in the order they were added).</summary>
[GenerateSerializer, Immutable, Alias("ha.notifications.InboxEvent")]
public sealed record InboxEvent(
    [property: Id(0)] long Seq,
    [property: Id(1)] Notification Notification);

/// <summary>A user's notifications (bounded: the newest are kept). Each new one is also pushed to the watching Api nodes.</summary>
[Alias("ha.notifications.IInboxGrain")]
public interface IInboxGrain : IGrainWithGuidKey
{
    [Alias("Add")] Task<Notification> Add(string kind, string title, string body, Guid? subjectId, Guid dedupeKey);
    [Alias("List")] Task<InboxPage> List(int page, int pageSize, bool unreadOnly);
    [Alias("MarkRead")] Task<bool> MarkRead(Guid notificationId);

    // For the Api nodes' relays, not for end users.
    /// <summary>Registers (or renews) an Api node's watcher for a few minutes; returns the last sequence number.</summary>
    [Alias("Watch")] Task<long> Watch(IInboxWatcher watcher);
    [Alias("Unwatch")] Task Unwatch(IInboxWatcher watcher);
    /// <summary>Notifications added after a sequence number that the inbox still holds, oldest first.</summary>
    [Alias("After")] Task<IReadOnlyList<InboxEvent>> After(long afterSeq, int limit);
}

/// <summary>An Api node's receiver of new notifications (an observer object in the Api process). One-way.</summary>
[Alias("ha.notifications.IInboxWatcher")]
public interface IInboxWatcher : IGrainObserver
{
    [OneWay, Alias("OnInboxEvent")] Task OnInboxEvent(InboxEvent e);
}
