using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains;
using HealthActors.Grains.Booking;
using HealthActors.Grains.Hosting;
using HealthActors.Grains.Marketplace;
using Npgsql;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace HealthActors.Tests.Grains;

/// <summary>A wall clock a test can move ahead for one call, to act on an appointment as if it had started.</summary>
public sealed class SettableClock : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
        set => Interlocked.Exchange(ref _offsetTicks, value.Ticks);
    }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    /// <summary>Runs <paramref name="call"/> with the clock reading <paramref name="now"/>, then puts it right again.</summary>
    public async Task<T> At<T>(DateTimeOffset now, Func<Task<T>> call)
    {
        Offset = now - System.GetUtcNow();
        try { return await call(); }
        finally { Offset = TimeSpan.Zero; }
    }
}

/// <summary>
/// One silo for the grain-rule tests: PostgreSQL storage as in production, reminders in memory, and a clock the
/// tests may move ahead for single calls on active grains. Orleans reads the same clock (its activation collector
/// refuses a time that goes back), so it only ever moves forward, for milliseconds.
/// </summary>
public sealed class RulesClusterFixture : IAsyncLifetime
{
    public static readonly SettableClock Clock = new();
    public TestCluster Cluster { get; private set; } = null!;
    public IGrainFactory Grains => Cluster.GrainFactory;

    private sealed class Silo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var config = GrainCluster.Configuration();
            silo.UseInMemoryReminderService();
            // Registered first, so the storage setup keeps it: auction commits a test can hold or fail.
            silo.Services.AddSingleton<IMarketStore>(sp => new FaultableMarketStore(new PostgresMarketStore(sp.GetRequiredService<NpgsqlDataSource>())));
            // Registered first as well: ledger reads counted, so a test can show which reads a booking skips.
            silo.Services.AddSingleton<IBookingStore>(sp => new LedgerReadCountingStore(new PostgresBookingStore(
                sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<Orleans.Serialization.Serializer>())));
            silo.AddHealthActorsStorage(config, ClusterSettings.From(config));
            silo.Services.CountStateReads(StorageNames.Store);
            silo.Services.AddSingleton<TimeProvider>(Clock);
            // The activation collector ticks once a quantum and cannot take a clock that goes back after a tick saw
            // it ahead; with hour-long quanta no tick falls inside the milliseconds the clock is moved.
            silo.Configure<GrainCollectionOptions>(o =>
            {
                o.CollectionQuantum = TimeSpan.FromHours(1);
                o.CollectionAge = TimeSpan.FromHours(2);
            });
        }
    }

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.Options.ServiceId = TestEnvironment.UniqueId("rules-svc");
        builder.Options.ClusterId = TestEnvironment.UniqueId("rules");
        builder.AddSiloBuilderConfigurator<Silo>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    public static readonly WeeklyAvailability EveryHalfHour = new()
    {
        TimeZone = "UTC", Days = Enum.GetValues<DayOfWeek>(), StartTime = new TimeOnly(0, 0), EndTime = new TimeOnly(23, 30), SlotMinutes = 30,
    };

    public async Task<Guid> SpecialtyAsync() =>
        (await Grains.GetGrain<ISpecialtyRegistryGrain>(0).Create("Rules-" + Guid.NewGuid().ToString("N")[..8], "grain rule tests"))!.Id;

    public static DoctorProfile Profile(Guid specialtyId, string currency = "EUR", decimal price = 40m) => new()
    {
        Name = "Dr Rules " + Guid.NewGuid().ToString("N")[..6], SpecialtyId = specialtyId, LicenseNumber = "MN-12345", YearsOfExperience = 9,
        Price = new Money(price, currency), Languages = ["en"], Availability = EveryHalfHour,
    };

    public async Task<Caller> DoctorAsync(Guid? specialtyId = null, string currency = "EUR")
    {
        var id = Guid.NewGuid();
        var set = await Grains.GetGrain<IDoctorGrain>(id).SetProfile(Profile(specialtyId ?? await SpecialtyAsync(), currency));
        Assert.True(set.IsOk, set.Failure?.Detail);
        return new Caller(id, Roles.Doctor);
    }

    public static CardDetails Card(string number = "4242424242424242", string cvc = "123") => new()
    {
        CardNumber = number, ExpMonth = 12, ExpYear = DateTime.UtcNow.Year + 3, Cvc = cvc, HolderName = "Ana García",
    };

    /// <summary>The start of the half-hour slot after <paramref name="after"/>.</summary>
    /// <summary>
    /// 08:30 UTC tomorrow: auction windows of a few hours from here stay inside EveryHalfHour's day, whatever the
    /// time the suite runs (a window starting at 21:30 would reach the 23:30 gap).
    /// </summary>
    public static DateTimeOffset TomorrowMorning() => SlotAfter(new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date, TimeSpan.Zero).AddDays(1).AddHours(8));

    public static DateTimeOffset SlotAfter(DateTimeOffset after)
    {
        var utc = after.ToUniversalTime();
        var floor = new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute >= 30 ? 30 : 0, 0, TimeSpan.Zero);
        var next = floor.AddMinutes(30);
        // EveryHalfHour ends at 23:30, so 23:30 itself is no slot: a run between 23:00 and 23:30 UTC takes midnight.
        return next.TimeOfDay == new TimeSpan(23, 30, 0) ? next.AddMinutes(30) : next;
    }

    public static BookingCommand Booking(Guid patientId, Guid doctorId, DateTimeOffset start, CardDetails? card = null, string reason = "Persistent cough") =>
        new(patientId, doctorId, start, reason, card ?? Card());
}

/// <summary>The grain-rule classes share one silo and run one after another (the clock is shared).</summary>
[CollectionDefinition(Name)]
public sealed class RulesCollection : ICollectionFixture<RulesClusterFixture>
{
    public const string Name = "grain-rules";
}
