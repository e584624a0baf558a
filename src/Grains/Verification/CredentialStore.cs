using HealthActors.Grains.Abstractions.Attachments;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Verification;
using Npgsql;
using NpgsqlTypes;

namespace HealthActors.Grains.Verification;

public interface ICredentialStore
{
    /// <summary>False when the doctor already has a pending submission (the table refuses a second one).</summary>
    Task<bool> Insert(CredentialRecord record);
    Task<CredentialRecord?> Get(Guid id);
    /// <summary>The doctor's submissions, newest first.</summary>
    Task<IReadOnlyList<CredentialRecord>> ForDoctor(Guid doctorId);
    /// <summary>Sets the decision only while the submission is pending; true when this call decided it.</summary>
    Task<bool> Decide(Guid id, string status, string? reason, Guid decidedBy, DateTimeOffset at);
    Task<CredentialPage> List(string status, int page, int pageSize);
}

/// <summary>
/// The seam to the attachments feature: whether every id names an upload of this doctor's. Returns the refusal,
/// or null when the ids may be stored with the submission.
/// </summary>
public interface ICredentialAttachments
{
    Task<Failure?> AllOwnedBy(Guid doctorId, IReadOnlyList<Guid> ids);
}

/// <summary>
/// A submission may link only files its doctor uploaded: the attachments grain counts the ids owned by the doctor, so
/// an id of someone else's upload and an id that names nothing are refused alike (existence does not leak).
/// </summary>
public sealed class OwnedCredentialAttachments(IGrainFactory grains) : ICredentialAttachments
{
    public async Task<Failure?> AllOwnedBy(Guid doctorId, IReadOnlyList<Guid> ids) =>
        ids.Count == 0 || await grains.GetGrain<IAttachmentGrain>(0).AllOwnedBy(doctorId, ids)
            ? null
            : Outcome.Invalid("attachmentIds", "must name files you uploaded (POST /api/attachments)");
}

public sealed class PostgresCredentialStore(NpgsqlDataSource db) : ICredentialStore
{
    private const string Columns =
        "id, doctor_id, license_number, issuing_authority, institution, degree, graduation_year, attachment_ids, status, submitted_at, decided_at, decided_by, reason";

    public async Task<bool> Insert(CredentialRecord r)
    {
        await using var cmd = db.CreateCommand($"""
            INSERT INTO doctor_credentials ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, NULL, NULL)
            ON CONFLICT DO NOTHING
            """);
        cmd.Parameters.AddWithValue(r.Id);
        cmd.Parameters.AddWithValue(r.DoctorId);
        cmd.Parameters.AddWithValue(r.LicenseNumber);
        cmd.Parameters.AddWithValue(r.IssuingAuthority);
        cmd.Parameters.AddWithValue(r.Institution);
        cmd.Parameters.AddWithValue(r.Degree);
        cmd.Parameters.AddWithValue(r.GraduationYear);
        cmd.Parameters.Add(new NpgsqlParameter { Value = r.AttachmentIds.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        cmd.Parameters.AddWithValue(r.Status);
        cmd.Parameters.AddWithValue(r.SubmittedAt.UtcDateTime);
        return await cmd.ExecuteNonQueryAsync() == 1;
    }

    public async Task<CredentialRecord?> Get(Guid id)
    {
        await using var cmd = db.CreateCommand($"SELECT {Columns} FROM doctor_credentials WHERE id = $1");
        cmd.Parameters.AddWithValue(id);
        return (await ReadAll(cmd)).FirstOrDefault();
    }

    public async Task<IReadOnlyList<CredentialRecord>> ForDoctor(Guid doctorId)
    {
        await using var cmd = db.CreateCommand($"SELECT {Columns} FROM doctor_credentials WHERE doctor_id = $1 ORDER BY submitted_at DESC, id");
        cmd.Parameters.AddWithValue(doctorId);
        return await ReadAll(cmd);
    }

    public async Task<bool> Decide(Guid id, string status, string? reason, Guid decidedBy, DateTimeOffset at)
    {
        await using var cmd = db.CreateCommand(
            "UPDATE doctor_credentials SET status = $2, reason = $3, decided_by = $4, decided_at = $5 WHERE id = $1 AND status = 'pending'");
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(status);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)reason ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
        cmd.Parameters.AddWithValue(decidedBy);
        cmd.Parameters.AddWithValue(at.UtcDateTime);
        return await cmd.ExecuteNonQueryAsync() == 1;
    }

    public async Task<CredentialPage> List(string status, int page, int pageSize)
    {
        await using var count = db.CreateCommand("SELECT count(*) FROM doctor_credentials WHERE status = $1");
        count.Parameters.AddWithValue(status);
        var total = Convert.ToInt32(await count.ExecuteScalarAsync());
        await using var cmd = db.CreateCommand($"SELECT {Columns} FROM doctor_credentials WHERE status = $1 ORDER BY submitted_at, id OFFSET $2 LIMIT $3");
        cmd.Parameters.AddWithValue(status);
        cmd.Parameters.AddWithValue((page - 1) * pageSize);
        cmd.Parameters.AddWithValue(pageSize);
        return new CredentialPage(await ReadAll(cmd), page, pageSize, total);
    }

    private static async Task<IReadOnlyList<CredentialRecord>> ReadAll(NpgsqlCommand cmd)
    {
        var list = new List<CredentialRecord>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            list.Add(new CredentialRecord(r.GetGuid(0), r.GetGuid(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetInt32(6),
                r.GetFieldValue<Guid[]>(7), r.GetString(8), Utc(r.GetFieldValue<DateTime>(9)),
                r.IsDBNull(10) ? null : Utc(r.GetFieldValue<DateTime>(10)), r.IsDBNull(11) ? null : r.GetGuid(11), r.IsDBNull(12) ? null : r.GetString(12)));
        return list;
    }

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
}

/// <summary>The embedded mode's store (no database): the same rules, held in memory.</summary>
public sealed class InMemoryCredentialStore : ICredentialStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, CredentialRecord> _byId = [];

    public Task<bool> Insert(CredentialRecord record)
    {
        lock (_gate)
        {
            if (_byId.ContainsKey(record.Id) || _byId.Values.Any(r => r.DoctorId == record.DoctorId && r.Status == CredentialStatus.Pending))
                return Task.FromResult(false);
            _byId[record.Id] = record;
            return Task.FromResult(true);
        }
    }

    public Task<CredentialRecord?> Get(Guid id)
    {
        lock (_gate) return Task.FromResult(_byId.GetValueOrDefault(id));
    }

    public Task<IReadOnlyList<CredentialRecord>> ForDoctor(Guid doctorId)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<CredentialRecord>>(
                _byId.Values.Where(r => r.DoctorId == doctorId).OrderByDescending(r => r.SubmittedAt).ThenBy(r => r.Id).ToList());
    }

    public Task<bool> Decide(Guid id, string status, string? reason, Guid decidedBy, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (!_byId.TryGetValue(id, out var r) || r.Status != CredentialStatus.Pending) return Task.FromResult(false);
            _byId[id] = r with { Status = status, Reason = reason, DecidedBy = decidedBy, DecidedAt = at };
            return Task.FromResult(true);
        }
    }

    public Task<CredentialPage> List(string status, int page, int pageSize)
    {
        lock (_gate)
        {
            var all = _byId.Values.Where(r => r.Status == status).OrderBy(r => r.SubmittedAt).ThenBy(r => r.Id).ToList();
            return Task.FromResult(new CredentialPage(all.Skip((page - 1) * pageSize).Take(pageSize).ToList(), page, pageSize, all.Count));
        }
    }
}
