using System.Diagnostics;
using Npgsql;

namespace HealthActors.Bench;

/// <summary>Processor time of the processes serving the measured path (the Api, plus the silo when it runs apart), of
/// the bench process (client, model, plain endpoint) and of the PostgreSQL backends serving the bench database.</summary>
internal readonly record struct CpuTimes(TimeSpan Api, TimeSpan Bench, TimeSpan Postgres)
{
    public TimeSpan Total => Api + Bench + Postgres;
    public static CpuTimes operator +(CpuTimes a, CpuTimes b) => new(a.Api + b.Api, a.Bench + b.Bench, a.Postgres + b.Postgres);
}

internal sealed record CpuSnapshot(TimeSpan Api, TimeSpan Bench, IReadOnlyDictionary<int, TimeSpan> PostgresBackends);

/// <summary>
/// Persistence runs in PostgreSQL's processes, not ours; without them the hub path's cost would look smaller than it
/// is. Only the backends connected to the bench's database count (one process per connection, identified through
/// pg_stat_activity and read from /proc), so other databases on a shared server stay out of it; the server's shared
/// processes (WAL writer, checkpointer) are not counted. Zero where /proc is not readable.
/// </summary>
internal sealed class CpuMeter(Func<TimeSpan> serverCpu, NpgsqlDataSource db) : IDisposable
{
    public CpuMeter(ApiProcess api, NpgsqlDataSource db) : this(() => api.CpuTime, db) { }

    // USER_HZ: the unit of /proc/<pid>/stat times, 100 on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;
    private readonly Process _self = Process.GetCurrentProcess();

    public async Task<CpuSnapshot> SnapshotAsync(CancellationToken ct)
    {
        _self.Refresh();
        var bench = _self.TotalProcessorTime;
        var apiTime = serverCpu();
        var backends = new Dictionary<int, TimeSpan>();
        if (!OperatingSystem.IsLinux()) return new CpuSnapshot(apiTime, bench, backends);
        await using var cmd = db.CreateCommand("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var pid = reader.GetInt32(0);
            if (ProcessTime(pid) is { } t) backends[pid] = t;
        }
        return new CpuSnapshot(apiTime, bench, backends);
    }

    public static CpuTimes Between(CpuSnapshot before, CpuSnapshot after)
    {
        var postgres = TimeSpan.Zero;
        foreach (var (pid, time) in after.PostgresBackends)
            postgres += time - (before.PostgresBackends.TryGetValue(pid, out var earlier) && earlier <= time ? earlier : TimeSpan.Zero);
        return new CpuTimes(after.Api - before.Api, after.Bench - before.Bench, postgres);
    }

    private static TimeSpan? ProcessTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name may contain spaces and parentheses: fields are counted from the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture)
                        + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / TicksPerSecond);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    public void Dispose() => _self.Dispose();
}
