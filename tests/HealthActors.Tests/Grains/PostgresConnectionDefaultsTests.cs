using HealthActors.Grains.Hosting;
using HealthActors.Grains.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace HealthActors.Tests.Grains;

/// <summary>
/// What the connection defaults of <see cref="PostgresConnectionDefaults"/> change on the real server, seen from one
/// physical connection (a pool of one, so every open gets the same backend): no session reset between uses, and the
/// statements the application repeats prepared on the server.
/// </summary>
public sealed class PostgresConnectionDefaultsTests
{
    // Npgsql prepares a statement the fifth time it runs on a connection (Auto Prepare Min Usages).
    private const int Uses = 6;

    private static NpgsqlDataSource PoolOfOne(bool? tuning)
    {
        var values = new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = TestEnvironment.Postgres };
        if (tuning is { } t) values[PostgresConnectionDefaults.TuningKey] = t ? "true" : "false";
        var settings = ClusterSettings.From(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        return NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(settings.Postgres) { MaxPoolSize = 1 }.ConnectionString);
    }

    private static async Task<T?> Scalar<T>(NpgsqlDataSource db, string sql)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        var value = await cmd.ExecuteScalarAsync();
        return value is DBNull ? default : (T?)value;
    }

    /// <summary>Leaves a session setting, then runs one statement <see cref="Uses"/> times, each on a fresh open of the pooled connection.</summary>
    private static async Task<(int Pid, string? Probe, long Prepared)> UseRepeatedly(NpgsqlDataSource db)
    {
        var pid = await Scalar<int>(db, "SELECT pg_backend_pid()");
        await Scalar<string>(db, "SELECT set_config('healthactors.probe', 'left behind', false)");
        for (var i = 0; i < Uses; i++)
        {
            await using var conn = await db.OpenConnectionAsync();
            await using var cmd = new NpgsqlCommand("SELECT $1::int + 1 /* connection-defaults-test */", conn);
            cmd.Parameters.AddWithValue(i);
            Assert.Equal(i + 1, await cmd.ExecuteScalarAsync());
        }
        await using var check = await db.OpenConnectionAsync();
        await using var read = new NpgsqlCommand("""
            SELECT pg_backend_pid(), current_setting('healthactors.probe', true),
                   (SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%connection-defaults-test%')
            """, check);
        await using var r = await read.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        Assert.Equal(pid, r.GetInt32(0));
        return (pid, r.IsDBNull(1) ? null : r.GetString(1), r.GetInt64(2));
    }

    /// <summary>
    /// With the defaults no DISCARD ALL (or reset sequence) runs between the opens, so the session setting is still
    /// there, and the repeated statement is prepared once; with tuning off, every reuse resets and nothing is prepared.
    /// </summary>
    [Theory]
    [InlineData(null, true, 1L)]
    [InlineData(true, true, 1L)]
    [InlineData(false, false, 0L)]
    public async Task Pooled_connections_are_reset_and_statements_prepared_as_tuning_says(bool? tuning, bool settingSurvives, long prepared)
    {
        await using var db = PoolOfOne(tuning);

        var (_, probe, preparedCount) = await UseRepeatedly(db);

        Assert.Equal(settingSurvives, probe == "left behind");
        Assert.Equal(prepared, preparedCount);
    }

    /// <summary>The one session-level lock in the code: with no reset on close it must not outlive the migration.</summary>
    [Fact]
    public async Task The_schema_migrator_leaves_no_advisory_lock_on_the_pooled_connection()
    {
        await using var db = PoolOfOne(tuning: true);

        await SchemaMigrator.ApplyAsync(db, NullLogger.Instance);

        Assert.Equal(0L, await Scalar<long>(db, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"));
    }
}
