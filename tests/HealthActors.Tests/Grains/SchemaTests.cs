using HealthActors.Grains.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace HealthActors.Tests.Grains;

/// <summary>The project's own ADO.NET storage SQL, checked against the contract the Orleans provider expects.</summary>
public sealed class SchemaTests
{
    [Fact]
    public async Task Applying_the_schema_again_changes_nothing()
    {
        await using var db = NpgsqlDataSource.Create(TestEnvironment.Postgres);
        await SchemaMigrator.ApplyAsync(db, NullLogger.Instance);
        var before = await Snapshot(db);
        Assert.Equal(0, await SchemaMigrator.ApplyAsync(db, NullLogger.Instance));
        Assert.Equal(before, await Snapshot(db));
        Assert.Equal(SchemaMigrator.Scripts().Count, before.Migrations);
    }

    /// <summary>
    /// Four silos starting at once against an empty database (one of its own, so the outcome does not
    /// depend on which test touched the shared one first): one applies every script, the others wait on
    /// the lock and then find nothing left to do.
    /// </summary>
    [Fact]
    public async Task Concurrent_migrations_serialize_on_the_advisory_lock()
    {
        await using var scratch = await ScratchDatabase.CreateAsync("ha_schema");
        var db = scratch.Db;
        var applied = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => SchemaMigrator.ApplyAsync(db, NullLogger.Instance)));
        Assert.Equal([0, 0, 0, SchemaMigrator.Scripts().Count], applied.Order());
        Assert.Equal(SchemaMigrator.Scripts().Count, (await Snapshot(db)).Migrations);
    }

    [Fact]
    public async Task Write_query_follows_the_version_contract()
    {
        await using var db = NpgsqlDataSource.Create(TestEnvironment.Postgres);
        await SchemaMigrator.ApplyAsync(db, NullLogger.Instance);
        var write = await Query(db, "WriteToStorageKey");
        var read = await Query(db, "ReadFromStorageKey");
        var service = TestEnvironment.UniqueId("contract");

        // First write (no version) inserts version 1; a racing second first-write gets null (conflict).
        Assert.Equal(1, await Write(db, write, service, version: null, payload: [1]));
        Assert.Null(await Write(db, write, service, version: null, payload: [2]));
        // Matching version updates and returns version + 1; a stale version comes back unchanged.
        Assert.Equal(2, await Write(db, write, service, version: 1, payload: [3]));
        Assert.Equal(1, await Write(db, write, service, version: 1, payload: [4]));

        await using var cmd = db.CreateCommand(read);
        Bind(cmd, service);
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        Assert.Equal(new byte[] { 3 }, (byte[])r["PayloadBinary"]);
        Assert.Equal(2, r.GetInt32(r.GetOrdinal("Version")));
        Assert.False(await r.ReadAsync());
    }

    private static async Task<int?> Write(NpgsqlDataSource db, string sql, string service, int? version, byte[] payload)
    {
        await using var cmd = db.CreateCommand(sql);
        Bind(cmd, service);
        cmd.Parameters.Add(new NpgsqlParameter("GrainStateVersion", NpgsqlTypes.NpgsqlDbType.Integer) { Value = (object?)version ?? DBNull.Value });
        cmd.Parameters.AddWithValue("PayloadBinary", payload);
        var value = await cmd.ExecuteScalarAsync();
        return value is DBNull or null ? null : (int)value;
    }

    private static void Bind(NpgsqlCommand cmd, string service)
    {
        cmd.Parameters.AddWithValue("GrainIdHash", 42);
        cmd.Parameters.AddWithValue("GrainIdN0", 7L);
        cmd.Parameters.AddWithValue("GrainIdN1", 8L);
        cmd.Parameters.AddWithValue("GrainTypeHash", 99);
        cmd.Parameters.AddWithValue("GrainTypeString", "contract-state");
        cmd.Parameters.Add(new NpgsqlParameter("GrainIdExtensionString", NpgsqlTypes.NpgsqlDbType.Text) { Value = DBNull.Value });
        cmd.Parameters.AddWithValue("ServiceId", service);
    }

    private static async Task<string> Query(NpgsqlDataSource db, string key)
    {
        await using var cmd = db.CreateCommand("SELECT QueryText FROM OrleansQuery WHERE QueryKey = $1");
        cmd.Parameters.AddWithValue(key);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task<(int Migrations, string Queries, string Tables)> Snapshot(NpgsqlDataSource db)
    {
        await using var cmd = db.CreateCommand("""
            SELECT (SELECT count(*)::int FROM schema_migrations),
                   (SELECT md5(string_agg(QueryKey || QueryText, '|' ORDER BY QueryKey)) FROM OrleansQuery),
                   (SELECT string_agg(table_name || '.' || column_name || ':' || data_type, ',' ORDER BY table_name, ordinal_position)
                      FROM information_schema.columns WHERE table_schema = 'public')
            """);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        return (r.GetInt32(0), r.GetString(1), r.GetString(2));
    }
}
