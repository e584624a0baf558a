using HealthActors.Grains.Abstractions.Cases;
using Npgsql;
using NpgsqlTypes;

namespace HealthActors.Grains.Cases;

public interface ICaseStore
{
    /// <summary>Inserts the case with its author as its first follower, in one transaction.</summary>
    Task Insert(ClinicalCase c);
    Task<ClinicalCase?> Get(Guid id);
    /// <summary>Sets the accepted comment and status; the case grain is the only writer of its row.</summary>
    Task Update(Guid id, string status, Guid? acceptedCommentId);
    /// <summary>Appends a comment and bumps the case's count in one transaction.</summary>
    Task AppendComment(CaseComment comment);
    Task<CaseComment?> GetComment(Guid caseId, Guid commentId);
    Task<long> LastSeq(Guid caseId);
    Task<IReadOnlyList<CaseComment>> Comments(Guid caseId, long afterSeq, int limit);
    /// <summary>Records one doctor's upvote; false (and nothing changed) when that doctor already upvoted.</summary>
    Task<bool> Upvote(Guid commentId, Guid doctorId, DateTimeOffset at);
    Task<CasePage> Search(CaseQuery query);

    /// <summary>False (and nothing changed) when the doctor already follows the case.</summary>
    Task<bool> Follow(Guid caseId, Guid doctorId, DateTimeOffset at);
    Task Unfollow(Guid caseId, Guid doctorId);
    Task<bool> IsFollowing(Guid caseId, Guid doctorId);
    Task<int> FollowerCount(Guid caseId);
    /// <summary>Followers in id order after <paramref name="afterDoctorId"/> (keyset), for a bounded fan-out.</summary>
    Task<IReadOnlyList<Guid>> Followers(Guid caseId, Guid afterDoctorId, int limit);
    /// <summary>The cases a doctor follows, most recently followed first.</summary>
    Task<CasePage> Following(Guid doctorId, int page, int pageSize);
}

/// <summary>The cases' side of <see cref="Abstractions.Attachments.AttachmentAccess"/>.</summary>
public interface ICaseAttachmentLinks
{
    /// <summary>Whether <paramref name="ownerId"/> linked the attachment to a case or a case comment they wrote.</summary>
    Task<bool> LinkedInCaseOf(Guid attachmentId, Guid ownerId);
}

public sealed class PostgresCaseStore(NpgsqlDataSource db) : ICaseStore, ICaseAttachmentLinks
{
    private const string Columns =
        "id, author_id, title, age_band, sex, presenting_complaint, history, findings, question, tags, specialty_id, attachment_ids, status, accepted_comment_id, created_at, comment_count";
    private const string CommentColumns = "id, case_id, seq, author_id, parent_id, text, created_at, upvotes, attachment_ids";

