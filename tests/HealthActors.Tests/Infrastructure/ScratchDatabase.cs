using Npgsql;

namespace HealthActors.Tests.Infrastructure;

/// <summary>
/// An empty database of one test's own on the suite's server, dropped when disposed: for tests whose outcome must not
/// depend on what other tests left in the shared database (migrations from nothing, or from an older schema).
/// </summary>
public sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly string _name;

    private ScratchDatabase(string name, NpgsqlDataSource db)
    {
        _name = name;
        Db = db;
    }

    /// <summary>Unpooled, so that dropping the database finds no connection of ours left open.</summary>
    public NpgsqlDataSource Db { get; }

    public static async Task<ScratchDatabase> CreateAsync(string prefix)
    {
        var name = prefix + "_" + Guid.NewGuid().ToString("N")[..12];
        await Admin($"create database {name}");
        var own = new NpgsqlConnectionStringBuilder(TestEnvironment.Postgres) { Database = name, Pooling = false };
        return new ScratchDatabase(name, NpgsqlDataSource.Create(own.ConnectionString));
    }

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        await Admin($"drop database if exists {_name} with (force)");
    }

    private static async Task Admin(string sql)
    {
        var server = new NpgsqlConnectionStringBuilder(TestEnvironment.Postgres) { Database = "postgres", Pooling = false };
        await using var admin = NpgsqlDataSource.Create(server.ConnectionString);
        await using var cmd = admin.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }
}
