using Orleans.Concurrency;

namespace HealthActors.Grains.Abstractions.Cases;

/// <summary>What /hubs/cases pushes as <c>CaseComment</c>: one committed comment (or reply) with the case's seq.</summary>
[GenerateSerializer, Immutable, Alias("ha.cases.CaseCommentEvent")]
public sealed record CaseCommentEvent(
    [property: Id(0)] Guid CaseId,
    [property: Id(1)] long Seq,
    [property: Id(2)] CaseComment Comment);

/// <summary>
/// An Api node's receiver of a case's new comments (an observer object in the Api process). One-way: a slow or
/// vanished node never holds up a comment; the node notices a gap by seq and reads it back through
/// <see cref="ICaseGrain.After"/>.
/// </summary>
[Alias("ha.cases.ICaseWatcher")]
public interface ICaseWatcher : IGrainObserver
{
    [OneWay, Alias("OnCaseComment")] Task OnCaseComment(CaseCommentEvent e);
}

/// <summary>
/// Tells a case's followers about a new comment through their inboxes, away from the case grain so a comment is
/// answered as soon as it is stored, whatever the number of followers.
/// </summary>
[Alias("ha.cases.ICaseFollowerNotifier")]
public interface ICaseFollowerNotifier : IGrainWithIntegerKey
{
    /// <summary>One inbox notification <c>case.comment</c> per follower except the comment's writer, deduplicated per comment.</summary>
    [OneWay, Alias("CommentAdded")] Task CommentAdded(Guid caseId, string caseTitle, CaseComment comment);
}

public static class CaseFollowing
{
    /// <summary>
    /// A case notifies at most this many followers per comment (in batches of <see cref="NotifyBatch"/>); a follow
    /// past it is refused with 409, so one comment never fans out without bound.
    /// </summary>
    public const int MaxFollowers = 1000;
    public const int NotifyBatch = 100;
    public const string FullReason = "FollowersFull";
    public const string CommentKind = "case.comment";
}
