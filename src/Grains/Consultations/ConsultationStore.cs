using HealthActors.Grains.Abstractions.Consultations;
using Npgsql;
using NpgsqlTypes;

namespace HealthActors.Grains.Consultations;

public interface IConsultationStore
{
    Task Insert(ConsultationView consultation);
    Task<ConsultationView?> Get(Guid id);
    /// <summary>Sets the doctor only while the consultation is open; true when this call claimed it.</summary>
    Task<bool> Claim(Guid id, Guid doctorId, DateTimeOffset at);
    Task<bool> Close(Guid id, DateTimeOffset at);
    /// <summary>Expires the consultation only while it is still open; true when this call expired it.</summary>
    Task<bool> Expire(Guid id, DateTimeOffset at);
    /// <summary>False when the seq is taken (a second writer would have to exist for that to happen).</summary>
    Task<bool> Append(ConsultationMessage message);
    Task<int> LastSeq(Guid id);
    Task<IReadOnlyList<ConsultationMessage>> Messages(Guid id, int afterSeq, int limit);
    /// <summary>Open consultations of a specialty, oldest first.</summary>
    Task<ConsultationPage> Open(Guid specialtyId, int page, int pageSize);
    /// <summary>A patient's consultations, newest first.</summary>
    Task<ConsultationPage> ForPatient(Guid patientId, int page, int pageSize);
    /// <summary>The consultations a doctor claimed (claimed or closed), the most recently claimed first.</summary>
    Task<ConsultationPage> ForDoctor(Guid doctorId, int page, int pageSize);
}

/// <summary>The consultations' side of <see cref="Abstractions.Attachments.AttachmentAccess"/>.</summary>
public interface IConsultationAttachmentLinks
{
    /// <summary>
    /// Whether <paramref name="ownerId"/> linked the attachment to a consultation (its question or one of their
    /// messages) whose other side, the patient or the claiming doctor, is <paramref name="readerId"/>.
    /// </summary>
    Task<bool> LinkedInConsultationOf(Guid attachmentId, Guid ownerId, Guid readerId);
}

public sealed class PostgresConsultationStore(NpgsqlDataSource db) : IConsultationStore, IConsultationAttachmentLinks
{
    public async Task<bool> LinkedInConsultationOf(Guid attachmentId, Guid ownerId, Guid readerId)
    {
        await using var cmd = db.CreateCommand("""
            SELECT EXISTS (
                SELECT 1 FROM consultations c
                WHERE c.doctor_id IS NOT NULL
                  AND ((c.patient_id = $2 AND c.doctor_id = $3) OR (c.doctor_id = $2 AND c.patient_id = $3))
                  AND (($1 = ANY (c.attachment_ids) AND c.patient_id = $2)
                       OR EXISTS (SELECT 1 FROM consultation_messages m
                                  WHERE m.consultation_id = c.id AND m.author_id = $2 AND $1 = ANY (m.attachment_ids))))
            """);
        cmd.Parameters.AddWithValue(attachmentId);
        cmd.Parameters.AddWithValue(ownerId);
        cmd.Parameters.AddWithValue(readerId);
        return (bool)(await cmd.ExecuteScalarAsync())!;
    }

    private const string Columns =
        "id, patient_id, specialty_id, question, attachment_ids, status, doctor_id, created_at, claimed_at, closed_at, red_flags, guidance";

