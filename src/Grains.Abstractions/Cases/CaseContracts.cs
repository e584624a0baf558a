using System.Text.RegularExpressions;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;

namespace HealthActors.Grains.Abstractions.Cases;

/// <summary>A case as a doctor sends it. Every field nullable so a missing one is a 400 naming it.</summary>
[GenerateSerializer, Immutable, Alias("ha.cases.CaseSubmission")]
public sealed record CaseSubmission
{
    [Id(0)] public string? Title { get; init; }
    [Id(1)] public string? AgeBand { get; init; }
    [Id(2)] public string? Sex { get; init; }
    [Id(3)] public string? PresentingComplaint { get; init; }
    [Id(4)] public string? History { get; init; }
    [Id(5)] public string? Findings { get; init; }
    [Id(6)] public string? Question { get; init; }
    [Id(7)] public string[]? Tags { get; init; }
    [Id(8)] public Guid? SpecialtyId { get; init; }
    [Id(9)] public Guid[]? AttachmentIds { get; init; }
}

[GenerateSerializer, Immutable, Alias("ha.cases.CommentSubmission")]
public sealed record CommentSubmission
{
    [Id(0)] public string? Text { get; init; }
    [Id(1)] public Guid? ParentId { get; init; }
    /// <summary>The writer's own uploads; every reader of the case may then download them.</summary>
    [Id(2)] public Guid[]? AttachmentIds { get; init; }
}

public static class CaseStatus
{
    public const string Open = "open";
    public const string Closed = "closed";
    public static readonly IReadOnlyList<string> All = [Open, Closed];
}

/// <summary>One clinical case as stored: de-identified text, never the patient's identity.</summary>
[GenerateSerializer, Immutable, Alias("ha.cases.ClinicalCase")]
public sealed record ClinicalCase(
    [property: Id(0)] Guid Id,
    [property: Id(1)] Guid AuthorId,
    [property: Id(2)] string Title,
    [property: Id(3)] string AgeBand,
    [property: Id(4)] string Sex,
    [property: Id(5)] string? PresentingComplaint,
    [property: Id(6)] string? History,
    [property: Id(7)] string? Findings,
    [property: Id(8)] string? Question,
    [property: Id(9)] IReadOnlyList<string> Tags,
    [property: Id(10)] Guid? SpecialtyId,
    [property: Id(11)] IReadOnlyList<Guid> AttachmentIds,
    [property: Id(12)] string Status,
    [property: Id(13)] Guid? AcceptedCommentId,
    [property: Id(14)] DateTimeOffset CreatedAt,
    [property: Id(15)] int CommentCount);

/// <summary>One comment of a case's thread; <see cref="Seq"/> numbers the comments of one case from 1, in order.</summary>
[GenerateSerializer, Immutable, Alias("ha.cases.CaseComment")]
public sealed record CaseComment(
    [property: Id(0)] Guid Id,
    [property: Id(1)] Guid CaseId,
    [property: Id(2)] long Seq,
    [property: Id(3)] Guid AuthorId,
    [property: Id(4)] Guid? ParentId,
    [property: Id(5)] string Text,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] int Upvotes,
    [property: Id(8)] IReadOnlyList<Guid>? AttachmentIds = null);

/// <summary>What a search returns of a case: enough for a result list, not the whole text.</summary>
[GenerateSerializer, Immutable, Alias("ha.cases.CaseSummary")]
public sealed record CaseSummary(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string Title,
    [property: Id(2)] string AgeBand,
    [property: Id(3)] string Sex,
    [property: Id(4)] IReadOnlyList<string> Tags,
    [property: Id(5)] Guid? SpecialtyId,
    [property: Id(6)] string Status,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] int CommentCount);

[GenerateSerializer, Immutable, Alias("ha.cases.CaseQuery")]
public sealed record CaseQuery(
    [property: Id(0)] string? Text,
    [property: Id(1)] string? Tag,
    [property: Id(2)] Guid? SpecialtyId,
    [property: Id(3)] string? Status,
    [property: Id(4)] int Page,
    [property: Id(5)] int PageSize);

