using HealthActors.Api.Errors;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace HealthActors.UnitTests.Storage;

public sealed class StorageFaultTests
{
    private static readonly GrainId Grain = GrainId.Create("patient", "p1");

    /// <summary>A row with a version, as the ADO.NET provider keeps it; scripted failures before or after the commit.</summary>
    private sealed class ScriptedStorage : IGrainStorage
    {
        public int Version { get; set; }
        public string? Payload { get; set; }
        public Queue<(bool CommitFirst, Exception Error)> Failures { get; } = new();
        public int Writes { get; private set; }

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            grainState.ETag = Version == 0 ? null : Version.ToString();
            grainState.RecordExists = Version > 0;
            grainState.State = (T)(object)Payload!;
            return Task.CompletedTask;
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            Writes++;
            var sent = grainState.ETag is null ? 0 : int.Parse(grainState.ETag);
            if (Failures.TryDequeue(out var failure) && !failure.CommitFirst) throw failure.Error;
            if (sent != Version) throw new InconsistentStateException("version mismatch", Version.ToString(), grainState.ETag!);
            Version++;
            Payload = (string)(object)grainState.State!;
            if (failure.Error is not null) throw failure.Error;
            grainState.ETag = Version.ToString();
            grainState.RecordExists = true;
            return Task.CompletedTask;
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => throw new NotSupportedException();

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken ct) =>
            ReadStateAsync(stateName, grainId, grainState);

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken ct) =>
            WriteStateAsync(stateName, grainId, grainState);

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken ct) =>
            ClearStateAsync(stateName, grainId, grainState);
    }

    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    private static ResilientGrainStorage Wrap(ScriptedStorage inner) => new(inner, Serializer, NullLogger<ResilientGrainStorage>.Instance);

    [Fact]
    public async Task A_write_that_failed_before_committing_is_committed_by_the_retry()
    {
        var inner = new ScriptedStorage { Version = 3, Payload = "old" };
        inner.Failures.Enqueue((false, new NpgsqlException("connection reset")));
        var state = new GrainState<string>("new", "3");

        await Wrap(inner).WriteStateAsync("s", Grain, state);

        Assert.Equal(("new", 4, "4", 2), (inner.Payload, inner.Version, state.ETag, inner.Writes));
    }

    [Fact]
    public async Task A_write_that_committed_before_the_connection_broke_keeps_its_version_instead_of_reporting_a_conflict()
    {
        var inner = new ScriptedStorage { Version = 3, Payload = "old" };
        inner.Failures.Enqueue((true, new NpgsqlException("answer lost")));
        var state = new GrainState<string>("new", "3");

        await Wrap(inner).WriteStateAsync("s", Grain, state);

        // Stored once; the activation's ETag follows the row, so its next write is not refused.
        Assert.Equal(("new", 4, "4"), (inner.Payload, inner.Version, state.ETag));
        state.State = "newer";
        await Wrap(inner).WriteStateAsync("s", Grain, state);
        Assert.Equal(("newer", 5), (inner.Payload, inner.Version));
    }

    [Fact]
    public async Task A_real_conflict_after_the_retry_stays_a_conflict()
    {
        // Someone else wrote twice meanwhile: version 5, not the 4 this write would have made.
        var inner = new ScriptedStorage { Version = 5, Payload = "theirs" };
        inner.Failures.Enqueue((false, new NpgsqlException("connection reset")));

        await Assert.ThrowsAsync<InconsistentStateException>(() => Wrap(inner).WriteStateAsync("s", Grain, new GrainState<string>("mine", "3")));
        Assert.Equal("theirs", inner.Payload);
    }

    /// <summary>
    /// A state taken as new without a read is an insert (no ETag). If the key was used before, the row left by an earlier
    /// activation has version 1, exactly what this insert would have made: only its content tells it apart.
    /// </summary>
    [Fact]
    public async Task An_insert_whose_retry_finds_another_writers_row_at_version_1_stays_a_conflict()
    {
        var inner = new ScriptedStorage { Version = 1, Payload = "an earlier request's" };
        inner.Failures.Enqueue((false, new NpgsqlException("connection reset")));

        await Assert.ThrowsAsync<InconsistentStateException>(() => Wrap(inner).WriteStateAsync("s", Grain, new GrainState<string>("mine", null)));
        Assert.Equal(("an earlier request's", 1), (inner.Payload, inner.Version));
    }

    [Fact]
    public async Task An_insert_that_committed_before_the_connection_broke_is_taken_for_its_own()
    {
        var inner = new ScriptedStorage();
        inner.Failures.Enqueue((true, new NpgsqlException("answer lost")));
        var state = new GrainState<string>("mine", null);

        await Wrap(inner).WriteStateAsync("s", Grain, state);

        Assert.Equal(("mine", 1, "1", true), (inner.Payload, inner.Version, state.ETag, state.RecordExists));
    }

    [Fact]
    public async Task A_lasting_outage_becomes_StorageUnavailableException_after_one_retry()
    {
        var inner = new ScriptedStorage { Version = 3, Payload = "old" };
        inner.Failures.Enqueue((false, new NpgsqlException("refused")));
        inner.Failures.Enqueue((false, new NpgsqlException("refused")));

        await Assert.ThrowsAsync<StorageUnavailableException>(() => Wrap(inner).WriteStateAsync("s", Grain, new GrainState<string>("new", "3")));
        Assert.Equal((2, "old"), (inner.Writes, inner.Payload));
    }

    [Fact]
    public void Outages_are_told_from_bugs()
    {
        Assert.True(StorageFaults.IsUnavailable(new NpgsqlException("refused", new System.Net.Sockets.SocketException(111))));
        Assert.True(StorageFaults.IsUnavailable(new OrleansException("wrapped", new StorageUnavailableException())));
        Assert.False(StorageFaults.IsUnavailable(new InvalidOperationException("a bug")));
        Assert.False(StorageFaults.IsUnavailable(new InconsistentStateException("conflict", "2", "1")));
    }

    [Fact]
    public async Task An_activation_that_cannot_reach_the_database_fails_with_an_exception_that_crosses_to_the_Api()
    {
        // What a grain's OnActivateAsync met during a PostgreSQL restart: Orleans could not serialize it, the Api answered 500.
        var restarting = new PostgresException("the database system is shutting down", "FATAL", "FATAL", "57P03");
        var e = await Assert.ThrowsAsync<StorageUnavailableException>(() => StorageFaults.DuringActivation(() => throw restarting));
        Assert.Contains("PostgresException", e.Message);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, ApiExceptionHandler.Map(e).Status);

        // A bug stays a bug, and a working activation is left alone.
        var violation = new PostgresException("duplicate key", "ERROR", "ERROR", "23505");
        Assert.Same(violation, await Assert.ThrowsAsync<PostgresException>(() => StorageFaults.DuringActivation(() => throw violation)));
        var ran = false;
        await StorageFaults.DuringActivation(() => { ran = true; return Task.CompletedTask; });
        Assert.True(ran);
    }

    [Fact]
    public void A_streamed_answer_hands_its_caller_a_serializable_outage_and_anything_else_unchanged()
    {
        Assert.IsType<StorageUnavailableException>(StorageFaults.ForCaller(new NpgsqlException("reset", new System.IO.EndOfStreamException())));
        var own = new StorageUnavailableException();
        Assert.Same(own, StorageFaults.ForCaller(own));
        var bug = new InvalidOperationException("a bug");
        Assert.Same(bug, StorageFaults.ForCaller(bug));
    }

    [Fact]
    public void The_Api_answers_503_for_a_storage_outage_even_when_Orleans_wraps_it()
    {
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, ApiExceptionHandler.Map(new StorageUnavailableException()).Status);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable,
            ApiExceptionHandler.Map(new OrleansException("Error from storage provider", new StorageUnavailableException())).Status);
        Assert.Equal(StatusCodes.Status500InternalServerError, ApiExceptionHandler.Map(new OrleansException("something else")).Status);
    }
}
