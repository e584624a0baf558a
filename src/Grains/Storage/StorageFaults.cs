using System.Net.Sockets;
using HealthActors.Grains.Abstractions.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Serialization;
using Orleans.Storage;

namespace HealthActors.Grains.Storage;

/// <summary>Tells a database that is briefly away from a query that is wrong.</summary>
public static class StorageFaults
{
    /// <summary>
    /// True for failures to reach PostgreSQL or to keep a connection to it: network errors, a server shutting
    /// down or starting (57P01..57P03), connection-class errors (08xxx), resource exhaustion (53xxx). A constraint
    /// violation or a syntax error is a bug or a conflict, not an outage, and stays what it is.
    /// </summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case StorageUnavailableException:
                    return true;
                case PostgresException pg:
                    return pg.IsTransient || pg.SqlState.StartsWith("57P", StringComparison.Ordinal)
                        || pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("53", StringComparison.Ordinal);
                case NpgsqlException:
                    // Npgsql's own (non-server) errors are about the connection: refused, reset, timed out, pool exhausted.
                    return true;
                case SocketException or EndOfStreamException:
                    return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The exception to let cross to the caller: a database outage as <see cref="StorageUnavailableException"/>, which
    /// Orleans can serialize and the Api answers with 503; anything else as it is. For the paths
    /// <see cref="StorageFaultFilter"/> does not see: a streamed answer, whose failure Orleans sends back as an item.
    /// </summary>
    public static Exception ForCaller(Exception e) =>
        e is not StorageUnavailableException && IsUnavailable(e) ? new StorageUnavailableException($"The database is briefly unavailable ({e.GetType().Name}).") : e;

    /// <summary>
    /// Runs a grain's activation reads. A failed activation reaches the caller as a rejection carrying the exception,
    /// past every call filter, and an Npgsql exception cannot be serialized: the caller got a 500 during a database
    /// restart (found by bench/run-faults.sh). Translated, it is a 503 like any other call's.
    /// </summary>
    public static async Task DuringActivation(Func<Task> activate)
    {
        try
        {
            await activate();
        }
        catch (Exception e) when (e is not StorageUnavailableException && IsUnavailable(e))
        {
            throw ForCaller(e);
        }
    }

    /// <summary>
    /// Wraps the grain storage registered under <paramref name="name"/> in <see cref="ResilientGrainStorage"/> and adds
    /// the call filter that turns the remaining storage failures of every grain into <see cref="StorageUnavailableException"/>.
    /// </summary>
    public static void AddStorageFaultHandling(this IServiceCollection services, string name)
    {
        var original = services.LastOrDefault(d => d.ServiceType == typeof(IGrainStorage) && d.IsKeyedService && Equals(d.ServiceKey, name))
            ?? throw new InvalidOperationException($"No grain storage named {name} is registered.");
        var factory = original.KeyedImplementationFactory
            ?? throw new InvalidOperationException($"The grain storage {name} is not registered by a factory.");
        // Registered after the provider's own, so it is the one resolved by name; the provider's lifecycle participant
        // resolves the storage by name as well and so reaches the inner provider through ResilientGrainStorage.Participate.
        services.AddKeyedSingleton<IGrainStorage>(name, (sp, key) => new ResilientGrainStorage(
            (IGrainStorage)factory(sp, key),
            sp.GetRequiredService<Serializer>(),
            sp.GetRequiredService<ILogger<ResilientGrainStorage>>()));
        services.AddSingleton<IIncomingGrainCallFilter, StorageFaultFilter>();
    }
}

