using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using HealthActors.Api.Setup;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.SignalR.Client;
using OpenTelemetry.Trace;

namespace HealthActors.Tests.Telemetry;

/// <summary>The chat Api (fake model, captured logs) with every finished span kept in memory.</summary>
public sealed class TelemetryApiFactory : ChatApiFactory
{
    public List<Activity> Spans { get; } = [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // Without a collector configured, spans are off unless asked for.
        builder.UseSetting("Telemetry:Tracing", "true");
        builder.ConfigureServices(s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(Spans)));
    }

    public Activity[] SpansSnapshot()
    {
        // The exporter appends without a lock; a copy taken mid-append may hold an empty slot.
        return Spans.ToArray().Where(a => a is not null).ToArray();
    }
}

public sealed class TelemetryTests(TelemetryApiFactory factory) : IClassFixture<TelemetryApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task One_trace_runs_from_the_http_request_through_the_grains_to_the_sql()
    {
        var user = await _http.RegisterAsync();
        var put = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Put, "/api/patients/me/profile", user.Tokens.AccessToken,
            new { firstName = "Trace", lastName = "Probe", birthDate = "1991-02-03", sex = "female" }));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        // The server span is exported when it stops, which may be a moment after the client has the response.
        Activity? server = null;
        Activity[] inTrace = [];
        await Poll.Until(() =>
        {
            var spans = factory.SpansSnapshot();
            server = spans.LastOrDefault(a => a.Kind == ActivityKind.Server && a.Source.Name == "Microsoft.AspNetCore"
                && a.GetTagItem("http.route") is "/api/patients/me/profile" && a.GetTagItem("http.request.method") is "PUT");
            if (server is null) return Task.FromResult(false);
            inTrace = spans.Where(a => a.TraceId == server.TraceId).ToArray();
            return Task.FromResult(inTrace.Any(a => a.Source.Name.StartsWith("Microsoft.Orleans")) && inTrace.Any(a => a.Source.Name == "Npgsql"));
        }, TimeSpan.FromSeconds(10), () => string.Join("\n", factory.SpansSnapshot().Select(a => $"{a.Source.Name} {a.DisplayName} {a.TraceId}")));

        Assert.NotNull(server);
        var grainCall = inTrace.First(a => a.Source.Name.StartsWith("Microsoft.Orleans"));
        var sql = inTrace.First(a => a.Source.Name == "Npgsql");
        Assert.Equal(server!.TraceId, grainCall.TraceId);
        Assert.Equal(server.TraceId, sql.TraceId);
        // The SQL ran under a grain call, not beside the request.
        Assert.NotEqual(server.SpanId, sql.ParentSpanId);
    }

    [Fact]
    public async Task Metrics_and_dashboard_answer_admins_only_and_metrics_carry_our_counters()
    {
        var admin = await _http.LoginAdminAsync();
        var patient = await _http.RegisterAsync();
        var hub = await factory.ConnectChatAsync(patient.Tokens.AccessToken);
        try
        {
            var conversation = await hub.InvokeAsync<Guid>("StartConversation", "Headache");
            Assert.NotEmpty(await hub.SendAsync(conversation, "My head hurts since this morning"));
        }
        finally { await hub.DisposeAsync(); }

        foreach (var path in new[] { TelemetrySetup.MetricsPath, TelemetrySetup.DashboardPath + "/" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await _http.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, path, patient.Tokens.AccessToken))).StatusCode);
            var doctor = await _http.RegisterDoctorAsync();
            Assert.Equal(HttpStatusCode.Forbidden, (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, path, doctor.Tokens.AccessToken))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, path, admin.Tokens.AccessToken))).StatusCode);
        }

        var text = "";
        await Poll.Until(async () =>
        {
            var r = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, TelemetrySetup.MetricsPath, admin.Tokens.AccessToken));
            text = await r.Content.ReadAsStringAsync();
            return text.Contains("healthactors_model_calls") && text.Contains("http_server_request_duration") && text.Contains("orleans_");
        }, TimeSpan.FromSeconds(15), () => text);
        Assert.Contains("healthactors_model_calls", text);
        Assert.Contains("db_client_", text);
    }

    [Fact]
    public async Task No_name_email_or_message_text_reaches_the_logs()
    {
        var marker = Guid.NewGuid().ToString("N")[..10];
        var email = ApiClientExtensions.NewEmail($"phi{marker}");
        var firstName = $"Zelda{marker}";
        var message = $"I feel a stabbing pain in my knee {marker}";
        var user = await _http.RegisterAsync(email, name: $"{firstName} Quill");
        var put = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Put, "/api/patients/me/profile", user.Tokens.AccessToken,
            new { firstName, lastName = "Quill", birthDate = "1985-06-07", sex = "male", conditions = new[] { $"gout {marker}" } }));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var hub = await factory.ConnectChatAsync(user.Tokens.AccessToken);
        try
        {
            var conversation = await hub.InvokeAsync<Guid>("StartConversation", $"Knee {marker}");
            Assert.NotEmpty(await hub.SendAsync(conversation, message));
        }
        finally { await hub.DisposeAsync(); }

        // The flow did log (so the capture works), but nothing a person typed.
        Assert.NotEmpty(factory.Logs);
        var leaked = factory.Logs.Where(l => l.Contains(marker, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(leaked.Count == 0, string.Join("\n", leaked));
    }
}
