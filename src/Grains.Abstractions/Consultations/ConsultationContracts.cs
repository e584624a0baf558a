using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using Orleans.Concurrency;

namespace HealthActors.Grains.Abstractions.Consultations;

/// <summary>A patient's quick question. Every field nullable so a missing one is a 400 naming it.</summary>
[GenerateSerializer, Immutable, Alias("ha.consult.ConsultationRequest")]
public sealed record ConsultationRequest
{
    [Id(0)] public string? Question { get; init; }
    [Id(1)] public Guid? SpecialtyId { get; init; }
    [Id(2)] public Guid[]? AttachmentIds { get; init; }
}

/// <summary>One message of a consultation's thread.</summary>
[GenerateSerializer, Immutable, Alias("ha.consult.MessageRequest")]
public sealed record ConsultationMessageRequest
{
    [Id(0)] public string? Text { get; init; }
    [Id(1)] public Guid[]? AttachmentIds { get; init; }
}

/// <summary>
/// open (waiting for a doctor), claimed (one doctor took it), closed (by that doctor; no more messages), expired (no
/// doctor claimed it within Consultations:UnclaimedExpiry; its closedAt is when it expired).
/// </summary>
public static class ConsultationStatus
{
    public const string Open = "open";
    public const string Claimed = "claimed";
    public const string Closed = "closed";
    public const string Expired = "expired";
}

/// <summary>The reason codes of this feature's 409s, for clients to branch on.</summary>
public static class ConsultationReasons
{
    public const string AlreadyClaimed = "AlreadyClaimed";
    public const string NotClaimed = "NotClaimed";
    public const string Closed = "ConsultationClosed";
    public const string Expired = "ConsultationExpired";
    public const string NotClosed = "NotClosed";
    public const string AlreadyRated = "AlreadyRated";
}

[GenerateSerializer, Immutable, Alias("ha.consult.ConsultationView")]
public sealed record ConsultationView(
    [property: Id(0)] Guid Id,
    [property: Id(1)] Guid PatientId,
    [property: Id(2)] Guid SpecialtyId,
    [property: Id(3)] string Question,
    [property: Id(4)] IReadOnlyList<Guid> AttachmentIds,
    [property: Id(5)] string Status,
    [property: Id(6)] Guid? DoctorId,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] DateTimeOffset? ClaimedAt,
    [property: Id(9)] DateTimeOffset? ClosedAt,
    /// <summary>The red flags the question matched, as stored (doctors see why it may be urgent).</summary>
    [property: Id(10)] IReadOnlyList<string> RedFlags,
    /// <summary>For a question with a red flag: what to do now, in the patient's language with their country's numbers.</summary>
    [property: Id(11)] string? Guidance);

[GenerateSerializer, Immutable, Alias("ha.consult.ConsultationMessage")]
public sealed record ConsultationMessage(
    [property: Id(0)] Guid ConsultationId,
    [property: Id(1)] int Seq,
    [property: Id(2)] Guid AuthorId,
    [property: Id(3)] string AuthorRole,
    [property: Id(4)] string Text,
    [property: Id(5)] IReadOnlyList<Guid> AttachmentIds,
    [property: Id(6)] IReadOnlyList<string> RedFlags,
    [property: Id(7)] DateTimeOffset At);

/// <summary>A posted message, with emergency guidance when a patient's message matched a red flag.</summary>
[GenerateSerializer, Immutable, Alias("ha.consult.MessagePosted")]
public sealed record ConsultationMessagePosted(
    [property: Id(0)] ConsultationMessage Message,
    [property: Id(1)] string? Guidance);

[GenerateSerializer, Immutable, Alias("ha.consult.ConsultationPage")]
public sealed record ConsultationPage(
    [property: Id(0)] IReadOnlyList<ConsultationView> Items,
    [property: Id(1)] int PageNumber,
    [property: Id(2)] int PageSize,
    [property: Id(3)] int Total);

public static class ConsultationRules
{
    public const int MaxTextLength = 4000;
    public const int MaxAttachments = 10;
    public const int MaxMessagesPerRead = 100;
    public const int DefaultMessagesPerRead = 50;

    public static ValidationErrors Validate(ConsultationRequest? r)
    {
        var e = new ValidationErrors();
        if (r is null) { e.Add("body", "is required"); return e; }
        e.Text("question", r.Question, MaxTextLength, required: true, multiline: true);
        if (r.SpecialtyId == Guid.Empty) e.Add("specialtyId", "must not be an empty id");
        Attachments(e, r.AttachmentIds);
        return e;
    }

