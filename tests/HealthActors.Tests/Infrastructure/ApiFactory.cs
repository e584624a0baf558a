using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace HealthActors.Tests.Infrastructure;

/// <summary>
/// The whole Api in-process with an embedded silo joined to the real Redis (its own cluster id) and
/// persisting to the real PostgreSQL (its own service id, so fixtures never see each other's rows).
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@tests.healthactors.local";
    public const string AdminPassword = "admin-password-for-tests-7Q";

    public string ClusterId { get; } = TestEnvironment.UniqueId("api");
    public string ServiceId { get; } = TestEnvironment.UniqueId("svc");
    protected virtual int AuthPermitsPerWindow => 100_000;
    protected virtual IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Orleans:Mode"] = "Embedded",
            ["Orleans:ClusterId"] = ClusterId,
            ["Orleans:ServiceId"] = ServiceId,
            ["Orleans:SiloPort"] = TestEnvironment.FreePort().ToString(),
            ["Orleans:GatewayPort"] = TestEnvironment.FreePort().ToString(),
            ["ConnectionStrings:Postgres"] = TestEnvironment.Postgres,
            ["ConnectionStrings:Redis"] = TestEnvironment.Redis,
            ["Jwt:SigningKey"] = TestEnvironment.JwtKey,
            ["Admin:Email"] = AdminEmail,
            ["Admin:Password"] = AdminPassword,
            ["RateLimiting:AuthPermitsPerWindow"] = AuthPermitsPerWindow.ToString(),
            // Tests drive one account much harder than a person would; RateLimitTests set these low.
            ["RateLimiting:UserRequestsPerMinute"] = "1000000",
            ["RateLimiting:ModelCallsPerMinute"] = "1000000",
            ["Catalog:SeedDemo"] = "false",
        };
        foreach (var kv in ExtraSettings) settings[kv.Key] = kv.Value;
        foreach (var kv in settings) builder.UseSetting(kv.Key, kv.Value);
        builder.UseEnvironment("Testing");
    }
}