[GenerateSerializer, Immutable, Alias("ha.cases.CasePage")]
public sealed record CasePage(
    [property: Id(0)] IReadOnlyList<CaseSummary> Items,
    [property: Id(1)] int PageNumber,
    [property: Id(2)] int PageSize,
    [property: Id(3)] int Total);

/// <summary>A slice of a case's thread in seq order, after a given seq (keyset paging).</summary>
[GenerateSerializer, Immutable, Alias("ha.cases.CommentPage")]
public sealed record CommentPage(
    [property: Id(0)] IReadOnlyList<CaseComment> Items,
    [property: Id(1)] long? NextAfter);

public static partial class CaseRules
{
    public const int MaxTitle = 200;
    public const int MaxSection = 8000;
    public const int MaxComment = 4000;
    public const int MaxTags = 10;
    public const int MaxTag = 40;
    public const int MaxAttachments = 10;
    public const int MaxQuery = 200;
    public const string ClosedReason = "CaseClosed";

    public static readonly IReadOnlyList<string> Sexes = ["female", "male", "intersex", "unknown"];

    /// <summary>"0-9", "10-19" ... "90-99" or "100+": a decade is as precise as an age may be without identifying.</summary>
    public static bool IsAgeBand(string? band)
    {
        if (band == "100+") return true;
        var m = AgeBandPattern().Match(band ?? "");
        return m.Success && int.Parse(m.Groups[1].Value) % 10 == 0 && int.Parse(m.Groups[2].Value) == int.Parse(m.Groups[1].Value) + 9;
    }

    public static bool IsTag(string? tag) => tag is { Length: > 0 and <= MaxTag } && TagPattern().IsMatch(tag);

    /// <summary>The text rules, then de-identification of every free-text field (titles and tags too).</summary>
    public static ValidationErrors Validate(CaseSubmission? s)
    {
        var e = new ValidationErrors();
        if (s is null) { e.Add("body", "is required"); return e; }
        var fields = new List<KeyValuePair<string, string?>>
        {
            new("title", e.Text("title", s.Title, MaxTitle, required: true)),
            new("presentingComplaint", e.Text("presentingComplaint", s.PresentingComplaint, MaxSection, required: true, multiline: true)),
            new("history", e.Text("history", s.History, MaxSection, multiline: true)),
            new("findings", e.Text("findings", s.Findings, MaxSection, multiline: true)),
            new("question", e.Text("question", s.Question, MaxSection, required: true, multiline: true)),
        };
        if (s.AgeBand is null) e.Add("ageBand", "is required");
        else if (!IsAgeBand(s.AgeBand)) e.Add("ageBand", "must be a decade such as \"40-49\" (0-9 to 90-99) or \"100+\"");
        if (s.Sex is null) e.Add("sex", "is required");
        else if (!Sexes.Contains(s.Sex)) e.Add("sex", "must be one of: " + string.Join(", ", Sexes));
        if (s.Tags is { } tags)
        {
            if (tags.Length > MaxTags) e.Add("tags", $"must have at most {MaxTags} items");
            for (var i = 0; i < tags.Length && i < MaxTags; i++)
                if (!IsTag(tags[i])) e.Add($"tags[{i}]", $"must be a lowercase slug (a-z, 0-9, dashes) of at most {MaxTag} characters");
                else fields.Add(new($"tags[{i}]", tags[i]));
            if (tags.Distinct().Count() != tags.Length) e.Add("tags", "must not repeat a tag");
        }
        if (s.SpecialtyId == Guid.Empty) e.Add("specialtyId", "must not be an empty id");
        CheckAttachmentIds(e, s.AttachmentIds);
        Deidentification.CheckAll(e, fields);
        return e;
    }

    public static ValidationErrors ValidateComment(CommentSubmission? c)
    {
        var e = new ValidationErrors();
        if (c is null) { e.Add("body", "is required"); return e; }
        var text = e.Text("text", c.Text, MaxComment, required: true, multiline: true);
        if (c.ParentId == Guid.Empty) e.Add("parentId", "must not be an empty id");
        CheckAttachmentIds(e, c.AttachmentIds);
        Deidentification.Check(e, "text", text);
        return e;
    }

