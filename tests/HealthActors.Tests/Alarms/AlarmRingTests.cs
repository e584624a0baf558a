using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using HealthActors.Grains.Alarms;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace HealthActors.Tests.Alarms;

[Collection(AlarmCollection.Name)]
public sealed class AlarmRingTests(AlarmApiFactory factory, ITestOutputHelper output) : IDisposable
{
    /// <summary>Tokens are stamped with the shifted clock and checked against the real one: the next test starts unshifted.</summary>
    public void Dispose() => factory.Clock.Shift = TimeSpan.Zero;

    private static readonly TimeZoneInfo Madrid = TimeZoneInfo.FindSystemTimeZoneById("Europe/Madrid");
    private readonly AlarmApi _api = new(factory.CreateClient());

    [Fact]
    public async Task A_Madrid_dose_rings_once_at_its_utc_instant_through_the_reminder_into_the_inbox_and_the_hub()
    {
        var clock = Stopwatch.StartNew();
        var (patient, medicationId) = await _api.Patient("Europe/Madrid");
        await using var hub = await factory.ConnectHubAsync("/hubs/notifications", patient.Tokens.AccessToken);
        var pushed = new ConcurrentQueue<JsonElement>();
        hub.On<JsonElement>("notification", n =>
        {
            if (n.GetProperty("kind").GetString() == MedicationAlarmsGrain.NotificationKind) pushed.Enqueue(n);
        });

        // A whole UTC minute a few seconds ahead, asked for as Madrid's wall-clock time of that instant.
        var due = factory.Clock.MinuteAhead(TimeSpan.FromSeconds(6));
        var local = TimeZoneInfo.ConvertTime(due, Madrid);
        var schedule = await _api.Json(await _api.Send(HttpMethod.Post, "/api/patients/me/medication-schedules", patient.Tokens.AccessToken,
            AlarmApi.Schedule(medicationId, DateOnly.FromDateTime(local.DateTime), local.ToString("HH:mm", CultureInfo.InvariantCulture))), HttpStatusCode.Created);
        Assert.Equal("Europe/Madrid", schedule["timeZone"]!.GetValue<string>());
        Assert.Empty(await _api.Alarms(patient));

        List<JsonNode> inbox = [];
        while (inbox.Count == 0 && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(300);
            inbox = await _api.InboxAlarms(patient);
        }
        output.WriteLine($"rang after {clock.Elapsed.TotalSeconds:0.0} s");
        var notification = Assert.Single(inbox);

        var alarm = Assert.Single(await _api.Alarms(patient))!;
        Assert.Equal(due, alarm["dueAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal("medication", alarm["kind"]!.GetValue<string>());
        Assert.Equal(schedule["id"]!.GetValue<Guid>(), alarm["scheduleId"]!.GetValue<Guid>());
        Assert.Equal("open", alarm["status"]!.GetValue<string>());
        Assert.False(alarm["late"]!.GetValue<bool>());
        var rungAt = alarm["rungAt"]!.GetValue<DateTimeOffset>();
        Assert.InRange(rungAt, due, due.AddSeconds(factory.LateAfterSeconds));
        Assert.Equal(alarm["id"]!.GetValue<Guid>(), notification["subjectId"]!.GetValue<Guid>());
        Assert.Contains("Metformin 500 mg", notification["title"]!.GetValue<string>());

        // Once: another catch-up period passes without a second alarm, notification or push.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var event_ = Assert.Single(pushed);
        Assert.Equal(notification["id"]!.GetValue<Guid>(), event_.GetProperty("id").GetGuid());
        Assert.Single(await _api.InboxAlarms(patient));
        Assert.Single(await _api.Alarms(patient));

        // Answers: a repeat is harmless, the other answer is a conflict, and adherence counts the dose taken.
        var url = $"/api/alarms/{alarm["id"]}";
        var taken = await _api.Json(await _api.Send(HttpMethod.Post, url + "/taken", patient.Tokens.AccessToken), HttpStatusCode.OK);
        Assert.Equal("taken", taken["status"]!.GetValue<string>());
        await _api.Json(await _api.Send(HttpMethod.Post, url + "/taken", patient.Tokens.AccessToken), HttpStatusCode.OK);
        var conflict = await (await _api.Send(HttpMethod.Post, url + "/skipped", patient.Tokens.AccessToken)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("AlarmAlreadyAnswered", conflict["reason"]!.GetValue<string>());
        var adherence = await factory.Services.GetRequiredService<IAlarmStore>().Adherence(patient.Id, due.AddMinutes(-1), due.AddMinutes(1));
        Assert.Equal((1, 1, 0), (adherence.Due, adherence.Taken, adherence.Skipped));
        // Insights report the same store's count over the patient's last 7 local days.
        var insights = await _api.Json(await _api.Send(HttpMethod.Get, "/api/patients/me/insights?days=7", patient.Tokens.AccessToken), HttpStatusCode.OK);
        var inInsights = insights["medicationAdherence"]!;
        var dueInWindow = inInsights["due"]!.GetValue<int>();
        Assert.True(dueInWindow >= 1, $"due {dueInWindow}");
        Assert.Equal((1, 0), (inInsights["taken"]!.GetValue<int>(), inInsights["skipped"]!.GetValue<int>()));
        Assert.Equal(Math.Round(100m / dueInWindow, 1, MidpointRounding.AwayFromZero), inInsights["percent"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task A_custom_alarm_rings_once_at_its_moment()
    {
        var user = await _api.Http.RegisterAsync();
        var at = factory.Clock.GetUtcNow().AddSeconds(3);
        var created = await _api.Json(await _api.Send(HttpMethod.Post, "/api/alarms", user.Tokens.AccessToken,
            $$"""{"title":"Call the pharmacy","at":"{{at.ToOffset(TimeSpan.FromHours(-3)):yyyy-MM-ddTHH:mm:ss.fffzzz}}"}"""), HttpStatusCode.Created);
        Assert.Equal("custom", created["kind"]!.GetValue<string>());
        Assert.Null(created["rungAt"]);

        var clock = Stopwatch.StartNew();
        List<JsonNode> inbox = [];
        while (inbox.Count == 0 && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(300);
            inbox = await _api.InboxAlarms(user);
        }
        Assert.Equal("Call the pharmacy", Assert.Single(inbox)["title"]!.GetValue<string>());
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Single(await _api.InboxAlarms(user));
        var alarm = Assert.Single(await _api.Alarms(user))!;
        Assert.NotNull(alarm["rungAt"]);
        Assert.Equal(created["id"]!.GetValue<Guid>(), alarm["id"]!.GetValue<Guid>());
    }
}
