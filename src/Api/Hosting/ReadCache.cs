using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Identity;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace HealthActors.Api.Hosting;

/// <summary>The reads whose answers <see cref="ReadCache"/> keeps; each says what its key is.</summary>
public enum CachedRead
{
    /// <summary><c>GET /api/patients/me/profile</c>, keyed by the signed-in patient: the owner's read, never audited.</summary>
    MyProfile,
    /// <summary><c>GET /api/doctors/{id}</c>, keyed by the doctor: a public read whose answer does not depend on the caller.</summary>
    Doctor,
}

/// <summary>
/// This node's memory of the two hot reads' answers, as the UTF-8 JSON they are sent as, so that a repeated read
/// costs neither a grain call nor serialization. Correct for the same reason as <see cref="SessionValidity"/>, whose
/// registration it rides on: every change to one of these answers (PatientGrain.UpdateProfile; DoctorGrain.SetProfile,
/// MarkVerified, RefreshRating, Retire) awaits <see cref="ISessionChangesGrain.Changed"/> with the id before it
/// returns, and this node drops the id's entries when that push arrives. Used only while the registration certainly
/// holds (<see cref="SessionValidity.Registered"/>), for answers younger than <see cref="MaxAge"/>; everything is
/// dropped when the node may have missed a push. Empty answers (the read returned null, a 404) are never kept.
/// </summary>
public sealed class ReadCache
{
    public const int DefaultCapacity = 10_000;

    /// <summary>A bound on staleness should a push be lost without the registration saying so.</summary>
    public static readonly TimeSpan DefaultMaxAge = TimeSpan.FromSeconds(60);

    private sealed class Entry(byte[] json, long storedAt)
    {
        public readonly byte[] Json = json;
        public readonly long StoredAt = storedAt;
        public long LastUsed = storedAt;
    }

    private readonly ConcurrentDictionary<(CachedRead, Guid), Entry> _entries = new();
    // Stores and forgets take this lock (reads do not), so a push can never fall between a store's generation check
    // and the store itself; the count is kept here because ConcurrentDictionary.Count takes every bucket's lock.
    private readonly Lock _writes = new();
    private long _generation;
    private int _count;
    private long _reads;
    private readonly Func<bool> _registered;
    private readonly JsonSerializerOptions _json;
    private readonly TimeProvider _time;
    private readonly long _maxAgeTicks;
    private readonly long _touchTicks;

    public bool Enabled { get; }
    public int Capacity { get; }
    public TimeSpan MaxAge { get; }

    public ReadCache(SessionValidity sessions, IOptions<JsonOptions> json, IConfiguration config, TimeProvider time)
        : this(() => sessions.Registered, json.Value.SerializerOptions, time, EnabledIn(config), CapacityIn(config), DefaultMaxAge)
    {
        sessions.Changed += Forget;
        sessions.ForgotAll += ForgetAll;
    }

    internal ReadCache(Func<bool> registered, JsonSerializerOptions json, TimeProvider time, bool enabled, int capacity, TimeSpan maxAge)
    {
        if (capacity < 1) throw new InvalidOperationException("Api:ReadCacheEntries must be at least 1 (Api:ReadCache=false turns the cache off).");
        (_registered, _json, _time, Enabled, Capacity, MaxAge) = (registered, json, time, enabled, capacity, maxAge);
        _maxAgeTicks = (long)(maxAge.TotalSeconds * time.TimestampFrequency);
        _touchTicks = time.TimestampFrequency;
    }

    /// <summary>Api:ReadCache=false reads through the grain every time: the bench's "before" path.</summary>
    public static bool EnabledIn(IConfiguration config) => config.GetValue("Api:ReadCache", true);

    public static int CapacityIn(IConfiguration config) => config.GetValue("Api:ReadCacheEntries", DefaultCapacity);