    public static ValidationErrors Validate(ConsultationMessageRequest? r)
    {
        var e = new ValidationErrors();
        if (r is null) { e.Add("body", "is required"); return e; }
        e.Text("text", r.Text, MaxTextLength, required: true, multiline: true);
        Attachments(e, r.AttachmentIds);
        return e;
    }

    public static ValidationErrors ValidateRead(int? afterSeq, int? limit)
    {
        var e = new ValidationErrors();
        if (afterSeq is < 0) e.Add("afterSeq", "must be 0 or more");
        if (limit is < 1 or > MaxMessagesPerRead) e.Add("limit", $"must be between 1 and {MaxMessagesPerRead}");
        return e;
    }

    private static void Attachments(ValidationErrors e, Guid[]? ids)
    {
        if (ids is null) return;
        if (ids.Length > MaxAttachments) e.Add("attachmentIds", $"must have at most {MaxAttachments} items");
        else if (ids.Any(id => id == Guid.Empty)) e.Add("attachmentIds", "must not contain an empty id");
        else if (ids.Distinct().Count() != ids.Length) e.Add("attachmentIds", "must not repeat an id");
    }
}

/// <summary>
/// One consultation: the single writer that decides who claims it (the first claim wins, the rest get 409) and
/// numbers its messages. Everyone who is neither its patient nor its claiming doctor gets not-found.
/// </summary>
[Alias("ha.consult.IConsultationGrain")]
public interface IConsultationGrain : IGrainWithGuidKey
{
    [Alias("Create")] Task<Outcome<ConsultationView>> Create(Caller patient, ConsultationRequest request);
    [Alias("Get")] Task<Outcome<ConsultationView>> Get(Caller caller);
    [Alias("Claim")] Task<Outcome<ConsultationView>> Claim(Caller doctor);
    [Alias("Post")] Task<Outcome<ConsultationMessagePosted>> Post(Caller caller, ConsultationMessageRequest request);
    [Alias("Messages")] Task<Outcome<IReadOnlyList<ConsultationMessage>>> Messages(Caller caller, int afterSeq, int limit);
    [Alias("Close")] Task<Outcome<ConsultationView>> Close(Caller doctor);
    /// <summary>Its patient rates the doctor once, after the doctor closed it; the doctor's average follows.</summary>
    [Alias("Rate")] Task<Outcome<ConsultationRating>> Rate(Caller patient, RatingRequest request);

    /// <summary>Whether the caller may follow the thread live: its patient or its claiming doctor, as for reading it.</summary>
    [Alias("CanWatch")] Task<bool> CanWatch(Caller caller);

    // For the Api nodes' relays, not for end users: the hub checks CanWatch before a connection joins.
    /// <summary>Registers (or renews) an Api node's watcher for <see cref="LiveUpdates.Lease"/>; returns the last message seq.</summary>
    [Alias("Watch")] Task<long> Watch(IConsultationWatcher watcher);
    [Alias("Unwatch")] Task Unwatch(IConsultationWatcher watcher);
    /// <summary>Stored messages after a seq, oldest first, for a relay closing a gap.</summary>
    [Alias("After")] Task<IReadOnlyList<ConsultationEvent>> After(long afterSeq, int limit);
}

/// <summary>A message of the thread as pushed live: the SignalR event ConsultationMessage on /hubs/consultations.</summary>
[GenerateSerializer, Immutable, Alias("ha.consult.ConsultationEvent")]
public sealed record ConsultationEvent(
    [property: Id(0)] Guid ConsultationId,
    [property: Id(1)] long Seq,
    [property: Id(2)] ConsultationMessage Message);

/// <summary>
/// An Api node's receiver of a consultation's messages. One-way: a slow or vanished node never holds up the
/// thread; the node notices a gap by seq and reads it back through <see cref="IConsultationGrain.After"/>.
/// </summary>
[Alias("ha.consult.IConsultationWatcher")]
public interface IConsultationWatcher : IGrainObserver
{
    [OneWay, Alias("OnConsultationEvent")] Task OnConsultationEvent(ConsultationEvent e);
}

/// <summary>
/// The lists across consultations: the caller's own (a patient's questions, or the ones a doctor claimed), and the
/// open ones of a verified doctor's specialty.
/// </summary>
[Alias("ha.consult.IConsultationBoardGrain")]
public interface IConsultationBoardGrain : IGrainWithIntegerKey
{
    /// <summary>A patient's consultations newest first; a doctor's claimed and closed ones, the latest claim first; others 403.</summary>
    [Alias("Mine")] Task<Outcome<ConsultationPage>> Mine(Caller caller, int page, int pageSize);
    [Alias("Open")] Task<Outcome<ConsultationPage>> Open(Caller doctor, int page, int pageSize);
}
