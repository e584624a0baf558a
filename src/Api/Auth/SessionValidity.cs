using System.Collections.Concurrent;
using System.Diagnostics;
using HealthActors.Api.Hubs;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using Microsoft.Extensions.Options;

namespace HealthActors.Api.Auth;

/// <summary>
/// This node's memory of <see cref="IAccountGrain.IsSessionValid"/> answers, so that a signed-in request does not
/// cost a grain call. Correct because every change to an answer (logout, refresh-token reuse, role change) goes
/// through <see cref="ISessionChangesGrain"/>, which waits for this node to drop the user's answers before the
/// change returns. Where that promise may not hold, the cache is not used: before this node's first registration,
/// once its last successful renewal is older than the lease, and for answers older than <see cref="EntryLifetime"/>.
/// A renewal that finds this node unknown to the grain (it lapsed, was dropped after a failed push, or the grain
/// moved to a new activation) forgets everything, since pushes may have been missed.
/// </summary>
public sealed class SessionValidity(IGrainFactory grains, IOptions<LiveOptions> options, IConfiguration config, ILogger<SessionValidity> log)
    : BackgroundService, ISessionWatcher
{
    // Auth:SessionCache=false asks the grain on every request, as before the cache: the bench's "before" path.
    private readonly bool _enabled = config.GetValue("Auth:SessionCache", true);

    /// <summary>Shorter than the lease, so an answer never outlives the registration that keeps it correct.</summary>
    public static readonly TimeSpan EntryLifetime = LiveUpdates.Lease / 2;

    private sealed record Entry(Guid SessionId, string Role, bool Valid, long At);

    // Per user: a user has a handful of sessions, and a push drops them all at once.
    private readonly ConcurrentDictionary<Guid, Entry[]> _entries = new();
    private long _generation;
    private long _registeredAt = long.MinValue;
    private ISessionWatcher? _self;
    private ISessionWatcher Self => _self ??= grains.CreateObjectReference<ISessionWatcher>(this);

    /// <summary>Whether this node's registration is certainly still held by the grain, so its cached answers may be used.</summary>
    public bool Registered => Volatile.Read(ref _registeredAt) is var at && at != long.MinValue && Stopwatch.GetElapsedTime(at) < LiveUpdates.Lease;

    public async ValueTask<bool> IsValid(Guid userId, Guid sessionId, string role)
    {
        var usable = _enabled && Registered;
        if (usable && _entries.TryGetValue(userId, out var known))
        {
            foreach (var e in known)
                if (e.SessionId == sessionId && e.Role == role && Stopwatch.GetElapsedTime(e.At) < EntryLifetime)
                    return e.Valid;
        }
        var generation = Interlocked.Read(ref _generation);
        var valid = await grains.GetGrain<IAccountGrain>(userId).IsSessionValid(sessionId, role);
        if (!usable) return valid;
        var entry = new Entry(sessionId, role, valid, Stopwatch.GetTimestamp());
        _entries.AddOrUpdate(userId, _ => [entry],
            (_, old) => [.. old.Where(e => !(e.SessionId == sessionId && e.Role == role) && Stopwatch.GetElapsedTime(e.At) < EntryLifetime), entry]);
        // A push that arrived while the grain was being asked may have been answered before or after that answer
        // was given: the answer is not trusted, and whatever was stored for the user is dropped again.
        if (Interlocked.Read(ref _generation) != generation) _entries.TryRemove(userId, out _);
        return valid;
    }

    /// <summary>Whether this node holds answers for the user (tests use it to show a request was served from here).</summary>
    public bool HasAnswersFor(Guid userId) => _entries.ContainsKey(userId);

    /// <summary>
    /// Raised with the id a push named, before the push is confirmed: other per-node caches that ride on this
    /// registration (<see cref="Hosting.ReadCache"/>) drop what they hold for it in the same breath.
    /// </summary>
    public event Action<Guid>? Changed;

    /// <summary>Raised when this node may have missed pushes and forgets everything.</summary>
    public event Action? ForgotAll;

    public Task SessionsChanged(Guid userId)
    {
        Interlocked.Increment(ref _generation);
        _entries.TryRemove(userId, out _);
        Changed?.Invoke(userId);
        return Task.CompletedTask;
    }

    private void ForgetAll()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
        ForgotAll?.Invoke();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = TimeSpan.FromSeconds(options.Value.RenewSeconds);
        if (every <= TimeSpan.Zero || every > LiveUpdates.Lease / 2)
            throw new InvalidOperationException($"Live:RenewSeconds must be above 0 and at most {LiveUpdates.Lease.TotalSeconds / 2} s.");
        // The first registration is retried quickly: until it succeeds every request asks the grain.
        var retry = TimeSpan.FromSeconds(Math.Min(2, every.TotalSeconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            await Renew();
            await Task.Delay(Registered ? every : retry, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        try { await grains.GetGrain<ISessionChangesGrain>(0).Unwatch(Self); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.LogDebug("Unwatching session changes failed: {Error}", e.GetType().Name);
        }
    }

    private async Task Renew()
    {
        try
        {
            var started = Stopwatch.GetTimestamp();
            if (!await grains.GetGrain<ISessionChangesGrain>(0).Watch(Self)) ForgetAll();
            Volatile.Write(ref _registeredAt, started);
            foreach (var (user, entries) in _entries)
                if (entries.All(e => Stopwatch.GetElapsedTime(e.At) >= EntryLifetime))
                    _entries.TryRemove(new KeyValuePair<Guid, Entry[]>(user, entries));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.LogWarning("Renewing this node's session-change registration failed: {Error}; the cache is bypassed once the lease runs out", e.GetType().Name);
        }
    }
}
