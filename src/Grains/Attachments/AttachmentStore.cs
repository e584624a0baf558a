using System.Collections.Concurrent;
using HealthActors.Grains.Abstractions.Attachments;
using Npgsql;

namespace HealthActors.Grains.Attachments;

public interface IAttachmentStore
{
    /// <summary>Stores the upload row and, unless that content is already stored, its bytes; both or neither.</summary>
    Task Add(AttachmentMeta meta, byte[] bytes);
    Task<AttachmentMeta?> Find(Guid id);
    Task<byte[]?> Bytes(string sha256);
    /// <summary>How many of the ids exist with this owner (each id counted once).</summary>
    Task<int> CountOwned(Guid ownerId, IReadOnlyCollection<Guid> ids);
    Task<int> CountSince(Guid ownerId, DateTimeOffset since);
}

public sealed class PostgresAttachmentStore(NpgsqlDataSource db) : IAttachmentStore
{
    private const string Columns = "id, owner_id, sha256, content_type, size, file_name, created_at";

    public async Task Add(AttachmentMeta meta, byte[] bytes)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var blob = new NpgsqlCommand(
            "INSERT INTO attachment_blobs (sha256, bytes, size) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING", conn, tx))
        {
            blob.Parameters.AddWithValue(meta.Sha256);
            blob.Parameters.AddWithValue(bytes);
            blob.Parameters.AddWithValue(bytes.Length);
            await blob.ExecuteNonQueryAsync();
        }
        await using (var row = new NpgsqlCommand(
            $"INSERT INTO attachments ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7)", conn, tx))
        {
            row.Parameters.AddWithValue(meta.Id);
            row.Parameters.AddWithValue(meta.OwnerId);
            row.Parameters.AddWithValue(meta.Sha256);
            row.Parameters.AddWithValue(meta.ContentType);
            row.Parameters.AddWithValue((int)meta.Size);
            row.Parameters.AddWithValue(meta.FileName);
            row.Parameters.AddWithValue(meta.CreatedAt.UtcDateTime);
            await row.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
    }

    public async Task<AttachmentMeta?> Find(Guid id)
    {
        await using var cmd = db.CreateCommand($"SELECT {Columns} FROM attachments WHERE id = $1");
        cmd.Parameters.AddWithValue(id);
        await using var reader = await cmd.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return null;
        return new AttachmentMeta(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3),
            reader.GetInt32(4), reader.GetString(5), new DateTimeOffset(reader.GetDateTime(6), TimeSpan.Zero));
    }

    public async Task<byte[]?> Bytes(string sha256)
    {
        await using var cmd = db.CreateCommand("SELECT bytes FROM attachment_blobs WHERE sha256 = $1");
        cmd.Parameters.AddWithValue(sha256);
        return await cmd.ExecuteScalarAsync() as byte[];
    }

    public async Task<int> CountOwned(Guid ownerId, IReadOnlyCollection<Guid> ids)
    {
        await using var cmd = db.CreateCommand("SELECT count(*) FROM attachments WHERE owner_id = $1 AND id = ANY($2)");
        cmd.Parameters.AddWithValue(ownerId);
        cmd.Parameters.AddWithValue(ids.ToArray());
        return Convert.ToInt32(await cmd.ExecuteScalarAsync());
    }

    public async Task<int> CountSince(Guid ownerId, DateTimeOffset since)
    {
        await using var cmd = db.CreateCommand("SELECT count(*) FROM attachments WHERE owner_id = $1 AND created_at >= $2");
        cmd.Parameters.AddWithValue(ownerId);
        cmd.Parameters.AddWithValue(since.UtcDateTime);
        return Convert.ToInt32(await cmd.ExecuteScalarAsync());
    }
}

/// <summary>The embedded mode without a database: the same contract in process memory, lost on restart.</summary>
public sealed class InMemoryAttachmentStore : IAttachmentStore
{
    private readonly ConcurrentDictionary<string, byte[]> _blobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, AttachmentMeta> _rows = new();

    public Task Add(AttachmentMeta meta, byte[] bytes)
    {
        _blobs.TryAdd(meta.Sha256, bytes);
        _rows[meta.Id] = meta;
        return Task.CompletedTask;
    }

    public Task<AttachmentMeta?> Find(Guid id) => Task.FromResult(_rows.GetValueOrDefault(id));

    public Task<byte[]?> Bytes(string sha256) => Task.FromResult(_blobs.GetValueOrDefault(sha256));

    public Task<int> CountOwned(Guid ownerId, IReadOnlyCollection<Guid> ids) =>
        Task.FromResult(ids.Count(id => _rows.TryGetValue(id, out var m) && m.OwnerId == ownerId));

    public Task<int> CountSince(Guid ownerId, DateTimeOffset since) =>
        Task.FromResult(_rows.Values.Count(m => m.OwnerId == ownerId && m.CreatedAt >= since));
}
