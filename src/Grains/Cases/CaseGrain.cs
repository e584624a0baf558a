using HealthActors.Grains.Abstractions.Attachments;
using HealthActors.Grains.Abstractions.Cases;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Live;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using HealthActors.Grains.Storage;

namespace HealthActors.Grains.Cases;

/// <summary>Who may reach clinical cases at all: verified doctors. Everyone else is told nothing exists.</summary>
internal static class CaseAccess
{
    public static async Task<bool> Allowed(IGrainFactory grains, Caller caller) =>
        caller.Role == Roles.Doctor && await grains.GetGrain<IDoctorGrain>(caller.UserId).IsVerified();
}

/// <summary>
/// One clinical case. The table is the record; the activation keeps the case and its last seq in memory, and being the
/// single activation per case is what makes "next seq", "reply to a top-level comment only" and "closed takes no
/// comments" safe, with the table's keys behind them.
/// </summary>
public sealed class CaseGrain(ICaseStore store, TimeProvider time, ILogger<CaseGrain> log) : Grain, ICaseGrain
{
    private const int MaxCommentPage = 100;
    private const int MaxReadBack = 200;
    private ClinicalCase? _case;
    private long _lastSeq;
    private Watchers<ICaseWatcher>? _watchers;
    private Watchers<ICaseWatcher> LiveWatchers => _watchers ??= new(log, DelayDeactivation);

    private Guid CaseId => this.GetPrimaryKey();

    // Activation reads pass no call filter: a database outage must still reach the caller as a 503 (StorageFaults).
    public override Task OnActivateAsync(CancellationToken cancellationToken) => StorageFaults.DuringActivation(() => Activate(cancellationToken));

    private async Task Activate(CancellationToken cancellationToken)
    {
        _case = await store.Get(CaseId);
        if (_case is not null) _lastSeq = await store.LastSeq(CaseId);
    }

    public async Task<Outcome<ClinicalCase>> Create(Caller caller, CaseSubmission s)
    {
        if (!await CaseAccess.Allowed(GrainFactory, caller)) return Outcome.NotFound();
        var errors = CaseRules.Validate(s);
        if (!errors.IsValid) return Outcome.Invalid(errors);
        if (_case is not null) return Outcome.Conflict("CaseExists", "This case already exists.");
        IReadOnlyList<Guid> ids = s.AttachmentIds ?? [];
        if (ids.Count > 0 && !await GrainFactory.GetGrain<IAttachmentGrain>(0).AllOwnedBy(caller.UserId, ids))
            return Outcome.Invalid("attachmentIds", "must name files you uploaded (POST /api/attachments)");
        if (s.SpecialtyId is { } specialtyId && await GrainFactory.GetGrain<ISpecialtyRegistryGrain>(0).Get(specialtyId) is null)
            return Outcome.Invalid("specialtyId", "names no specialty");

        var created = new ClinicalCase(CaseId, caller.UserId, Clean(s.Title)!, s.AgeBand!, s.Sex!, Clean(s.PresentingComplaint), Clean(s.History),
            Clean(s.Findings), Clean(s.Question), s.Tags ?? [], s.SpecialtyId, ids, CaseStatus.Open, null, time.GetUtcNow(), 0);
        await store.Insert(created);
        _case = created;
        return Outcome.Ok(created);
    }

    public async Task<Outcome<ClinicalCase>> Get(Caller caller) =>
        _case is not null && await CaseAccess.Allowed(GrainFactory, caller) ? Outcome.Ok(_case) : Outcome.NotFound();

    public async Task<Outcome<CaseComment>> Comment(Caller caller, CommentSubmission c)
    {
        if (_case is null || !await CaseAccess.Allowed(GrainFactory, caller)) return Outcome.NotFound();
        var errors = CaseRules.ValidateComment(c);
        if (!errors.IsValid) return Outcome.Invalid(errors);
        if (_case.Status == CaseStatus.Closed) return Outcome.Conflict(CaseRules.ClosedReason, "The case is closed to new comments.");
        if (c.ParentId is { } parentId)
        {
            var parent = await store.GetComment(CaseId, parentId);
            if (parent is null) return Outcome.Invalid("parentId", "names no comment of this case");
            // One level of replies keeps a thread readable; a reply to a reply goes to the top-level comment instead.
            if (parent.ParentId is not null) return Outcome.Invalid("parentId", "must name a top-level comment: replies are one level deep");
        }
        IReadOnlyList<Guid> ids = c.AttachmentIds ?? [];
        if (ids.Count > 0 && !await GrainFactory.GetGrain<IAttachmentGrain>(0).AllOwnedBy(caller.UserId, ids))
            return Outcome.Invalid("attachmentIds", "must name files you uploaded (POST /api/attachments)");
        var comment = new CaseComment(Guid.NewGuid(), CaseId, _lastSeq + 1, caller.UserId, c.ParentId, Clean(c.Text)!, time.GetUtcNow(), 0, ids);
        await store.AppendComment(comment);
        _lastSeq = comment.Seq;
        _case = _case with { CommentCount = _case.CommentCount + 1 };
        // Stored first, pushed second: a node that misses the one-way push reads the comment back through After.
        await LiveWatchers.Push(w => w.OnCaseComment(new CaseCommentEvent(comment.CaseId, comment.Seq, comment)));
        await GrainFactory.GetGrain<ICaseFollowerNotifier>(0).CommentAdded(CaseId, _case.Title, comment);
        return Outcome.Ok(comment);
    }

