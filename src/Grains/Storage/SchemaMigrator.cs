using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace HealthActors.Grains.Storage;

/// <summary>
/// Applies the embedded SQL scripts (Storage/Sql/NNN_name.sql) in name order, each once, recording them in
/// schema_migrations. Several silos may start at the same moment, so the whole run holds a PostgreSQL
/// advisory lock; a second start on a migrated database only reads schema_migrations.
/// </summary>
public static class SchemaMigrator
{
    private const long LockKey = 0x4845_414C_5448; // "HEALTH"

    public static IReadOnlyList<(string Id, string Sql)> Scripts()
    {
        var asm = typeof(SchemaMigrator).Assembly;
        const string prefix = "HealthActors.Grains.Storage.Sql.";
        return asm.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => (n[prefix.Length..^4], Read(asm, n)))
            .ToList();
    }

    public static async Task<int> ApplyAsync(NpgsqlDataSource dataSource, ILogger logger, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using (var cmd = new NpgsqlCommand("SELECT pg_advisory_lock(@k)", conn))
        {
            cmd.Parameters.AddWithValue("k", LockKey);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        try
        {
            await using (var cmd = new NpgsqlCommand(
                "CREATE TABLE IF NOT EXISTS schema_migrations (id varchar(200) PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())", conn))
                await cmd.ExecuteNonQueryAsync(ct);

            var applied = new HashSet<string>(StringComparer.Ordinal);
            await using (var cmd = new NpgsqlCommand("SELECT id FROM schema_migrations", conn))
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct)) applied.Add(reader.GetString(0));

            var count = 0;
            foreach (var (id, sql) in Scripts())
            {
                if (applied.Contains(id)) continue;
                await using var tx = await conn.BeginTransactionAsync(ct);
                await using (var cmd = new NpgsqlCommand(sql, conn, tx)) await cmd.ExecuteNonQueryAsync(ct);
                await using (var cmd = new NpgsqlCommand("INSERT INTO schema_migrations (id) VALUES (@id)", conn, tx))
                {
                    cmd.Parameters.AddWithValue("id", id);
                    await cmd.ExecuteNonQueryAsync(ct);
                }
                await tx.CommitAsync(ct);
                logger.LogInformation("Applied schema script {Script}", id);
                count++;
            }
            if (count == 0) logger.LogInformation("Schema is up to date ({Count} scripts)", applied.Count);
            return count;
        }
        finally
        {
            // Never left to the pool: with No Reset On Close (PostgresConnectionDefaults) the next user of this
            // connection would hold the lock too, and every other silo's migration would wait on it.
            await using var cmd = new NpgsqlCommand("SELECT pg_advisory_unlock(@k)", conn);
            cmd.Parameters.AddWithValue("k", LockKey);
            await cmd.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static string Read(Assembly asm, string name)
    {
        using var stream = asm.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
