using System.Net;
using System.Text.Json.Nodes;
using HealthActors.Grains.Audit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace HealthActors.Tests.Api;

public sealed class HealthTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task Live_is_200()
    {
        var r = await _http.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("Healthy", JsonNode.Parse(await r.Content.ReadAsStringAsync())!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ready_is_200_with_postgres_redis_cluster_and_startup_healthy()
    {
        // Which check failed, and why, is for admins (HttpHardeningTests covers the anonymous answer).
        var admin = await _http.LoginAdminAsync();
        var r = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/health/ready", admin.Tokens.AccessToken));
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("application/json", r.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(text)!;
        Assert.Equal("Healthy", body["status"]!.GetValue<string>());
        Assert.Empty(body["failing"]!.AsArray());
        var checks = body["checks"]!.AsObject();
        Assert.Equal(["cluster", "postgres", "redis", "startup"], checks.Select(c => c.Key).Order());
        foreach (var (name, check) in checks)
            Assert.True(check!["status"]!.GetValue<string>() == "Healthy", $"{name}: {check.ToJsonString()}");
    }

    [Fact]
    public async Task OpenApi_document_describes_the_auth_endpoints()
    {
        var r = await _http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("application/json", r.Content.Headers.ContentType?.MediaType);
        var doc = JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
        Assert.StartsWith("3.", doc["openapi"]!.GetValue<string>());
        var paths = doc["paths"]!.AsObject();
        Assert.True(paths.ContainsKey("/api/auth/register"), string.Join(", ", paths.Select(p => p.Key)));
        Assert.NotNull(paths["/api/auth/register"]!["post"]);
    }

    [Fact]
    public async Task Docs_page_is_html()
    {
        var r = await _http.GetAsync("/docs");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("text/html", r.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<html", await r.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>
/// The Api as it is when PostgreSQL stops answering it: the NpgsqlDataSource the readiness check resolves
/// points at a loopback port nobody listens on. The silo's schema migrator and audit log share that
/// singleton, so they are given a working source of their own; otherwise the host would not start at all
/// and there would be no readiness answer to look at.
/// </summary>
public sealed class PostgresDownApiFactory : ApiFactory
{
    private readonly NpgsqlDataSource _working = NpgsqlDataSource.Create(TestEnvironment.Postgres);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            var closed = $"Host=127.0.0.1;Port={TestEnvironment.FreePort()};Username=postgres;Database=healthactors_dev;Timeout=3;Pooling=false";
            services.RemoveAll<NpgsqlDataSource>();
            services.AddSingleton(_ => NpgsqlDataSource.Create(closed));

            var schema = services.Single(d => d.ServiceType == typeof(ILifecycleParticipant<ISiloLifecycle>) && d.ImplementationType?.Name == "SchemaInitializer");
            services.Remove(schema);
            services.AddSingleton(sp => (ILifecycleParticipant<ISiloLifecycle>)ActivatorUtilities.CreateInstance(sp, schema.ImplementationType!, _working));
            services.RemoveAll<IAuditLog>();
            services.AddSingleton<IAuditLog>(new PostgresAuditLog(_working));
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _working.Dispose();
    }
}

public sealed class HealthWhenPostgresIsDownTests(PostgresDownApiFactory factory) : IClassFixture<PostgresDownApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task Ready_is_503_and_names_postgres_while_live_stays_200()
    {
        var admin = await _http.LoginAdminAsync();
        var r = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/health/ready", admin.Tokens.AccessToken));
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)r.StatusCode} {text}");
        var body = JsonNode.Parse(text)!;
        Assert.Equal("Unhealthy", body["status"]!.GetValue<string>());
        Assert.Equal(["postgres"], body["failing"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal("Unhealthy", body["checks"]!["postgres"]!["status"]!.GetValue<string>());
        Assert.Contains("PostgreSQL", body["checks"]!["postgres"]!["description"]!.GetValue<string>());
        Assert.Equal("Healthy", body["checks"]!["redis"]!["status"]!.GetValue<string>());
        Assert.Equal("Healthy", body["checks"]!["cluster"]!["status"]!.GetValue<string>());

        // Liveness does not depend on anything outside the process: restarting would not bring PostgreSQL back.
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/health/live")).StatusCode);
    }
}
