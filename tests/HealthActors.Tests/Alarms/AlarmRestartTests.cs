using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace HealthActors.Tests.Alarms;

/// <summary>
/// Every silo stops before a dose is due and a new one starts after it: the reminder and the schedule outlive
/// the processes (Redis, PostgreSQL), so the dose rings once on the new silo, marked late.
/// </summary>
public sealed class AlarmRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_dose_due_while_every_silo_is_down_rings_once_marked_late_when_they_are_back()
    {
        var clock = Stopwatch.StartNew();
        var serviceId = TestEnvironment.UniqueId("alarms-svc");
        var shifted = new ShiftedClock();
        TestUser patient;
        DateTimeOffset due;
        var first = new SuccessorAlarmApiFactory(serviceId, shifted);
        try
        {
            var api = new AlarmApi(first.CreateClient());
            (patient, var medicationId) = await api.Patient("UTC");
            // Far enough ahead for the silo to stop first (a graceful stop takes a few seconds).
            due = shifted.MinuteAhead(TimeSpan.FromSeconds(12));
            await api.Json(await api.Send(HttpMethod.Post, "/api/patients/me/medication-schedules", patient.Tokens.AccessToken,
                AlarmApi.Schedule(medicationId, DateOnly.FromDateTime(due.UtcDateTime), due.ToString("HH:mm", CultureInfo.InvariantCulture))), HttpStatusCode.Created);
            output.WriteLine($"scheduled for {due:O} ({clock.Elapsed.TotalSeconds:0.0} s)");
        }
        finally
        {
            await first.DisposeAsync();
        }
        var stoppedAt = shifted.GetUtcNow();
        Assert.True(stoppedAt < due, $"the silo stopped at {stoppedAt:O}, after the dose was due ({due:O}): too slow for the test to mean anything");
        output.WriteLine($"silo stopped {(due - stoppedAt).TotalSeconds:0.0} s before the dose ({clock.Elapsed.TotalSeconds:0.0} s)");

        // Start again only once the dose would count as late.
        var wait = due.AddSeconds(SuccessorAlarmApiFactory.LateAfter + 1) - shifted.GetUtcNow();
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        await using var second = new SuccessorAlarmApiFactory(serviceId, shifted);
        var again = new AlarmApi(second.CreateClient());

        List<JsonNode> inbox = [];
        var waiting = Stopwatch.StartNew();
        while (inbox.Count == 0 && waiting.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(500);
            inbox = await again.InboxAlarms(patient);
        }
        output.WriteLine($"rang {(shifted.GetUtcNow() - due).TotalSeconds:0.0} s after it was due ({clock.Elapsed.TotalSeconds:0.0} s)");
        var notification = Assert.Single(inbox);
        Assert.StartsWith("Late: ", notification["title"]!.GetValue<string>());

        var alarm = Assert.Single(await again.Alarms(patient))!;
        Assert.Equal(due, alarm["dueAt"]!.GetValue<DateTimeOffset>());
        Assert.True(alarm["late"]!.GetValue<bool>(), alarm.ToJsonString());
        Assert.Equal("open", alarm["status"]!.GetValue<string>());

        // Once: further catch-up ticks find nothing new to ring.
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Single(await again.InboxAlarms(patient));
        Assert.Single(await again.Alarms(patient));
        output.WriteLine($"done after {clock.Elapsed.TotalSeconds:0.0} s");
    }
}