    /// <summary>
    /// The answer's JSON: from this node's memory when it may be trusted, else from <paramref name="read"/> (then
    /// kept). Null when the read answered null. Call it only after the caller has been authorized for this key.
    /// </summary>
    public async ValueTask<byte[]?> Get<TState, T>(CachedRead kind, Guid id, TState state, Func<Guid, TState, Task<T?>> read) where T : class
    {
        var usable = Enabled && _registered();
        var key = (kind, id);
        if (usable && _entries.TryGetValue(key, out var hit))
        {
            var now = _time.GetTimestamp();
            if (now - hit.StoredAt < _maxAgeTicks)
            {
                // Refreshed at most once a second: a hot entry read on every core would otherwise bounce its cache
                // line between them on every hit, and eviction needs no finer order than that.
                if (now - Volatile.Read(ref hit.LastUsed) >= _touchTicks) Volatile.Write(ref hit.LastUsed, now);
                return hit.Json;
            }
        }
        var generation = Volatile.Read(ref _generation);
        // Counted on the miss path only, so a hit costs no shared write beyond its entry's.
        Interlocked.Increment(ref _reads);
        var value = await read(id, state);
        if (value is null) return null;
        var json = JsonSerializer.SerializeToUtf8Bytes(value, _json.GetTypeInfo(typeof(T)));
        if (usable) Keep(key, json, generation);
        return json;
    }

    /// <summary>Whether this node holds an answer for the key (tests use it to show a read was served from here).</summary>
    public bool Holds(CachedRead kind, Guid id) => _entries.ContainsKey((kind, id));

    public int Count => Volatile.Read(ref _count);

    /// <summary>How many times a read went past the cache to its source (tests use it to tell hits from misses).</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>Drops the id's answers of every kind: a push names only the id (a doctor's id is also their user id).</summary>
    public void Forget(Guid id)
    {
        lock (_writes)
        {
            Interlocked.Increment(ref _generation);
            foreach (var kind in Kinds)
                if (_entries.TryRemove((kind, id), out _)) _count--;
        }
    }

    public void ForgetAll()
    {
        lock (_writes)
        {
            Interlocked.Increment(ref _generation);
            _entries.Clear();
            _count = 0;
        }
    }

    private static readonly CachedRead[] Kinds = Enum.GetValues<CachedRead>();

    private void Keep((CachedRead, Guid) key, byte[] json, long generation)
    {
        lock (_writes)
        {
            // A push that arrived while the grain was being asked may have been applied before or after that answer
            // was given: the answer is not kept (the next read asks again).
            if (Volatile.Read(ref _generation) != generation) return;
            if (!_entries.ContainsKey(key)) _count++;
            _entries[key] = new Entry(json, _time.GetTimestamp());
            if (_count > Capacity) Evict();
        }
    }

    /// <summary>
    /// Under the lock, once the cap is passed: the expired entries, then the least recently used, down to nine tenths
    /// of the cap, so that the sort is paid once per tenth of the cap's worth of new keys rather than per key.
    /// </summary>
    private void Evict()
    {
        var target = Capacity - Math.Max(1, Capacity / 10);
        var byUse = new List<KeyValuePair<(CachedRead, Guid), Entry>>(_entries.Count);
        foreach (var pair in _entries)
        {
            if (_time.GetTimestamp() - pair.Value.StoredAt >= _maxAgeTicks)
            {
                if (_entries.TryRemove(pair.Key, out _)) _count--;
            }
            else byUse.Add(pair);
        }
        if (_count <= target) return;
        byUse.Sort((a, b) => Volatile.Read(ref a.Value.LastUsed).CompareTo(Volatile.Read(ref b.Value.LastUsed)));
        foreach (var pair in byUse)
        {
            if (_count <= target) break;
            if (_entries.TryRemove(pair.Key, out _)) _count--;
        }
    }
}

/// <summary>
/// A 200 whose JSON was serialized before (by <see cref="ReadCache"/>): written as it is, with the content type
/// <c>Ok&lt;T&gt;</c> sends, and documented in OpenAPI exactly as <c>Ok&lt;T&gt;</c> would be.
/// </summary>
public sealed class JsonBytes<T>(byte[] utf8) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IContentTypeHttpResult
{
    private const string JsonContentType = "application/json; charset=utf-8";

    public int StatusCode => StatusCodes.Status200OK;
    int? IStatusCodeHttpResult.StatusCode => StatusCode;
    public string ContentType => JsonContentType;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = JsonContentType;
        response.ContentLength = utf8.Length;
        return response.Body.WriteAsync(utf8, httpContext.RequestAborted).AsTask();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
}
