using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace HealthActors.Tests.Alarms;

/// <summary>
/// Wall-clock readings moved forward by <see cref="Shift"/> (under a minute); timers and timestamps untouched.
/// Schedules are whole minutes, so without it a test would wait for the next minute to come round; with it,
/// the test picks a minute and moves the clock to a few seconds before it. Orleans reads the same clock, so its
/// "timer fired late" warnings in the log right after a shift are expected.
/// </summary>
public sealed class ShiftedClock : TimeProvider
{
    public TimeSpan Shift { get; set; }
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Shift;

    /// <summary>Sets the shift so that a whole minute falls <paramref name="ahead"/> from now on this clock; returns that minute.</summary>
    public DateTimeOffset MinuteAhead(TimeSpan ahead)
    {
        var target = DateTimeOffset.UtcNow + ahead;
        var minute = new DateTimeOffset(target.Ticks - target.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(1);
        Shift = minute - target;
        return minute;
    }
}

/// <summary>
/// The Api with its embedded silo, a <see cref="ShiftedClock"/>, and reminders allowed a period of two seconds so a
/// tick missed while no silo ran is caught up in seconds rather than a minute. <paramref name="serviceId"/> lets a
/// second factory take over the first one's reminders and rows (a restart of every silo).
/// </summary>
public class AlarmApiFactory : ApiFactory
{
    private readonly string? _serviceId;

    public AlarmApiFactory() : this(null, null, lateAfterSeconds: 10) { }

    protected AlarmApiFactory(string? serviceId, ShiftedClock? clock, double lateAfterSeconds)
    {
        _serviceId = serviceId;
        Clock = clock ?? new ShiftedClock();
        LateAfterSeconds = lateAfterSeconds;
    }

    public ShiftedClock Clock { get; }
    /// <summary>Generous where an alarm must ring on time on a busy machine; short where the test waits it out.</summary>
    public double LateAfterSeconds { get; }

    protected override IDictionary<string, string?> ExtraSettings
    {
        get
        {
            var settings = new Dictionary<string, string?>
            {
                ["Alarms:CatchUpSeconds"] = "2",
                ["Alarms:LateAfterSeconds"] = LateAfterSeconds.ToString(CultureInfo.InvariantCulture),
            };
            if (_serviceId is not null) settings["Orleans:ServiceId"] = _serviceId;
            return settings;
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        });
    }
}

/// <summary>One of a succession of Api processes over the same service id and clock: the same cluster restarted.</summary>
public sealed class SuccessorAlarmApiFactory(string serviceId, ShiftedClock clock) : AlarmApiFactory(serviceId, clock, LateAfter)
{
    public const double LateAfter = 3;
}

/// <summary>The ring and access tests share one Api host (one start-up instead of two); they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class AlarmCollection : ICollectionFixture<AlarmApiFactory>
{
    public const string Name = "alarms";
}

/// <summary>HTTP steps the alarm tests share.</summary>
public sealed class AlarmApi(HttpClient http)
{
    public HttpClient Http => http;

    public async Task<HttpResponseMessage> Send(HttpMethod method, string url, string? token, string? body = null) =>
        await http.SendAsync(body is null ? ApiClientExtensions.Authed(method, url, token) : ApiClientExtensions.RawJson(method, url, token, body));

    public async Task<JsonObject> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? [] : JsonNode.Parse(text)!.AsObject();
    }

    public async Task SetTimeZone(TestUser user, string? zone) =>
        await Json(await Send(HttpMethod.Put, "/api/patients/me/profile", user.Tokens.AccessToken,
            new JsonObject { ["firstName"] = "Alma", ["lastName"] = "Reyes", ["timeZone"] = zone }.ToJsonString()), HttpStatusCode.OK);

    public async Task<Guid> AddMedication(TestUser user, bool active = true)
    {
        var body = new JsonObject
        {
            ["name"] = "Metformin", ["dose"] = "500 mg", ["frequency"] = "twice daily", ["active"] = active,
            ["recordedAt"] = DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture),
        };
        var created = await Json(await Send(HttpMethod.Post, "/api/patients/me/records/medications", user.Tokens.AccessToken, body.ToJsonString()), HttpStatusCode.Created);
        return created["id"]!.GetValue<Guid>();
    }

    /// <summary>A patient with a profile time zone and one active medication.</summary>
    public async Task<(TestUser User, Guid MedicationId)> Patient(string zone = "Europe/Madrid")
    {
        var user = await http.RegisterAsync();
        await SetTimeZone(user, zone);
        return (user, await AddMedication(user));
    }

    public static string Schedule(Guid medicationId, DateOnly start, params string[] times) => new JsonObject
    {
        ["medicationId"] = medicationId,
        ["timesOfDay"] = new JsonArray(times.Select(t => (JsonNode?)t).ToArray()),
        ["startDate"] = start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    }.ToJsonString();

    public async Task<JsonArray> Alarms(TestUser user, string query = "") =>
        (await Json(await Send(HttpMethod.Get, "/api/alarms" + query, user.Tokens.AccessToken), HttpStatusCode.OK))["items"]!.AsArray();

    /// <summary>The medication alarms in the user's inbox; none while the cluster cannot answer yet.</summary>
    public async Task<List<JsonNode>> InboxAlarms(TestUser user)
    {
        HttpResponseMessage response;
        try { response = await Send(HttpMethod.Get, "/api/notifications", user.Tokens.AccessToken); }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return []; }
        if (response.StatusCode == HttpStatusCode.ServiceUnavailable) return [];
        var page = await Json(response, HttpStatusCode.OK);
        return page["items"]!.AsArray().Where(n => n!["kind"]!.GetValue<string>() == "medication.alarm").Select(n => n!).ToList();
    }
}