    public async Task Insert(ClinicalCase c)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using var cmd = new NpgsqlCommand($"INSERT INTO clinical_cases ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL, $14, 0)", conn, tx);
        cmd.Parameters.AddWithValue(c.Id);
        cmd.Parameters.AddWithValue(c.AuthorId);
        cmd.Parameters.AddWithValue(c.Title);
        cmd.Parameters.AddWithValue(c.AgeBand);
        cmd.Parameters.AddWithValue(c.Sex);
        cmd.Parameters.AddWithValue(c.PresentingComplaint!);
        cmd.Parameters.Add(Nullable(c.History));
        cmd.Parameters.Add(Nullable(c.Findings));
        cmd.Parameters.AddWithValue(c.Question!);
        cmd.Parameters.Add(new NpgsqlParameter { Value = c.Tags.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)c.SpecialtyId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        cmd.Parameters.Add(new NpgsqlParameter { Value = c.AttachmentIds.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        cmd.Parameters.AddWithValue(c.Status);
        cmd.Parameters.AddWithValue(c.CreatedAt.UtcDateTime);
        await cmd.ExecuteNonQueryAsync();
        await using (var follow = new NpgsqlCommand("INSERT INTO clinical_case_follows (case_id, doctor_id, created_at) VALUES ($1, $2, $3)", conn, tx))
        {
            follow.Parameters.AddWithValue(c.Id);
            follow.Parameters.AddWithValue(c.AuthorId);
            follow.Parameters.AddWithValue(c.CreatedAt.UtcDateTime);
            await follow.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
    }

    public async Task<ClinicalCase?> Get(Guid id)
    {
        await using var cmd = db.CreateCommand($"SELECT {Columns} FROM clinical_cases WHERE id = $1");
        cmd.Parameters.AddWithValue(id);
        await using var r = await cmd.ExecuteReaderAsync();
        return await r.ReadAsync() ? ReadCase(r) : null;
    }

    public async Task Update(Guid id, string status, Guid? acceptedCommentId)
    {
        await using var cmd = db.CreateCommand("UPDATE clinical_cases SET status = $2, accepted_comment_id = $3 WHERE id = $1");
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(status);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)acceptedCommentId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task AppendComment(CaseComment c)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand($"INSERT INTO clinical_case_comments ({CommentColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)", conn, tx))
        {
            cmd.Parameters.AddWithValue(c.Id);
            cmd.Parameters.AddWithValue(c.CaseId);
            cmd.Parameters.AddWithValue(c.Seq);
            cmd.Parameters.AddWithValue(c.AuthorId);
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)c.ParentId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
            cmd.Parameters.AddWithValue(c.Text);
            cmd.Parameters.AddWithValue(c.CreatedAt.UtcDateTime);
            cmd.Parameters.Add(new NpgsqlParameter { Value = (c.AttachmentIds ?? []).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
            await cmd.ExecuteNonQueryAsync();
        }
        await using (var cmd = new NpgsqlCommand("UPDATE clinical_cases SET comment_count = comment_count + 1 WHERE id = $1", conn, tx))
        {
            cmd.Parameters.AddWithValue(c.CaseId);
            await cmd.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
    }

    public async Task<CaseComment?> GetComment(Guid caseId, Guid commentId)
    {
        await using var cmd = db.CreateCommand($"SELECT {CommentColumns} FROM clinical_case_comments WHERE case_id = $1 AND id = $2");
        cmd.Parameters.AddWithValue(caseId);
        cmd.Parameters.AddWithValue(commentId);
        return (await ReadComments(cmd)).FirstOrDefault();
    }

    public async Task<long> LastSeq(Guid caseId)
    {
        await using var cmd = db.CreateCommand("SELECT coalesce(max(seq), 0) FROM clinical_case_comments WHERE case_id = $1");
        cmd.Parameters.AddWithValue(caseId);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    public async Task<IReadOnlyList<CaseComment>> Comments(Guid caseId, long afterSeq, int limit)
    {
        await using var cmd = db.CreateCommand($"SELECT {CommentColumns} FROM clinical_case_comments WHERE case_id = $1 AND seq > $2 ORDER BY seq LIMIT $3");
        cmd.Parameters.AddWithValue(caseId);
        cmd.Parameters.AddWithValue(afterSeq);
        cmd.Parameters.AddWithValue(limit);
        return await ReadComments(cmd);
    }

    public async Task<bool> Upvote(Guid commentId, Guid doctorId, DateTimeOffset at)
    {
        // The vote row and the counter change together, so the count always equals the votes.
        await using var cmd = db.CreateCommand("""
            WITH vote AS (INSERT INTO clinical_case_upvotes (comment_id, doctor_id, created_at) VALUES ($1, $2, $3)
                          ON CONFLICT DO NOTHING RETURNING comment_id)
            UPDATE clinical_case_comments SET upvotes = upvotes + 1 WHERE id IN (SELECT comment_id FROM vote)
            """);
        cmd.Parameters.AddWithValue(commentId);
        cmd.Parameters.AddWithValue(doctorId);
        cmd.Parameters.AddWithValue(at.UtcDateTime);
        return await cmd.ExecuteNonQueryAsync() == 1;
    }

    public async Task<CasePage> Search(CaseQuery q)
    {
        // Without words the list is newest first; with them, ts_rank (title weighted A) decides and age breaks ties.
        const string Filter = """
            FROM clinical_cases c,
                 (SELECT CASE WHEN $1::text IS NULL THEN NULL
                              ELSE websearch_to_tsquery('english', $1) || websearch_to_tsquery('spanish', $1) END AS query) q
            WHERE (q.query IS NULL OR c.search @@ q.query)
              AND ($2::text IS NULL OR $2 = ANY (c.tags))
              AND ($3::uuid IS NULL OR c.specialty_id = $3)
              AND ($4::text IS NULL OR c.status = $4)
            """;
        await using var count = db.CreateCommand("SELECT count(*) " + Filter);
        AddFilter(count, q);
        var total = Convert.ToInt32(await count.ExecuteScalarAsync());
        await using var cmd = db.CreateCommand($"""
            SELECT c.id, c.title, c.age_band, c.sex, c.tags, c.specialty_id, c.status, c.created_at, c.comment_count
            {Filter}
            ORDER BY CASE WHEN q.query IS NULL THEN 0 ELSE ts_rank(c.search, q.query) END DESC, c.created_at DESC, c.id
            OFFSET $5 LIMIT $6
            """);
        AddFilter(cmd, q);
        cmd.Parameters.AddWithValue((q.Page - 1) * q.PageSize);
        cmd.Parameters.AddWithValue(q.PageSize);
        return new CasePage(await ReadSummaries(cmd), q.Page, q.PageSize, total);
    }

    private static async Task<IReadOnlyList<CaseSummary>> ReadSummaries(NpgsqlCommand cmd)
    {
        var items = new List<CaseSummary>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            items.Add(new CaseSummary(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetFieldValue<string[]>(4),
                r.IsDBNull(5) ? null : r.GetGuid(5), r.GetString(6), Utc(r.GetFieldValue<DateTime>(7)), r.GetInt32(8)));
        return items;
    }

    public async Task<bool> Follow(Guid caseId, Guid doctorId, DateTimeOffset at)
    {
        await using var cmd = db.CreateCommand("INSERT INTO clinical_case_follows (case_id, doctor_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING");
        cmd.Parameters.AddWithValue(caseId);
        cmd.Parameters.AddWithValue(doctorId);
        cmd.Parameters.AddWithValue(at.UtcDateTime);
        return await cmd.ExecuteNonQueryAsync() == 1;
    }

    public async Task Unfollow(Guid caseId, Guid doctorId)
    {
        await using var cmd = db.CreateCommand("DELETE FROM clinical_case_follows WHERE case_id = $1 AND doctor_id = $2");
        cmd.Parameters.AddWithValue(caseId);
        cmd.Parameters.AddWithValue(doctorId);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<bool> IsFollowing(Guid caseId, Guid doctorId)
    {
        await using var cmd = db.CreateCommand("SELECT EXISTS (SELECT 1 FROM clinical_case_follows WHERE case_id = $1 AND doctor_id = $2)");
        cmd.Parameters.AddWithValue(caseId);
        cmd.Parameters.AddWithValue(doctorId);
        return (bool)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task<int> FollowerCount(Guid caseId)
    {
        await using var cmd = db.CreateCommand("SELECT count(*) FROM clinical_case_follows WHERE case_id = $1");
        cmd.Parameters.AddWithValue(caseId);
        return Convert.ToInt32(await cmd.ExecuteScalarAsync());
    }

    public async Task<IReadOnlyList<Guid>> Followers(Guid caseId, Guid afterDoctorId, int limit)
    {
        await using var cmd = db.CreateCommand("SELECT doctor_id FROM clinical_case_follows WHERE case_id = $1 AND doctor_id > $2 ORDER BY doctor_id LIMIT $3");
        cmd.Parameters.AddWithValue(caseId);
        cmd.Parameters.AddWithValue(afterDoctorId);
        cmd.Parameters.AddWithValue(limit);
        var ids = new List<Guid>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) ids.Add(r.GetGuid(0));
        return ids;
    }

    public async Task<CasePage> Following(Guid doctorId, int page, int pageSize)
    {
        await using var count = db.CreateCommand("SELECT count(*) FROM clinical_case_follows WHERE doctor_id = $1");
        count.Parameters.AddWithValue(doctorId);
        var total = Convert.ToInt32(await count.ExecuteScalarAsync());
        await using var cmd = db.CreateCommand("""
            SELECT c.id, c.title, c.age_band, c.sex, c.tags, c.specialty_id, c.status, c.created_at, c.comment_count
            FROM clinical_case_follows f JOIN clinical_cases c ON c.id = f.case_id
            WHERE f.doctor_id = $1
            ORDER BY f.created_at DESC, f.case_id
            OFFSET $2 LIMIT $3
            """);
        cmd.Parameters.AddWithValue(doctorId);
        cmd.Parameters.AddWithValue((page - 1) * pageSize);
        cmd.Parameters.AddWithValue(pageSize);
        return new CasePage(await ReadSummaries(cmd), page, pageSize, total);
    }

    public async Task<bool> LinkedInCaseOf(Guid attachmentId, Guid ownerId)
    {
        // @> rather than ANY so the GIN indexes on attachment_ids answer it.
        await using var cmd = db.CreateCommand("""
            SELECT EXISTS (SELECT 1 FROM clinical_cases WHERE attachment_ids @> ARRAY[$1]::uuid[] AND author_id = $2)
                OR EXISTS (SELECT 1 FROM clinical_case_comments WHERE attachment_ids @> ARRAY[$1]::uuid[] AND author_id = $2)
            """);
        cmd.Parameters.AddWithValue(attachmentId);
        cmd.Parameters.AddWithValue(ownerId);
        return (bool)(await cmd.ExecuteScalarAsync())!;
    }

    private static void AddFilter(NpgsqlCommand cmd, CaseQuery q)
    {
        cmd.Parameters.Add(Nullable(q.Text));
        cmd.Parameters.Add(Nullable(q.Tag));
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)q.SpecialtyId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        cmd.Parameters.Add(Nullable(q.Status));
    }

    private static NpgsqlParameter Nullable(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    private static ClinicalCase ReadCase(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetGuid(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
        r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), r.GetString(8),
        r.GetFieldValue<string[]>(9), r.IsDBNull(10) ? null : r.GetGuid(10), r.GetFieldValue<Guid[]>(11), r.GetString(12),
        r.IsDBNull(13) ? null : r.GetGuid(13), Utc(r.GetFieldValue<DateTime>(14)), r.GetInt32(15));

    private static async Task<IReadOnlyList<CaseComment>> ReadComments(NpgsqlCommand cmd)
    {
        var list = new List<CaseComment>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            list.Add(new CaseComment(r.GetGuid(0), r.GetGuid(1), r.GetInt64(2), r.GetGuid(3), r.IsDBNull(4) ? null : r.GetGuid(4),
                r.GetString(5), Utc(r.GetFieldValue<DateTime>(6)), r.GetInt32(7), r.GetFieldValue<Guid[]>(8)));
        return list;
    }

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
}

/// <summary>
/// The embedded mode's store (no database). Search here matches whole words, ignoring case,
/// without stemming: PostgreSQL's English and Spanish stemmers are what production relies on.
/// </summary>
public sealed class InMemoryCaseStore : ICaseStore, ICaseAttachmentLinks
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, ClinicalCase> _cases = [];
    private readonly Dictionary<Guid, CaseComment> _comments = [];
    private readonly HashSet<(Guid Comment, Guid Doctor)> _votes = [];
    private readonly Dictionary<(Guid Case, Guid Doctor), DateTimeOffset> _follows = [];

    public Task Insert(ClinicalCase c)
    {
        lock (_gate)
        {
            _cases.Add(c.Id, c);
            _follows[(c.Id, c.AuthorId)] = c.CreatedAt;
        }
        return Task.CompletedTask;
    }

    public Task<ClinicalCase?> Get(Guid id)
    {
        lock (_gate) return Task.FromResult(_cases.GetValueOrDefault(id));
    }

    public Task Update(Guid id, string status, Guid? acceptedCommentId)
    {
        lock (_gate) _cases[id] = _cases[id] with { Status = status, AcceptedCommentId = acceptedCommentId };
        return Task.CompletedTask;
    }

    public Task AppendComment(CaseComment comment)
    {
        lock (_gate)
        {
            _comments.Add(comment.Id, comment);
            _cases[comment.CaseId] = _cases[comment.CaseId] with { CommentCount = _cases[comment.CaseId].CommentCount + 1 };
        }
        return Task.CompletedTask;
    }

    public Task<CaseComment?> GetComment(Guid caseId, Guid commentId)
    {
        lock (_gate) return Task.FromResult(_comments.GetValueOrDefault(commentId) is { } c && c.CaseId == caseId ? c : null);
    }

    public Task<long> LastSeq(Guid caseId)
    {
        lock (_gate) return Task.FromResult(_comments.Values.Where(c => c.CaseId == caseId).Select(c => c.Seq).DefaultIfEmpty(0).Max());
    }

    public Task<IReadOnlyList<CaseComment>> Comments(Guid caseId, long afterSeq, int limit)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<CaseComment>>(
                _comments.Values.Where(c => c.CaseId == caseId && c.Seq > afterSeq).OrderBy(c => c.Seq).Take(limit).ToList());
    }

    public Task<bool> Upvote(Guid commentId, Guid doctorId, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (!_votes.Add((commentId, doctorId))) return Task.FromResult(false);
            _comments[commentId] = _comments[commentId] with { Upvotes = _comments[commentId].Upvotes + 1 };
            return Task.FromResult(true);
        }
    }

    public Task<CasePage> Search(CaseQuery q)
    {
        var words = Words(q.Text);
        lock (_gate)
        {
            var hits = _cases.Values
                .Where(c => (q.Tag is null || c.Tags.Contains(q.Tag)) && (q.SpecialtyId is null || c.SpecialtyId == q.SpecialtyId)
                            && (q.Status is null || c.Status == q.Status))
                .Select(c => (Case: c, Title: Words(c.Title).Count(words.Contains),
                    Body: Words($"{c.PresentingComplaint} {c.History} {c.Findings} {c.Question}").Count(words.Contains)))
                .Where(h => words.Count == 0 || h.Title + h.Body > 0)
                .OrderByDescending(h => h.Title * 10 + h.Body).ThenByDescending(h => h.Case.CreatedAt).ThenBy(h => h.Case.Id)
                .Select(h => h.Case).ToList();
            var items = hits.Skip((q.Page - 1) * q.PageSize).Take(q.PageSize)
                .Select(c => new CaseSummary(c.Id, c.Title, c.AgeBand, c.Sex, c.Tags, c.SpecialtyId, c.Status, c.CreatedAt, c.CommentCount)).ToList();
            return Task.FromResult(new CasePage(items, q.Page, q.PageSize, hits.Count));
        }
    }

    public Task<bool> Follow(Guid caseId, Guid doctorId, DateTimeOffset at)
    {
        lock (_gate) return Task.FromResult(_follows.TryAdd((caseId, doctorId), at));
    }

    public Task Unfollow(Guid caseId, Guid doctorId)
    {
        lock (_gate) _follows.Remove((caseId, doctorId));
        return Task.CompletedTask;
    }

    public Task<bool> IsFollowing(Guid caseId, Guid doctorId)
    {
        lock (_gate) return Task.FromResult(_follows.ContainsKey((caseId, doctorId)));
    }

    public Task<int> FollowerCount(Guid caseId)
    {
        lock (_gate) return Task.FromResult(_follows.Keys.Count(k => k.Case == caseId));
    }

    public Task<IReadOnlyList<Guid>> Followers(Guid caseId, Guid afterDoctorId, int limit)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<Guid>>(_follows.Keys.Where(k => k.Case == caseId && k.Doctor.CompareTo(afterDoctorId) > 0)
                .Select(k => k.Doctor).Order().Take(limit).ToList());
    }

    public Task<CasePage> Following(Guid doctorId, int page, int pageSize)
    {
        lock (_gate)
        {
            var followed = _follows.Where(f => f.Key.Doctor == doctorId).OrderByDescending(f => f.Value).ThenBy(f => f.Key.Case).Select(f => _cases[f.Key.Case]).ToList();
            var items = followed.Skip((page - 1) * pageSize).Take(pageSize)
                .Select(c => new CaseSummary(c.Id, c.Title, c.AgeBand, c.Sex, c.Tags, c.SpecialtyId, c.Status, c.CreatedAt, c.CommentCount)).ToList();
            return Task.FromResult(new CasePage(items, page, pageSize, followed.Count));
        }
    }

    public Task<bool> LinkedInCaseOf(Guid attachmentId, Guid ownerId)
    {
        lock (_gate)
            return Task.FromResult(_cases.Values.Any(c => c.AuthorId == ownerId && c.AttachmentIds.Contains(attachmentId))
                                   || _comments.Values.Any(c => c.AuthorId == ownerId && (c.AttachmentIds ?? []).Contains(attachmentId)));
    }

    private static HashSet<string> Words(string? text) =>
        string.IsNullOrWhiteSpace(text)
            ? []
            : text.Split((char[])[' ', '\n', '\r', '\t', ',', '.', ';', ':', '(', ')', '"', '?', '!'], StringSplitOptions.RemoveEmptyEntries)
                .Select(w => w.ToLowerInvariant()).ToHashSet();
}