/// <summary>
/// Grain storage that retries a write once when the database was briefly unreachable and reports a lasting outage
/// as <see cref="StorageUnavailableException"/>.
/// </summary>
/// <remarks>
/// Why one retry of a state write is safe: writes carry the ETag (the row's version) the activation last saw, and
/// only this activation writes its row. If the failed attempt never committed, the row still has that version and
/// the retry commits it. If it committed but the answer was lost, the retry finds version+1 and is refused as
/// inconsistent; the row then holds exactly what this activation wrote, so it re-reads the version and carries on
/// with it. Any other version means someone else wrote, and the conflict is reported as Orleans would. The version
/// alone is not proof: a grain that takes its state as new without reading it (the booking request) inserts, and a
/// row an earlier activation left has version 1 as well; so the row must also hold what this write sent.
/// </remarks>
public sealed class ResilientGrainStorage(IGrainStorage inner, Serializer serializer, ILogger<ResilientGrainStorage> log)
    : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(300);

    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken ct)
    {
        // A read changes nothing, so it may be repeated freely.
        try { await inner.ReadStateAsync(stateName, grainId, grainState, ct); }
        catch (Exception e) when (StorageFaults.IsUnavailable(e) && e is not StorageUnavailableException)
        {
            await PauseAfter(e, "read", stateName, grainId, ct);
            try { await inner.ReadStateAsync(stateName, grainId, grainState, ct); }
            catch (Exception again) when (StorageFaults.IsUnavailable(again)) { throw Unavailable(again); }
        }
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken ct)
    {
        var sentEtag = grainState.ETag;
        try { await inner.WriteStateAsync(stateName, grainId, grainState, ct); return; }
        catch (Exception e) when (StorageFaults.IsUnavailable(e) && e is not StorageUnavailableException)
        {
            await PauseAfter(e, "write", stateName, grainId, ct);
        }

        try
        {
            // The failed attempt may have moved the ETag on; the retry must send what the first attempt sent.
            grainState.ETag = sentEtag;
            await inner.WriteStateAsync(stateName, grainId, grainState, ct);
        }
        catch (InconsistentStateException conflict)
        {
            if (await CommittedByFirstAttempt(stateName, grainId, sentEtag, grainState.State, ct) is not { } committed) throw;
            log.LogInformation(conflict, "The write of {State} for {Grain} had committed before the connection broke; version {Version} kept",
                stateName, grainId, committed);
            grainState.ETag = committed;
            grainState.RecordExists = true;
        }
        catch (Exception again) when (StorageFaults.IsUnavailable(again)) { throw Unavailable(again); }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken ct)
    {
        // Not retried: a clear whose answer was lost cannot be told from a competing write by the version alone.
        try { await inner.ClearStateAsync(stateName, grainId, grainState, ct); }
        catch (Exception e) when (StorageFaults.IsUnavailable(e)) { throw Unavailable(e); }
    }

    /// <summary>
    /// The stored version when it is exactly one past <paramref name="sentEtag"/> and the row holds <paramref name="sent"/>,
    /// i.e. the first attempt committed; else null.
    /// </summary>
    private async Task<string?> CommittedByFirstAttempt<T>(string stateName, GrainId grainId, string? sentEtag, T sent, CancellationToken ct)
    {
        try
        {
            var stored = new GrainState<T>();
            await inner.ReadStateAsync(stateName, grainId, stored, ct);
            var expected = sentEtag is null ? 1 : int.TryParse(sentEtag, out var v) ? v + 1 : (int?)null;
            return expected is not null && stored.RecordExists && stored.ETag == expected.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)
                && SameContent(stored.State, sent) ? stored.ETag : null;
        }
        catch (Exception e) when (StorageFaults.IsUnavailable(e) || e is InvalidOperationException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>
    /// Compared in Orleans' own serialized form, which every grain state has: a state read back from its row
    /// serializes to the same bytes as the one written. A state that cannot be compared counts as different, so the
    /// write is reported as the conflict it may be rather than taken for this activation's own.
    /// </summary>
    private bool SameContent<T>(T stored, T sent)
    {
        try
        {
            return serializer.SerializeToArray(stored).AsSpan().SequenceEqual(serializer.SerializeToArray(sent));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "The stored {Type} could not be compared with the one written; reported as a conflict", typeof(T).Name);
            return false;
        }
    }

    private async Task PauseAfter(Exception e, string operation, string stateName, GrainId grainId, CancellationToken ct)
    {
        log.LogWarning("Grain storage {Operation} of {State} for {Grain} failed ({Error}); retrying once", operation, stateName, grainId, e.GetType().Name);
        // A broken connection usually means a restarted server, and every idle pooled connection is as dead as this
        // one: drop them so the retry opens a fresh one.
        NpgsqlConnection.ClearAllPools();
        await Task.Delay(RetryDelay, ct);
    }

    private static StorageUnavailableException Unavailable(Exception e) =>
        e as StorageUnavailableException ?? new StorageUnavailableException($"The database is briefly unavailable ({e.GetType().Name}).");
}

/// <summary>
/// Catches a database outage in any grain call (grain storage or the stores that query PostgreSQL themselves) and
/// answers with <see cref="StorageUnavailableException"/>, which reaches the Api intact.
/// </summary>
/// <remarks>
/// The grain may have changed its state in memory before the write failed. It is deactivated so that the next call
/// starts again from what the database holds, and a change nobody was told of cannot be read back as if it were stored.
/// </remarks>
internal sealed class StorageFaultFilter(IServiceProvider services, ILogger<StorageFaultFilter> log) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception e) when (StorageFaults.IsUnavailable(e))
        {
            log.LogWarning("{Grain}.{Method} failed: database unavailable ({Error}); deactivating it", context.TargetId, context.MethodName, e.GetType().Name);
            if (e is not StorageUnavailableException)
            {
                NpgsqlConnection.ClearAllPools();
                services.GetService<NpgsqlDataSource>()?.Clear();
            }
            context.TargetContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, "database unavailable"));
            throw e as StorageUnavailableException ?? new StorageUnavailableException($"The database is briefly unavailable ({e.GetType().Name}).");
        }
    }
}