    private static void CheckAttachmentIds(ValidationErrors e, Guid[]? ids)
    {
        if (ids is null) return;
        if (ids.Length > MaxAttachments) e.Add("attachmentIds", $"must have at most {MaxAttachments} items");
        else if (ids.Any(id => id == Guid.Empty)) e.Add("attachmentIds", "must not contain an empty id");
        else if (ids.Distinct().Count() != ids.Length) e.Add("attachmentIds", "must not repeat an id");
    }

    public static ValidationErrors ValidateQuery(string? q, string? tag, string? status, Guid? specialtyId)
    {
        var e = new ValidationErrors();
        e.Text("q", q, MaxQuery);
        if (tag is not null && !IsTag(tag)) e.Add("tag", "must be a lowercase slug (a-z, 0-9, dashes)");
        if (status is not null && !CaseStatus.All.Contains(status)) e.Add("status", "must be one of: " + string.Join(", ", CaseStatus.All));
        if (specialtyId == Guid.Empty) e.Add("specialtyId", "must not be an empty id");
        return e;
    }

    [GeneratedRegex(@"^(\d{1,2})-(\d{1,2})$")]
    private static partial Regex AgeBandPattern();

    [GeneratedRegex(@"^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex TagPattern();
}

/// <summary>
/// One clinical case and its thread: the single writer of its comments' seq, its upvotes, accepted answer and
/// status. Only verified doctors reach it; anyone else is told it does not exist.
/// </summary>
[Alias("ha.cases.ICaseGrain")]
public interface ICaseGrain : IGrainWithGuidKey
{
    [Alias("Create")] Task<Outcome<ClinicalCase>> Create(Caller caller, CaseSubmission submission);
    [Alias("Get")] Task<Outcome<ClinicalCase>> Get(Caller caller);
    [Alias("Comment")] Task<Outcome<CaseComment>> Comment(Caller caller, CommentSubmission comment);
    [Alias("Comments")] Task<Outcome<CommentPage>> Comments(Caller caller, long afterSeq, int limit);
    /// <summary>One vote per doctor per comment: a repeated upvote changes nothing and returns the same count.</summary>
    [Alias("Upvote")] Task<Outcome<CaseComment>> Upvote(Caller caller, Guid commentId);
    /// <summary>By the case's author only; may be changed to another comment later.</summary>
    [Alias("Accept")] Task<Outcome<ClinicalCase>> Accept(Caller caller, Guid commentId);
    /// <summary>By the case's author only; a closed case takes no comments (409). Closing twice is a no-op.</summary>
    [Alias("Close")] Task<Outcome<ClinicalCase>> Close(Caller caller);

    /// <summary>Idempotent, verified doctors only; the author follows from the start. 409 when the case has <see cref="CaseFollowing.MaxFollowers"/>.</summary>
    [Alias("Follow")] Task<Outcome<bool>> Follow(Caller caller);
    /// <summary>Idempotent: unfollowing a case not followed changes nothing.</summary>
    [Alias("Unfollow")] Task<Outcome<bool>> Unfollow(Caller caller);

    /// <summary>Whether the caller may watch the thread live (a verified doctor and the case exists).</summary>
    [Alias("CanWatch")] Task<bool> CanWatch(Caller caller);
    // For the Api nodes' relays, not for end users: the hub checks CanWatch before a connection joins.
    /// <summary>Registers (or renews) an Api node's watcher for <see cref="LiveUpdates.Lease"/>; returns the last seq.</summary>
    [Alias("Watch")] Task<long> Watch(ICaseWatcher watcher);
    [Alias("Unwatch")] Task Unwatch(ICaseWatcher watcher);
    /// <summary>Stored comments after a seq, oldest first, as events, for a relay closing a gap.</summary>
    [Alias("After")] Task<IReadOnlyList<CaseCommentEvent>> After(long afterSeq, int limit);
}

/// <summary>Full-text search over cases (English and Spanish stems), for verified doctors.</summary>
[Alias("ha.cases.ICaseSearchGrain")]
public interface ICaseSearchGrain : IGrainWithIntegerKey
{
    [Alias("Search")] Task<Outcome<CasePage>> Search(Caller caller, CaseQuery query);
    /// <summary>The cases the caller follows, most recently followed first.</summary>
    [Alias("Following")] Task<Outcome<CasePage>> Following(Caller caller, int page, int pageSize);
}
