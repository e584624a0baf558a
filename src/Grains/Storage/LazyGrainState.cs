using Orleans.Storage;

namespace HealthActors.Grains.Storage;

/// <summary>
/// A grain's stored state, read on first use instead of on activation. A grain whose caller has just made its key
/// (and so knows that nothing can be stored under it) starts empty without a read, and a grain whose keys are nearly
/// always new (a booking request) may take its state as new and insert it, reading only when that insert is refused
/// (<see cref="ReadAfterRefusal"/>): for a booking that is two PostgreSQL round trips fewer. Writes keep Orleans'
/// version check, so the first write of a state taken as new is an insert, which the storage refuses
/// (<see cref="InconsistentStateException"/>) if a row exists after all.
/// </summary>
public sealed class LazyGrainState<T>(IGrainStorage storage, string stateName, GrainId grainId) where T : new()
{
    private GrainState<T> _stored = new(new T());
    private bool _known;

    /// <summary>Whether this activation has read the state, or taken it as new (<see cref="StartNew"/>).</summary>
    public bool IsKnown => _known;

    public T State => _known ? _stored.State! : throw new InvalidOperationException($"The {stateName} state was used before it was read.");

    /// <param name="whenNothingStored">
    /// Where the state is kept until the grain's first write, when storage has no record: its answer (if not null) is
    /// the state. A failure leaves the state unread, so the next call reads again.
    /// </param>
    public async ValueTask ReadIfNeeded(Func<Task<T?>>? whenNothingStored = null)
    {
        if (_known) return;
        await storage.ReadStateAsync(stateName, grainId, _stored);
        _stored.State ??= new T();
        if (!_stored.RecordExists && whenNothingStored is not null && await whenNothingStored() is { } before) _stored.State = before;
        _known = true;
    }

    /// <summary>
    /// Only for a key its caller has just made and told no one else. Once read, what was read stands: the call is then
    /// not the first this activation has seen, and the read is what it knows.
    /// </summary>
    public void StartNew() => _known = true;

    /// <summary>
    /// After storage refused the first write of a state taken as new (a row exists after all): drops what this
    /// activation assumed and reads what is stored.
    /// </summary>
    public ValueTask ReadAfterRefusal()
    {
        _stored = new GrainState<T>(new T());
        _known = false;
        return ReadIfNeeded();
    }

    public Task WriteAsync() => storage.WriteStateAsync(stateName, grainId, _stored);
}
