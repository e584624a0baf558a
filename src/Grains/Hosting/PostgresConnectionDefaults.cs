using System.Data.Common;
using Npgsql;

namespace HealthActors.Grains.Hosting;

/// <summary>
/// Npgsql settings every host applies to <c>ConnectionStrings:Postgres</c> unless the operator chose otherwise
/// (docs/architecture.md, Storage, "Connection settings"):
/// <list type="bullet">
/// <item><c>No Reset On Close=true</c>. Every grain-state read or write, ledger insert and audit row opens a pooled
/// connection and closes it again, and by default Npgsql resets the session each time it hands a connection out again
/// (<c>DISCARD ALL</c>, or its reset sequence when statements are prepared). PostgreSQL counts that as a transaction of
/// its own: a booking was 24 transactions for 12 statements. The reset only matters to code that leaves session state
/// on a connection, and ours leaves none: nothing under src/ runs SET (session-wide), creates temporary tables, declares
/// WITH HOLD cursors or LISTENs. The one session-level lock, the schema migrator's <c>pg_advisory_lock</c>, is released
/// in a <c>finally</c> on the same connection before it goes back to the pool. Code that adds such state must undo it
/// itself (or use the transaction-scoped forms: SET LOCAL, <c>pg_advisory_xact_lock</c>).</item>
/// <item><c>Max Auto Prepare=64</c>. Npgsql prepares a statement on a physical connection once it has run there
/// <c>Auto Prepare Min Usages</c> times (5 by default), so PostgreSQL stops parsing and planning the same dozen
/// statements (Orleans' storage queries, the booking and ledger inserts) on every call. 64 leaves room for every
/// statement the hot paths use; past it the least recently used is unprepared.</item>
/// </list>
/// A key present in the operator's connection string wins whatever its value (an explicit <c>No Reset On Close=false</c>
/// or <c>Max Auto Prepare=0</c> is kept), and <c>Postgres:Tuning=false</c> leaves the string exactly as given.
/// </summary>
public static class PostgresConnectionDefaults
{
    /// <summary>Configuration key of the opt-out (environment: <c>Postgres__Tuning</c>).</summary>
    public const string TuningKey = "Postgres:Tuning";

    public const int MaxAutoPrepare = 64;

    /// <summary>The connection string with the defaults added; null, blank or opted out: returned unchanged.</summary>
    public static string? Apply(string? connectionString, bool tuning = true)
    {
        if (!tuning || string.IsNullOrWhiteSpace(connectionString)) return connectionString;
        // Npgsql's own builder cannot say whether a key was given: it answers every key it supports, with its default.
        // The generic builder parses the same syntax and holds only what was written.
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var tuned = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Given(given, "No Reset On Close", nameof(NpgsqlConnectionStringBuilder.NoResetOnClose))) tuned.NoResetOnClose = true;
        if (!Given(given, "Max Auto Prepare", nameof(NpgsqlConnectionStringBuilder.MaxAutoPrepare))) tuned.MaxAutoPrepare = MaxAutoPrepare;
        return tuned.ConnectionString;
    }

    // Npgsql accepts a key as its display name or its property name, in any case (the generic builder ignores case too).
    private static bool Given(DbConnectionStringBuilder given, string displayName, string propertyName) =>
        given.ContainsKey(displayName) || given.ContainsKey(propertyName);
}
