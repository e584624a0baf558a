using HealthActors.Grains.Alarms;
using HealthActors.Grains.Attachments;
using HealthActors.Grains.Cases;
using HealthActors.Grains.Audit;
using HealthActors.Grains.Booking;
using HealthActors.Grains.Chat;
using HealthActors.Grains.Consultations;
using HealthActors.Grains.Abstractions.Marketplace;
using HealthActors.Grains.Marketplace;
using HealthActors.Grains.Records;
using HealthActors.Grains.Verification;
using HealthActors.Grains.Identity;
using HealthActors.Grains.Storage;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;
using Orleans.Storage;
using StackExchange.Redis;

namespace HealthActors.Grains.Hosting;

public static class SiloHosting
{
    /// <summary>
    /// Configures a silo from <see cref="ClusterSettings"/>: Redis clustering and reminders when Redis is
    /// given (else localhost clustering and in-memory reminders), PostgreSQL grain storage when PostgreSQL
    /// is given (else memory).
    /// </summary>
    public static ISiloBuilder ConfigureHealthActors(this ISiloBuilder silo, IConfiguration config)
    {
        var settings = ClusterSettings.From(config);
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = settings.ClusterId;
            o.ServiceId = settings.ServiceId;
        });

        if (settings.UsesRedis)
        {
            silo.UseRedisClustering(settings.Redis!);
            silo.ConfigureEndpoints(settings.AdvertisedIp, settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: false);
            silo.UseRedisReminderService(o => o.ConfigurationOptions = ConfigurationOptions.Parse(settings.Redis!));
            silo.Services.AddOptions<ClusterMembershipOptions>().Configure(QuickFailureDetection).Bind(config.GetSection("Orleans:Membership"));
            // The Api, a client of this cluster, gives up on a grain call after 8 s (OrleansHosting). A streamed call (a
            // chat turn) long-polls the grain for half this timeout and gets an empty heartbeat when nothing came, so it
            // must stay well under twice the client's: 10 s gives a heartbeat every 5 s, 3 s before the client would
            // give up, however long the model takes for its first token. It also ends a grain's wait on a silo that
            // died mid-call after 10 s rather than Orleans' 30.
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(
                config.GetValue("Orleans:SiloResponseTimeoutSeconds", DefaultSiloResponseTimeoutSeconds)));
        }
        else
        {
            silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: settings.ServiceId, clusterId: settings.ClusterId);
            silo.UseInMemoryReminderService();
        }

        silo.Services.AddOptions<GrainCollectionOptions>().Configure(ShedUnderMemoryPressure).Bind(config.GetSection("Orleans:GrainCollection"));
        return silo.AddHealthActorsStorage(config, settings);
    }

    /// <summary>Orleans:SiloResponseTimeoutSeconds when not set; see ConfigureHealthActors.</summary>
    public const double DefaultSiloResponseTimeoutSeconds = 10;

    /// <summary>
    /// Idle grains are collected after Orleans' CollectionAge (15 minutes) whatever the memory; with shedding on, a silo
    /// whose GC heap passes the limit (a share of the memory it may use: the container's limit, the GC heap hard limit
    /// or the machine's memory) also deactivates its longest-idle grains until the heap is back near the target, rather
    /// than running out of memory under a burst of activations. Overridable under Orleans:GrainCollection
    /// (Orleans__GrainCollection__MemoryUsageLimitPercentage=85 ...); docs/benchmarks.md, "Idle patient activations",
    /// shows it at work.
    /// </summary>
    public static void ShedUnderMemoryPressure(GrainCollectionOptions o)
    {
        o.EnableActivationSheddingOnMemoryPressure = true;
        // Orleans' defaults: shed from 80 % down towards 75 %. Kept, but a wider gap (70 %) so that one pass frees
        // enough for a burst to continue instead of shedding a sliver every polling period.
        o.MemoryUsageLimitPercentage = 80;
        o.MemoryUsageTargetPercentage = 70;
        // Every second rather than Orleans' 5 s: at a few thousand activations a second, 5 s of growth filled the
        // headroom above the limit of a 192 MB heap and the silo ran out of memory before shedding caught up
        // (docs/benchmarks.md, "Idle patient activations"). A poll is one GC.GetGCMemoryInfo() call.
        o.MemoryUsagePollingPeriod = TimeSpan.FromSeconds(1);
    }

    /// <summary>
    /// Membership defaults that declare a killed silo dead within seconds rather than Orleans' quarter of a minute, so
    /// its grains move and callers see service again quickly. Each can be overridden under Orleans:Membership
    /// (Orleans:Membership:ProbeTimeout=00:00:05 ...); docs/architecture.md explains the trade-off.
    /// </summary>
    public static void QuickFailureDetection(ClusterMembershipOptions o)
    {
        // A killed process refuses connections at once, so each probe fails fast: 3 missed probes 2 s apart is
        // about 6 s to suspicion. Orleans adapts each probe's timeout to the answers it saw (between half of
        // ProbeTimeout and MaxProbeTimeout) and stretches it while this silo's own health is degraded (a starved,
        // loaded machine), so a slow but living silo is not voted out on a late answer.
        o.ProbeTimeout = TimeSpan.FromSeconds(2);
        o.NumMissedProbesLimit = 3;
        o.ExtendProbeTimeoutDuringDegradation = true;
        // Orleans does not vote against a silo from which any message arrived within MaxProbeTimeout x
        // NumMissedProbesLimit, even when its probes fail: a silo that still talks is alive. With Orleans' default
        // (4 x ProbeTimeout) that window was 24 s, so a silo frozen for 15 s (SIGSTOP, a paused VM) was never voted
        // out and the whole service waited on it (docs/reliability.md). 2 s caps both the stretched probe timeout
        // and the window at 6 s: a frozen silo is declared dead about 7 s after its last message, while a slow one
        // that answers anything (a late probe reply, a grain response) within 6 s keeps its place.
        o.MaxProbeTimeout = TimeSpan.FromSeconds(2);
        // Gossip carries most changes; the periodic table read is the fallback when a message is lost.
        o.TableRefreshTimeout = TimeSpan.FromSeconds(15);
        // A silo that crashed stops updating its heartbeat. A starting silo must reach every active entry that is not
        // stale before it joins, and an entry goes stale after 3 x 5 s of silence instead of 2 x 30 s: a start right
        // after a crash (kill -9, then ./run.sh again) waits at most about 15 s on the dead entry, not a minute. Not
        // shorter: a stale entry whose probes fail is declared dead without waiting for votes, and a silo starved on a
        // loaded machine can miss a heartbeat or two. The cost: one Redis write per silo every 5 s.
        o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
        o.NumMissedTableIAmAliveLimit = 3;
        // Dead entries are kept for diagnosis for an hour rather than a week, so the Redis hash stays small.
        o.DefunctSiloExpiration = TimeSpan.FromHours(1);
        o.DefunctSiloCleanupPeriod = TimeSpan.FromMinutes(10);
    }

    /// <summary>Grain storage and grain services; no clustering (the test host brings its own).</summary>
    public static ISiloBuilder AddHealthActorsStorage(this ISiloBuilder silo, IConfiguration config, ClusterSettings settings)
    {
        if (settings.UsesPostgres)
        {
            silo.AddAdoNetGrainStorage(StorageNames.Store, o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = settings.Postgres;
            });
            silo.Services.AddOptions<AdoNetGrainStorageOptions>(StorageNames.Store)
                .Configure<IServiceProvider>((o, sp) =>
                    o.GrainStorageSerializer = new OrleansGrainStorageSerializer(sp.GetRequiredService<Orleans.Serialization.Serializer>()));
            // A database restart reads as 503 + Retry-After at the Api, not as an exception Orleans cannot serialize.
            silo.Services.AddStorageFaultHandling(StorageNames.Store);
        }
        else
        {
            silo.AddMemoryGrainStorage(StorageNames.Store);
        }

        silo.Services.AddHealthActorsGrainServices(config, settings);
        return silo;
    }

    public static IServiceCollection AddHealthActorsGrainServices(this IServiceCollection services, IConfiguration config, ClusterSettings settings)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<IdentityRulesOptions>().Bind(config.GetSection(IdentityRulesOptions.Section));
        services.AddOptions<PasswordHasherOptions>()
            .Configure<Microsoft.Extensions.Options.IOptions<IdentityRulesOptions>>((o, rules) =>
            {
                o.CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3;
                o.IterationCount = rules.Value.PasswordIterations;
            });
        services.TryAddSingleton<IPasswordHasher<AccountUser>, PasswordHasher<AccountUser>>();

        if (settings.UsesPostgres)
        {
            services.TryAddSingleton(_ => NpgsqlDataSource.Create(settings.Postgres!));
            services.TryAddSingleton<IAuditLog, PostgresAuditLog>();
            services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, SchemaInitializer>();
        }
        else
        {
            services.TryAddSingleton<IAuditLog, InMemoryAuditLog>();
        }
        services.AddHealthActorsChat(config, settings.UsesPostgres);
        services.AddOptions<BookingOptions>().Bind(config.GetSection(BookingOptions.Section));
        services.TryAddSingleton<IPaymentGateway, TestPaymentGateway>();
        if (settings.UsesPostgres) services.TryAddSingleton<IBookingStore, PostgresBookingStore>();
        else services.TryAddSingleton<IBookingStore, InMemoryBookingStore>();
        services.AddOptions<MarketplaceOptions>().Bind(config.GetSection(MarketplaceOptions.Section));
        if (settings.UsesPostgres) services.TryAddSingleton<IMarketStore, PostgresMarketStore>();
        else services.TryAddSingleton<IMarketStore, InMemoryMarketStore>();
        if (settings.UsesPostgres) services.TryAddSingleton<IHealthRecordStore, PostgresHealthRecordStore>();
        else services.TryAddSingleton<IHealthRecordStore, InMemoryHealthRecordStore>();
        services.AddOptions<AlarmOptions>().Bind(config.GetSection(AlarmOptions.Section));
        if (settings.UsesPostgres) services.TryAddSingleton<ICredentialStore, PostgresCredentialStore>();
        else services.TryAddSingleton<ICredentialStore, InMemoryCredentialStore>();
        // Replaced by the attachments feature's check once uploads exist.
        services.TryAddSingleton<ICredentialAttachments, OwnedCredentialAttachments>();
        if (settings.UsesPostgres) services.TryAddSingleton<IAlarmStore, PostgresAlarmStore>();
        else services.TryAddSingleton<IAlarmStore, InMemoryAlarmStore>();
        if (settings.UsesPostgres) services.TryAddSingleton<IHealthInsightsStore, PostgresHealthInsightsStore>();
        else services.TryAddSingleton<IHealthInsightsStore>(sp => new InMemoryHealthInsightsStore((InMemoryHealthRecordStore)sp.GetRequiredService<IHealthRecordStore>()));
        services.TryAddSingleton<IMedicationAdherenceSource, AlarmAdherence>();
        if (settings.UsesPostgres) services.TryAddSingleton<ICaseStore, PostgresCaseStore>();
        else services.TryAddSingleton<ICaseStore, InMemoryCaseStore>();
        services.TryAddSingleton(sp => (ICaseAttachmentLinks)sp.GetRequiredService<ICaseStore>());
        if (settings.UsesPostgres) services.TryAddSingleton<IConsultationStore, PostgresConsultationStore>();
        else services.TryAddSingleton<IConsultationStore, InMemoryConsultationStore>();
        services.TryAddSingleton(sp => (IConsultationAttachmentLinks)sp.GetRequiredService<IConsultationStore>());
        services.AddOptions<ConsultationOptions>().Bind(config.GetSection(ConsultationOptions.Section));
        if (settings.UsesPostgres) services.TryAddSingleton<IRatingStore, PostgresRatingStore>();
        else services.TryAddSingleton<IRatingStore, InMemoryRatingStore>();
        services.AddOptions<AttachmentOptions>().Bind(config.GetSection(AttachmentOptions.Section));
        if (settings.UsesPostgres) services.TryAddSingleton<IAttachmentStore, PostgresAttachmentStore>();
        else services.TryAddSingleton<IAttachmentStore, InMemoryAttachmentStore>();
        return services;
    }
}

/// <summary>Applies the schema before the storage providers read their queries from OrleansQuery.</summary>
internal sealed class SchemaInitializer(NpgsqlDataSource db, ILogger<SchemaInitializer> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SchemaInitializer), ServiceLifecycleStage.RuntimeInitialize,
            ct => SchemaMigrator.ApplyAsync(db, logger, ct));
}
