using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using HealthActors.Api.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace HealthActors.UnitTests.Api;

public sealed class ReadCacheTests
{
    private sealed record Answer(string Name, int Version);

    /// <summary>A stand-in for the grain: counts its calls and answers what it currently holds.</summary>
    private sealed class Source
    {
        public int Calls;
        public Answer? Current = new("Ana", 1);
        /// <summary>Runs while the "grain" is being asked, after it has taken its answer: a push landing mid-read.</summary>
        public Action? DuringRead;

        public Task<Answer?> Read(Guid id)
        {
            Calls++;
            var answer = Current;
            DuringRead?.Invoke();
            return Task.FromResult(answer);
        }
    }

    // As ASP.NET Core's JsonOptions come: web defaults with the reflection resolver.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

    private static ReadCache Cache(TimeProvider? time = null, Func<bool>? registered = null, bool enabled = true, int capacity = 100) =>
        new(registered ?? (() => true), Json, time ?? new FakeTimeProvider(), enabled, capacity, TimeSpan.FromSeconds(60));

    private static async Task<string?> Read(ReadCache cache, Source source, Guid id, CachedRead kind = CachedRead.Doctor)
    {
        var json = await cache.Get(kind, id, source, static (key, s) => s.Read(key));
        return json is null ? null : Encoding.UTF8.GetString(json);
    }

    [Fact]
    public async Task A_repeated_read_is_answered_from_memory_with_the_json_the_first_one_sent()
    {
        var cache = Cache();
        var source = new Source();
        var id = Guid.NewGuid();

        var first = await Read(cache, source, id);
        source.Current = new Answer("changed behind the cache's back", 2);
        var second = await Read(cache, source, id);

        Assert.Equal("""{"name":"Ana","version":1}""", first);
        Assert.Equal(first, second);
        Assert.Equal(1, source.Calls);
        Assert.True(cache.Holds(CachedRead.Doctor, id));
        // The kind is part of the key: the same id read as another kind is another answer.
        await Read(cache, source, id, CachedRead.MyProfile);
        Assert.Equal(2, source.Calls);
    }

    [Fact]
    public async Task A_push_for_the_id_drops_its_answers_of_every_kind_and_the_next_read_asks_again()
    {
        var cache = Cache();
        var source = new Source();
        var (id, other) = (Guid.NewGuid(), Guid.NewGuid());
        await Read(cache, source, id);
        await Read(cache, source, id, CachedRead.MyProfile);
        await Read(cache, source, other);

        source.Current = new Answer("Ana", 2);
        cache.Forget(id);

        Assert.False(cache.Holds(CachedRead.Doctor, id));
        Assert.False(cache.Holds(CachedRead.MyProfile, id));
        Assert.True(cache.Holds(CachedRead.Doctor, other));
        Assert.Equal("""{"name":"Ana","version":2}""", await Read(cache, source, id));
        Assert.Equal(4, source.Calls);

        cache.ForgetAll();
        Assert.Equal(0, cache.Count);
        Assert.False(cache.Holds(CachedRead.Doctor, other));
    }

    [Fact]
    public async Task An_answer_pushed_away_while_it_was_being_read_is_sent_but_not_kept()
    {
        var cache = Cache();
        var source = new Source();
        var id = Guid.NewGuid();
        // The grain answered version 1, then the write of version 2 pushed to this node before the answer got back:
        // kept, version 1 would be served after the write was acknowledged.
        source.DuringRead = () => { source.Current = new Answer("Ana", 2); cache.Forget(id); };

        Assert.Equal("""{"name":"Ana","version":1}""", await Read(cache, source, id));
        Assert.False(cache.Holds(CachedRead.Doctor, id));

        source.DuringRead = null;
        Assert.Equal("""{"name":"Ana","version":2}""", await Read(cache, source, id));
        Assert.True(cache.Holds(CachedRead.Doctor, id));
        Assert.Equal("""{"name":"Ana","version":2}""", await Read(cache, source, id));
        Assert.Equal(2, source.Calls);
    }