    public async Task<Outcome<CommentPage>> Comments(Caller caller, long afterSeq, int limit)
    {
        if (_case is null || !await CaseAccess.Allowed(GrainFactory, caller)) return Outcome.NotFound();
        var e = new ValidationErrors();
        if (afterSeq < 0) e.Add("after", "must not be negative");
        if (limit is < 1 or > MaxCommentPage) e.Add("limit", $"must be between 1 and {MaxCommentPage}");
        if (!e.IsValid) return Outcome.Invalid(e);
        var items = await store.Comments(CaseId, afterSeq, limit);
        return Outcome.Ok(new CommentPage(items, items.Count == limit ? items[^1].Seq : null));
    }

    public async Task<Outcome<CaseComment>> Upvote(Caller caller, Guid commentId)
    {
        if (_case is null || !await CaseAccess.Allowed(GrainFactory, caller)) return Outcome.NotFound();
        if (await store.GetComment(CaseId, commentId) is null) return Outcome.NotFound();
        await store.Upvote(commentId, caller.UserId, time.GetUtcNow());
        return Outcome.Ok((await store.GetComment(CaseId, commentId))!);
    }

    public async Task<Outcome<ClinicalCase>> Accept(Caller caller, Guid commentId)
    {
        if (_case is null || !await CaseAccess.Allowed(GrainFactory, caller)) return Outcome.NotFound();
        if (caller.UserId != _case.AuthorId) return Outcome.Forbidden("Only the case's author accepts an answer.");
        if (commentId == Guid.Empty || await store.GetComment(CaseId, commentId) is null)
            return Outcome.Invalid("commentId", "must name a comment of this case");
        await store.Update(CaseId, _case.Status, commentId);
        _case = _case with { AcceptedCommentId = commentId };
        return Outcome.Ok(_case);
    }

    public async Task<Outcome<ClinicalCase>> Close(Caller caller)
    {
        if (_case is null || !await CaseAccess.Allowed(GrainFactory, caller)) return Outcome.NotFound();
        if (caller.UserId != _case.AuthorId) return Outcome.Forbidden("Only the case's author closes it.");
        if (_case.Status == CaseStatus.Closed) return Outcome.Ok(_case);
        await store.Update(CaseId, CaseStatus.Closed, _case.AcceptedCommentId);
        _case = _case with { Status = CaseStatus.Closed };
        return Outcome.Ok(_case);
    }

    public async Task<Outcome<bool>> Follow(Caller caller)
    {
        if (_case is null || !await CaseAccess.Allowed(GrainFactory, caller)) return Outcome.NotFound();
        if (await store.IsFollowing(CaseId, caller.UserId)) return Outcome.Ok(true);
        // The activation is the only writer of this case's follows, so the count cannot pass the bound between check and insert.
        if (await store.FollowerCount(CaseId) >= CaseFollowing.MaxFollowers)
            return Outcome.Conflict(CaseFollowing.FullReason, $"The case already has {CaseFollowing.MaxFollowers} followers.");
        await store.Follow(CaseId, caller.UserId, time.GetUtcNow());
        return Outcome.Ok(true);
    }

    public async Task<Outcome<bool>> Unfollow(Caller caller)
    {
        if (_case is null || !await CaseAccess.Allowed(GrainFactory, caller)) return Outcome.NotFound();
        await store.Unfollow(CaseId, caller.UserId);
        return Outcome.Ok(false);
    }

    public async Task<bool> CanWatch(Caller caller) => _case is not null && await CaseAccess.Allowed(GrainFactory, caller);

    public Task<long> Watch(ICaseWatcher watcher) => Task.FromResult(LiveWatchers.Watch(watcher, _lastSeq));

    public Task Unwatch(ICaseWatcher watcher)
    {
        LiveWatchers.Unwatch(watcher);
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<CaseCommentEvent>> After(long afterSeq, int limit)
    {
        if (_case is null) return [];
        var comments = await store.Comments(CaseId, Math.Max(afterSeq, 0), Math.Clamp(limit, 1, MaxReadBack));
        return comments.Select(c => new CaseCommentEvent(c.CaseId, c.Seq, c)).ToList();
    }

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : TextNormalization.Normalize(text).Trim();
}

/// <summary>Reads only, so any silo may answer: the store's full-text index does the work.</summary>
[StatelessWorker]
public sealed class CaseSearchGrain(ICaseStore store) : Grain, ICaseSearchGrain
{
    public async Task<Outcome<CasePage>> Search(Caller caller, CaseQuery query)
    {
        if (!await CaseAccess.Allowed(GrainFactory, caller)) return Outcome.NotFound();
        var e = CaseRules.ValidateQuery(query.Text, query.Tag, query.Status, query.SpecialtyId);
        if (!e.IsValid) return Outcome.Invalid(e);
        var text = string.IsNullOrWhiteSpace(query.Text) ? null : TextNormalization.Normalize(query.Text).Trim();
        return Outcome.Ok(await store.Search(query with { Text = text }));
    }

    public async Task<Outcome<CasePage>> Following(Caller caller, int page, int pageSize)
    {
        if (!await CaseAccess.Allowed(GrainFactory, caller)) return Outcome.NotFound();
        var e = new ValidationErrors();
        if (page is < 1 or > 10_000) e.Add("page", "must be between 1 and 10000");
        if (pageSize is < 1 or > 100) e.Add("pageSize", "must be between 1 and 100");
        if (!e.IsValid) return Outcome.Invalid(e);
        return Outcome.Ok(await store.Following(caller.UserId, page, pageSize));
    }
}
