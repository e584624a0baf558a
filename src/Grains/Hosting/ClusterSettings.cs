using System.Net;
using Microsoft.Extensions.Configuration;

namespace HealthActors.Grains.Hosting;

/// <summary>
/// What every host (silo, Api client, embedded Api, tests) reads to find the cluster and its storage.
/// Keys: ConnectionStrings:Postgres, ConnectionStrings:Redis, Orleans:ClusterId, Orleans:ServiceId,
/// Orleans:SiloPort, Orleans:GatewayPort, Orleans:AdvertisedIP, Postgres:Tuning. The PostgreSQL connection string
/// carries <see cref="PostgresConnectionDefaults"/> unless Postgres:Tuning is false, so every pool built from it
/// (grain storage, the NpgsqlDataSource of the stores, the Api's readiness check) gets them.
/// </summary>
public sealed record ClusterSettings(
    string? Postgres,
    string? Redis,
    string ClusterId,
    string ServiceId,
    int SiloPort,
    int GatewayPort,
    IPAddress AdvertisedIp)
{
    public static ClusterSettings From(IConfiguration config)
    {
        var section = config.GetSection("Orleans");
        return new ClusterSettings(
            Postgres: PostgresConnectionDefaults.Apply(Blank(config.GetConnectionString("Postgres")),
                config.GetValue(PostgresConnectionDefaults.TuningKey, true)),
            Redis: Blank(config.GetConnectionString("Redis")),
            ClusterId: section["ClusterId"] ?? "healthactors",
            ServiceId: section["ServiceId"] ?? "healthactors",
            SiloPort: section.GetValue("SiloPort", 11111),
            GatewayPort: section.GetValue("GatewayPort", 30000),
            AdvertisedIp: IPAddress.Parse(section["AdvertisedIP"] ?? "127.0.0.1"));
    }

    public bool UsesPostgres => Postgres is not null;
    public bool UsesRedis => Redis is not null;

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