    [Fact]
    public async Task A_push_for_everything_while_reading_also_keeps_the_answer_out()
    {
        var cache = Cache();
        var source = new Source();
        var id = Guid.NewGuid();
        source.DuringRead = cache.ForgetAll;

        await Read(cache, source, id);

        Assert.False(cache.Holds(CachedRead.Doctor, id));
    }

    [Fact]
    public async Task An_empty_answer_is_not_kept()
    {
        var cache = Cache();
        var source = new Source { Current = null };
        var id = Guid.NewGuid();

        Assert.Null(await Read(cache, source, id));
        source.Current = new Answer("created since", 1);

        Assert.Equal("""{"name":"created since","version":1}""", await Read(cache, source, id));
        Assert.Equal(2, source.Calls);
    }

    [Fact]
    public async Task An_answer_older_than_the_max_age_is_read_again()
    {
        var time = new FakeTimeProvider();
        var cache = Cache(time);
        var source = new Source();
        var id = Guid.NewGuid();
        await Read(cache, source, id);

        time.Advance(TimeSpan.FromSeconds(59));
        await Read(cache, source, id);
        Assert.Equal(1, source.Calls);

        time.Advance(TimeSpan.FromSeconds(1));
        source.Current = new Answer("Ana", 2);
        Assert.Equal("""{"name":"Ana","version":2}""", await Read(cache, source, id));
        Assert.Equal(2, source.Calls);
    }

    [Fact]
    public async Task Nothing_is_served_or_kept_while_the_registration_is_not_certain()
    {
        var registered = false;
        var cache = Cache(registered: () => registered);
        var source = new Source();
        var id = Guid.NewGuid();

        await Read(cache, source, id);
        await Read(cache, source, id);
        Assert.Equal(2, source.Calls);
        Assert.False(cache.Holds(CachedRead.Doctor, id));

        registered = true;
        await Read(cache, source, id);
        await Read(cache, source, id);
        Assert.Equal(3, source.Calls);

        // The registration lapsed: pushes may be missed from here, so what is held is not used.
        registered = false;
        await Read(cache, source, id);
        Assert.Equal(4, source.Calls);
    }

    [Fact]
    public async Task Switched_off_every_read_asks_and_nothing_is_kept()
    {
        var cache = Cache(enabled: false);
        var source = new Source();
        var id = Guid.NewGuid();

        await Read(cache, source, id);
        await Read(cache, source, id);

        Assert.Equal(2, source.Calls);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task Past_the_cap_the_least_recently_used_answers_go_first()
    {
        var time = new FakeTimeProvider();
        var cache = Cache(time, capacity: 10);
        var source = new Source();
        var ids = Enumerable.Range(0, 12).Select(_ => Guid.NewGuid()).ToArray();
        // A second apart: the time of last use is kept to the second.
        for (var i = 0; i < 10; i++)
        {
            await Read(cache, source, ids[i]);
            time.Advance(TimeSpan.FromSeconds(1));
        }
        // The oldest entry is the most recently used one now.
        await Read(cache, source, ids[0]);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(10, cache.Count);

        await Read(cache, source, ids[10]);

        // Down to nine tenths of the cap in one go: the new answer, the one just used, and the seven used last.
        Assert.Equal(9, cache.Count);
        Assert.True(cache.Holds(CachedRead.Doctor, ids[10]));
        Assert.True(cache.Holds(CachedRead.Doctor, ids[0]));
        Assert.False(cache.Holds(CachedRead.Doctor, ids[1]));
        Assert.False(cache.Holds(CachedRead.Doctor, ids[2]));
        Assert.True(cache.Holds(CachedRead.Doctor, ids[3]));
        Assert.True(cache.Holds(CachedRead.Doctor, ids[9]));

        // Expired answers go before any live one is given up.
        time.Advance(TimeSpan.FromSeconds(60));
        await Read(cache, source, ids[11]);
        await Read(cache, source, ids[1]);
        Assert.Equal(2, cache.Count);
        Assert.True(cache.Holds(CachedRead.Doctor, ids[11]));
        Assert.True(cache.Holds(CachedRead.Doctor, ids[1]));
    }

    [Fact]
    public void A_cap_below_one_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() => Cache(capacity: 0));
    }
}
