using HealthActors.Grains.Abstractions.Attachments;
using HealthActors.Grains.Abstractions.Cases;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Cases;

namespace HealthActors.UnitTests.Cases;

/// <summary>The embedded mode's follows (no database) and the attachment basis a case gives.</summary>
public sealed class CaseFollowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private static ClinicalCase Case(Guid author, DateTimeOffset at, params Guid[] attachments) =>
        new(Guid.NewGuid(), author, "Title", "40-49", "female", "Complaint", null, null, "Question", [], null, attachments, CaseStatus.Open, null, at, 0);

    [Fact]
    public async Task The_author_follows_at_creation_a_repeat_follow_changes_nothing_and_the_list_is_newest_follow_first()
    {
        var store = new InMemoryCaseStore();
        var (author, doctor) = (Guid.NewGuid(), Guid.NewGuid());
        var older = Case(author, T0);
        var newer = Case(author, T0.AddMinutes(1));
        await store.Insert(older);
        await store.Insert(newer);
        Assert.True(await store.IsFollowing(older.Id, author));

        Assert.True(await store.Follow(newer.Id, doctor, T0.AddMinutes(2)));
        Assert.True(await store.Follow(older.Id, doctor, T0.AddMinutes(3)));
        Assert.False(await store.Follow(older.Id, doctor, T0.AddMinutes(4)));
        Assert.Equal(2, await store.FollowerCount(older.Id));
        Assert.Equal([older.Id, newer.Id], (await store.Following(doctor, 1, 10)).Items.Select(c => c.Id));
        Assert.Equal([newer.Id], (await store.Following(doctor, 2, 1)).Items.Select(c => c.Id));

        await store.Unfollow(older.Id, doctor);
        await store.Unfollow(older.Id, doctor);
        Assert.False(await store.IsFollowing(older.Id, doctor));
        Assert.Equal(1, (await store.Following(doctor, 1, 10)).Total);
    }

    [Fact]
    public async Task Followers_page_by_keyset_so_a_fan_out_in_batches_reaches_each_follower_once()
    {
        var store = new InMemoryCaseStore();
        var c = Case(Guid.NewGuid(), T0);
        await store.Insert(c);
        for (var i = 0; i < 24; i++) await store.Follow(c.Id, Guid.NewGuid(), T0);

        var seen = new List<Guid>();
        var after = Guid.Empty;
        while (await store.Followers(c.Id, after, 10) is { Count: > 0 } batch)
        {
            seen.AddRange(batch);
            after = batch[^1];
        }
        Assert.Equal(25, seen.Count);
        Assert.Equal(25, seen.Distinct().Count());
    }

    [Fact]
    public async Task A_file_linked_to_its_owners_case_is_read_with_the_case_basis_but_the_owner_and_admins_keep_theirs()
    {
        var store = new InMemoryCaseStore();
        var (author, file, other) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await store.Insert(Case(author, T0, file));
        Assert.True(await store.LinkedInCaseOf(file, author));
        Assert.False(await store.LinkedInCaseOf(other, author));
        // The link counts only when the file's owner wrote the case.
        Assert.False(await store.LinkedInCaseOf(file, Guid.NewGuid()));

        // A comment links its writer's uploads too, not anyone else's.
        var commenter = Guid.NewGuid();
        var inComment = Guid.NewGuid();
        await store.AppendComment(new CaseComment(Guid.NewGuid(), (await store.Following(author, 1, 1)).Items[0].Id, 1, commenter, null, "See this.", T0, 0, [inComment]));
        Assert.True(await store.LinkedInCaseOf(inComment, commenter));
        Assert.False(await store.LinkedInCaseOf(inComment, author));

        var meta = new AttachmentMeta(file, author, "00", "image/png", 1, "a.png", T0);
        Assert.Equal("case", AttachmentAccess.ReadBasis(new Caller(Guid.NewGuid(), Roles.Doctor), meta, linkedInReadableCase: true));
        Assert.Equal("owner", AttachmentAccess.ReadBasis(new Caller(author, Roles.Doctor), meta, linkedInReadableCase: true));
        Assert.Equal("admin", AttachmentAccess.ReadBasis(new Caller(Guid.NewGuid(), Roles.Admin), meta, linkedInReadableCase: true));
        Assert.Null(AttachmentAccess.ReadBasis(new Caller(Guid.NewGuid(), Roles.Doctor), meta));
    }

    [Theory]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(false, false, true)]
    public void A_comments_attachment_ids_are_checked_like_a_cases(bool empty, bool repeated, bool tooMany)
    {
        var id = Guid.NewGuid();
        Guid[] ids = empty ? [Guid.Empty] : repeated ? [id, id] : tooMany ? Enumerable.Range(0, CaseRules.MaxAttachments + 1).Select(_ => Guid.NewGuid()).ToArray() : [id];
        var errors = CaseRules.ValidateComment(new CommentSubmission { Text = "See the strip.", AttachmentIds = ids }).ToDictionary();
        Assert.Equal(["attachmentIds"], errors.Keys);
        Assert.True(CaseRules.ValidateComment(new CommentSubmission { Text = "See the strip.", AttachmentIds = [id] }).IsValid);
    }
}
