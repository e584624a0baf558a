using HealthActors.Grains.Abstractions.Identity;
using Orleans.Concurrency;

namespace HealthActors.Grains.Abstractions.Chat;

public static class ChatRoles
{
    public const string User = "user";
    public const string Assistant = "assistant";
}

/// <summary>Where an answer came from.</summary>
public static class AnswerSources
{
    public const string Model = "model";
    public const string Offline = "offline";
    public const string Emergency = "emergency";
}

[GenerateSerializer, Immutable, Alias("ha.chat.ChatMessage")]
public sealed record ChatMessage(
    [property: Id(0)] Guid Id,
    [property: Id(1)] Guid ConversationId,
    [property: Id(2)] int Seq,
    [property: Id(3)] string Role,
    [property: Id(4)] string Content,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] string? Source,
    [property: Id(7)] bool Degraded,
    /// <summary>On an assistant message: the red-flag category that made it an emergency answer (see RedFlagCategories, or "model").</summary>
    [property: Id(8)] string? RedFlag = null);

/// <summary>
/// One piece of a streamed answer. Every chunk but the last carries text; the last (Final) carries the ids of
/// the stored user and assistant messages, where the answer came from, whether it is degraded, and for an
/// emergency answer which red-flag category fired ("model" when the model, not the rules, flagged it).
/// </summary>
[GenerateSerializer, Immutable, Alias("ha.chat.ChatChunk")]
public sealed record ChatChunk(
    [property: Id(0)] int Index,
    [property: Id(1)] string Text,
    [property: Id(2)] bool Final,
    [property: Id(3)] Guid? UserMessageId,
    [property: Id(4)] Guid? AssistantMessageId,
    [property: Id(5)] string? Source,
    [property: Id(6)] bool Degraded,
    [property: Id(7)] bool Emergency,
    [property: Id(8)] string? RedFlag = null);

[GenerateSerializer, Immutable, Alias("ha.chat.ConversationInfo")]
public sealed record ConversationInfo(
    [property: Id(0)] Guid Id,
    [property: Id(1)] Guid OwnerId,
    [property: Id(2)] string Title,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset UpdatedAt,
    [property: Id(5)] int MessageCount);

/// <summary>What the conversation keeps in memory for the next prompt.</summary>
[GenerateSerializer, Immutable, Alias("ha.chat.ConversationMemory")]
public sealed record ConversationMemory(
    [property: Id(0)] string? Summary,
    [property: Id(1)] int SummarizedThroughSeq,
    [property: Id(2)] IReadOnlyList<ChatMessage> Window);

[GenerateSerializer, Immutable, Alias("ha.chat.SearchHit")]
public sealed record SearchHit(
    [property: Id(0)] Guid ConversationId,
    [property: Id(1)] Guid MessageId,
    [property: Id(2)] string Role,
    [property: Id(3)] string Snippet,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] double Rank);

[GenerateSerializer, Immutable, Alias("ha.chat.Page`1")]
public sealed record Page<T>(
    [property: Id(0)] IReadOnlyList<T> Items,
    [property: Id(1)] int PageNumber,
    [property: Id(2)] int PageSize,
    [property: Id(3)] bool HasMore);

[Alias("ha.chat.IConversationGrain")]
public interface IConversationGrain : IGrainWithGuidKey
{
    [Alias("Start")]
    Task<ConversationInfo> Start(Caller owner, string? title);

    /// <summary>
    /// Stores the message, answers it (emergency guidance, model or offline assistant) and stores the answer
    /// before the last chunk. Sends to one conversation are answered one after another, in arrival order.
    /// </summary>
    [Alias("Send")]
    IAsyncEnumerable<ChatChunk> Send(Caller caller, string text);

    [Alias("GetInfo")]
    Task<ConversationInfo?> GetInfo(Caller caller);

    [Alias("GetMemory")]
    Task<ConversationMemory?> GetMemory(Caller caller);

    [Alias("Delete")]
    Task<bool> Delete(Caller caller);

    /// <summary>Folds messages that left the window into the summary. Called by the grain itself, off the reply path.</summary>
    [Alias("RefreshSummary"), OneWay]
    Task RefreshSummary();
}

/// <summary>Reads over the message archive (PostgreSQL), always scoped to one owner.</summary>
[Alias("ha.chat.IChatArchiveGrain")]
public interface IChatArchiveGrain : IGrainWithIntegerKey
{
    [Alias("ListConversations")]
    Task<Page<ConversationInfo>> ListConversations(Guid ownerId, int page, int pageSize);

    [Alias("Messages")]
    Task<IReadOnlyList<ChatMessage>?> Messages(Guid ownerId, Guid conversationId, int? beforeSeq, int limit);

    [Alias("Search")]
    Task<IReadOnlyList<SearchHit>> Search(Guid ownerId, string query, int limit);
}