    public async Task Insert(ConsultationView c)
    {
        await using var cmd = db.CreateCommand($"INSERT INTO consultations ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, NULL, NULL, $8, $9)");
        cmd.Parameters.AddWithValue(c.Id);
        cmd.Parameters.AddWithValue(c.PatientId);
        cmd.Parameters.AddWithValue(c.SpecialtyId);
        cmd.Parameters.AddWithValue(c.Question);
        cmd.Parameters.Add(Uuids(c.AttachmentIds));
        cmd.Parameters.AddWithValue(c.Status);
        cmd.Parameters.AddWithValue(c.CreatedAt.UtcDateTime);
        cmd.Parameters.Add(new NpgsqlParameter { Value = c.RedFlags.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)c.Guidance ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<ConsultationView?> Get(Guid id)
    {
        await using var cmd = db.CreateCommand($"SELECT {Columns} FROM consultations WHERE id = $1");
        cmd.Parameters.AddWithValue(id);
        return (await ReadAll(cmd)).FirstOrDefault();
    }

    public async Task<bool> Claim(Guid id, Guid doctorId, DateTimeOffset at)
    {
        await using var cmd = db.CreateCommand(
            "UPDATE consultations SET status = 'claimed', doctor_id = $2, claimed_at = $3 WHERE id = $1 AND status = 'open'");
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(doctorId);
        cmd.Parameters.AddWithValue(at.UtcDateTime);
        return await cmd.ExecuteNonQueryAsync() == 1;
    }

    public async Task<bool> Close(Guid id, DateTimeOffset at)
    {
        await using var cmd = db.CreateCommand("UPDATE consultations SET status = 'closed', closed_at = $2 WHERE id = $1 AND status = 'claimed'");
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(at.UtcDateTime);
        return await cmd.ExecuteNonQueryAsync() == 1;
    }

    public async Task<bool> Expire(Guid id, DateTimeOffset at)
    {
        // Conditional, like the claim: whichever of claim and expiry reaches the row first wins, the other changes nothing.
        await using var cmd = db.CreateCommand("UPDATE consultations SET status = 'expired', closed_at = $2 WHERE id = $1 AND status = 'open'");
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(at.UtcDateTime);
        return await cmd.ExecuteNonQueryAsync() == 1;
    }

    public async Task<bool> Append(ConsultationMessage m)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO consultation_messages (consultation_id, seq, author_id, author_role, text, attachment_ids, red_flags, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING
            """);
        cmd.Parameters.AddWithValue(m.ConsultationId);
        cmd.Parameters.AddWithValue(m.Seq);
        cmd.Parameters.AddWithValue(m.AuthorId);
        cmd.Parameters.AddWithValue(m.AuthorRole);
        cmd.Parameters.AddWithValue(m.Text);
        cmd.Parameters.Add(Uuids(m.AttachmentIds));
        cmd.Parameters.Add(new NpgsqlParameter { Value = m.RedFlags.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.AddWithValue(m.At.UtcDateTime);
        return await cmd.ExecuteNonQueryAsync() == 1;
    }

    public async Task<int> LastSeq(Guid id)
    {
        await using var cmd = db.CreateCommand("SELECT coalesce(max(seq), 0) FROM consultation_messages WHERE consultation_id = $1");
        cmd.Parameters.AddWithValue(id);
        return Convert.ToInt32(await cmd.ExecuteScalarAsync());
    }

    public async Task<IReadOnlyList<ConsultationMessage>> Messages(Guid id, int afterSeq, int limit)
    {
        await using var cmd = db.CreateCommand("""
            SELECT consultation_id, seq, author_id, author_role, text, attachment_ids, red_flags, created_at
            FROM consultation_messages WHERE consultation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3
            """);
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(afterSeq);
        cmd.Parameters.AddWithValue(limit);
        var list = new List<ConsultationMessage>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            list.Add(new ConsultationMessage(r.GetGuid(0), r.GetInt32(1), r.GetGuid(2), r.GetString(3), r.GetString(4),
                r.GetFieldValue<Guid[]>(5), r.GetFieldValue<string[]>(6), Utc(r.GetFieldValue<DateTime>(7))));
        return list;
    }

    public Task<ConsultationPage> Open(Guid specialtyId, int page, int pageSize) =>
        Page("specialty_id = $1 AND status = 'open'", "created_at, id", specialtyId, page, pageSize);

    public Task<ConsultationPage> ForPatient(Guid patientId, int page, int pageSize) =>
        Page("patient_id = $1", "created_at DESC, id", patientId, page, pageSize);

    public Task<ConsultationPage> ForDoctor(Guid doctorId, int page, int pageSize) =>
        Page("doctor_id = $1", "claimed_at DESC, id", doctorId, page, pageSize);

    private async Task<ConsultationPage> Page(string where, string order, Guid key, int page, int pageSize)
    {
        await using var count = db.CreateCommand($"SELECT count(*) FROM consultations WHERE {where}");
        count.Parameters.AddWithValue(key);
        var total = Convert.ToInt32(await count.ExecuteScalarAsync());
        await using var cmd = db.CreateCommand($"SELECT {Columns} FROM consultations WHERE {where} ORDER BY {order} OFFSET $2 LIMIT $3");
        cmd.Parameters.AddWithValue(key);
        cmd.Parameters.AddWithValue((page - 1) * pageSize);
        cmd.Parameters.AddWithValue(pageSize);
        return new ConsultationPage(await ReadAll(cmd), page, pageSize, total);
    }

    private static NpgsqlParameter Uuids(IReadOnlyList<Guid> ids) =>
        new() { Value = ids.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid };

    private static async Task<IReadOnlyList<ConsultationView>> ReadAll(NpgsqlCommand cmd)
    {
        var list = new List<ConsultationView>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            list.Add(new ConsultationView(r.GetGuid(0), r.GetGuid(1), r.GetGuid(2), r.GetString(3), r.GetFieldValue<Guid[]>(4), r.GetString(5),
                r.IsDBNull(6) ? null : r.GetGuid(6), Utc(r.GetFieldValue<DateTime>(7)),
                r.IsDBNull(8) ? null : Utc(r.GetFieldValue<DateTime>(8)), r.IsDBNull(9) ? null : Utc(r.GetFieldValue<DateTime>(9)),
                r.GetFieldValue<string[]>(10), r.IsDBNull(11) ? null : r.GetString(11)));
        return list;
    }

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
}

/// <summary>The embedded mode's store (no database): the same rules, held in memory.</summary>
public sealed class InMemoryConsultationStore : IConsultationStore, IConsultationAttachmentLinks
{
    public Task<bool> LinkedInConsultationOf(Guid attachmentId, Guid ownerId, Guid readerId)
    {
        lock (_gate)
            return Task.FromResult(_byId.Values.Any(c => c.DoctorId is { } doctor
                && ((c.PatientId == ownerId && doctor == readerId) || (doctor == ownerId && c.PatientId == readerId))
                && ((c.PatientId == ownerId && c.AttachmentIds.Contains(attachmentId))
                    || (_messages.TryGetValue(c.Id, out var list) && list.Any(m => m.AuthorId == ownerId && m.AttachmentIds.Contains(attachmentId))))));
    }

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, ConsultationView> _byId = [];
    private readonly Dictionary<Guid, List<ConsultationMessage>> _messages = [];

    public Task Insert(ConsultationView consultation)
    {
        lock (_gate) _byId.TryAdd(consultation.Id, consultation);
        return Task.CompletedTask;
    }

    public Task<ConsultationView?> Get(Guid id)
    {
        lock (_gate) return Task.FromResult(_byId.GetValueOrDefault(id));
    }

    public Task<bool> Claim(Guid id, Guid doctorId, DateTimeOffset at) => Change(id, ConsultationStatus.Open,
        c => c with { Status = ConsultationStatus.Claimed, DoctorId = doctorId, ClaimedAt = at });

    public Task<bool> Close(Guid id, DateTimeOffset at) => Change(id, ConsultationStatus.Claimed,
        c => c with { Status = ConsultationStatus.Closed, ClosedAt = at });

    public Task<bool> Expire(Guid id, DateTimeOffset at) => Change(id, ConsultationStatus.Open,
        c => c with { Status = ConsultationStatus.Expired, ClosedAt = at });

    public Task<bool> Append(ConsultationMessage message)
    {
        lock (_gate)
        {
            if (!_messages.TryGetValue(message.ConsultationId, out var list)) _messages[message.ConsultationId] = list = [];
            if (list.Any(m => m.Seq == message.Seq)) return Task.FromResult(false);
            list.Add(message);
            return Task.FromResult(true);
        }
    }

    public Task<int> LastSeq(Guid id)
    {
        lock (_gate) return Task.FromResult(_messages.TryGetValue(id, out var list) && list.Count > 0 ? list.Max(m => m.Seq) : 0);
    }

    public Task<IReadOnlyList<ConsultationMessage>> Messages(Guid id, int afterSeq, int limit)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<ConsultationMessage>>(_messages.TryGetValue(id, out var list)
                ? list.Where(m => m.Seq > afterSeq).OrderBy(m => m.Seq).Take(limit).ToList()
                : []);
    }

    public Task<ConsultationPage> Open(Guid specialtyId, int page, int pageSize)
    {
        lock (_gate)
            return Page(_byId.Values.Where(c => c.SpecialtyId == specialtyId && c.Status == ConsultationStatus.Open)
                .OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).ToList(), page, pageSize);
    }

    public Task<ConsultationPage> ForPatient(Guid patientId, int page, int pageSize)
    {
        lock (_gate)
            return Page(_byId.Values.Where(c => c.PatientId == patientId)
                .OrderByDescending(c => c.CreatedAt).ThenBy(c => c.Id).ToList(), page, pageSize);
    }

    public Task<ConsultationPage> ForDoctor(Guid doctorId, int page, int pageSize)
    {
        lock (_gate)
            return Page(_byId.Values.Where(c => c.DoctorId == doctorId)
                .OrderByDescending(c => c.ClaimedAt).ThenBy(c => c.Id).ToList(), page, pageSize);
    }

    private static Task<ConsultationPage> Page(List<ConsultationView> all, int page, int pageSize) =>
        Task.FromResult(new ConsultationPage(all.Skip((page - 1) * pageSize).Take(pageSize).ToList(), page, pageSize, all.Count));

    private Task<bool> Change(Guid id, string from, Func<ConsultationView, ConsultationView> change)
    {
        lock (_gate)
        {
            if (!_byId.TryGetValue(id, out var c) || c.Status != from) return Task.FromResult(false);
            _byId[id] = change(c);
            return Task.FromResult(true);
        }
    }
}
