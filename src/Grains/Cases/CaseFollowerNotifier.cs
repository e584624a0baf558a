using HealthActors.Grains.Abstractions.Cases;
using HealthActors.Grains.Abstractions.Common;
using Microsoft.Extensions.Logging;

namespace HealthActors.Grains.Cases;

/// <summary>
/// Fans a new comment out to the case's followers' inboxes in batches (bounded by <see cref="CaseFollowing.MaxFollowers"/>).
/// A stateless worker, so a busy case's fan-out never queues behind its own thread. One-way from the case grain: the
/// comment is already durable; a notification lost with a dying silo is a missed nudge, not lost data.
/// </summary>
[Orleans.Concurrency.StatelessWorker]
public sealed class CaseFollowerNotifier(ICaseStore store, ILogger<CaseFollowerNotifier> log) : Grain, ICaseFollowerNotifier
{
    public async Task CommentAdded(Guid caseId, string caseTitle, CaseComment comment)
    {
        var after = Guid.Empty;
        var sent = 0;
        while (sent < CaseFollowing.MaxFollowers)
        {
            var batch = await store.Followers(caseId, after, Math.Min(CaseFollowing.NotifyBatch, CaseFollowing.MaxFollowers - sent));
            if (batch.Count == 0) break;
            // The comment's id is the dedupe key: a repeated fan-out of one comment adds nothing to an inbox.
            await Task.WhenAll(batch.Where(d => d != comment.AuthorId).Select(async doctorId =>
            {
                try
                {
                    await GrainFactory.GetGrain<Abstractions.Notifications.IInboxGrain>(doctorId).Add(CaseFollowing.CommentKind,
                        "New comment on a case you follow", $"Comment {comment.Seq} on \"{caseTitle}\".", caseId, comment.Id);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // One unreachable inbox must not cost the other followers their notification.
                    log.LogWarning("Notifying follower {Doctor} of comment {Comment} failed: {Error}", doctorId, comment.Id, e.GetType().Name);
                }
            }));
            sent += batch.Count;
            after = batch[^1];
            if (batch.Count < CaseFollowing.NotifyBatch) break;
        }
    }
}
