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

/// <summary>A user's notifications (bounded: the newest are kept). Each new one is also pushed on the user's stream.</summary>
[Alias("ha.notifications.IInboxGrain")]
public interface IInboxGrain : IGrainWithGuidKey
{
    [Alias("Add")] Task<Notification> Add(string kind, string title, string body, Guid? subjectId, Guid dedupeKey);
    [Alias("List")] Task<InboxPage> List(int page, int pageSize, bool unreadOnly);
    [Alias("MarkRead")] Task<bool> MarkRead(Guid notificationId);
}

public static class NotificationStreams
{
    /// <summary>Stream namespace of per-user notification streams (key: the user id).</summary>
    public const string Namespace = "notifications";
}
