using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using HealthActors.Tests.Booking;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace HealthActors.Tests.Processes;

[Collection(ProcessCollection.Name)]
public sealed class ReminderRestartTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ReminderLead = TimeSpan.FromMinutes(10);

    /// <summary>Long enough to stop every process before it (a SIGTERM stop takes a few seconds), short enough for the test's budget.</summary>
    private static readonly TimeSpan DueAfterBooking = TimeSpan.FromSeconds(30);

    /// <summary>Creating the doctor and booking, between choosing the slot and the booking itself.</summary>
    private static readonly TimeSpan SetUpAllowance = TimeSpan.FromSeconds(3);

    /// <summary>The new silos' start-up, plus up to a minute for a tick that Orleans reschedules after a missed one.</summary>
    private static readonly TimeSpan DeliveryWindow = TimeSpan.FromSeconds(120);

    private static readonly IReadOnlyDictionary<string, string> SiloSettings = new Dictionary<string, string>
    {
        ["Booking__ReminderMinutesBefore"] = ReminderLead.TotalMinutes.ToString(CultureInfo.InvariantCulture),
    };

    [Fact]
    public Task A_reminder_that_falls_due_while_every_silo_is_down_is_sent_once_by_the_next_silos() => ProcessCluster.RunAsync(async cluster =>
    {
        var clock = Stopwatch.StartNew();
        cluster.StartSilo(SiloSettings);
        var api = await cluster.StartApiAsync(activeSilos: 1);
        output.WriteLine($"silo + Api ready after {clock.Elapsed.TotalSeconds:0.0} s");

        var booking = new BookingApi(api.Http);
        var patient = await booking.RegisterPatientAsync("Reminded Patient");
        var specialty = await booking.CreateSpecialtyAsync();

        // The lead is fixed when the silo starts, so the slot is made to fit it instead: a doctor whose one
        // daily slot starts exactly when the reminder is to fall DueAfterBooking after the booking.
        var slot = DateTimeOffset.UtcNow + ReminderLead + DueAfterBooking + SetUpAllowance;
        slot = new DateTimeOffset(slot.Ticks - slot.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var doctor = await booking.CreateDoctorAsync(specialty, availability: DailySlotAt(slot));
        var listed = await booking.FreeSlotsAsync(doctor.Id, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(1));
        Assert.Equal(slot, Assert.Single(listed));

        var booked = await booking.BookOkAsync(patient, doctor.Id, slot);
        var dueAt = slot - ReminderLead;
        output.WriteLine($"booked {booked.Id} for {slot:O}; reminder due at {dueAt:O}, {(dueAt - DateTimeOffset.UtcNow).TotalSeconds:0.0} s from now "
            + $"({clock.Elapsed.TotalSeconds:0.0} s)");

        // What is to survive the restart: the reminder's row in Redis, outside every silo process.
        using var redis = await ConnectionMultiplexer.ConnectAsync(TestEnvironment.Redis);
        var reminderKey = new RedisKey($"{cluster.ServiceId}/reminders");
        Assert.Single(await RemindersOfAsync(redis, reminderKey, booked.Id));
        Assert.Empty(await RemindersInInboxAsync(booking, patient));

        var unclean = await cluster.StopAllAsync();
        Assert.True(unclean.Count == 0, "SIGTERM should stop every process cleanly: " + string.Join("; ", unclean));
        var stoppedAt = DateTimeOffset.UtcNow;
        Assert.True(stoppedAt < dueAt,
            $"every process stopped at {stoppedAt:O}, after the reminder was due ({dueAt:O}): this machine was too slow for the test to mean anything");
        output.WriteLine($"everything stopped {(dueAt - stoppedAt).TotalSeconds:0.0} s before the reminder was due ({clock.Elapsed.TotalSeconds:0.0} s)");

        var untilDue = dueAt - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(2);
        if (untilDue > TimeSpan.Zero) await Task.Delay(untilDue);
        // Two silos, so that the reminder is picked up by whichever of them comes to own it while they join.
        cluster.StartSilo(SiloSettings);
        cluster.StartSilo(SiloSettings);
        api = await cluster.StartApiAsync(activeSilos: 2);
        booking = new BookingApi(api.Http);
        output.WriteLine($"reminder due with no silo running; 2 new silos + Api ready {(DateTimeOffset.UtcNow - dueAt).TotalSeconds:0.0} s after it "
            + $"({clock.Elapsed.TotalSeconds:0.0} s)");

        var waiting = Stopwatch.StartNew();
        List<JsonNode> reminders = [];
        while (reminders.Count == 0 && waiting.Elapsed < DeliveryWindow)
        {
            await Task.Delay(1000);
            reminders = await RemindersInInboxAsync(booking, patient);
        }
        Assert.True(reminders.Count > 0, $"no reminder in the inbox {DeliveryWindow.TotalSeconds:0} s after the new silos were ready "
            + $"({(DateTimeOffset.UtcNow - dueAt).TotalSeconds:0} s after it was due)");
        output.WriteLine($"reminder in the inbox {(DateTimeOffset.UtcNow - dueAt).TotalSeconds:0.0} s after it was due ({clock.Elapsed.TotalSeconds:0.0} s)");

        var reminder = Assert.Single(reminders);
        Assert.Equal(booked.Id, reminder["subjectId"]!.GetValue<Guid>());
        Assert.Equal(patient.Id, reminder["userId"]!.GetValue<Guid>());
        Assert.Contains(booked.Body["doctorName"]!.GetValue<string>(), reminder["body"]!.GetValue<string>());

        // Sent once: the reminder unregisters itself after it fires, so no later tick can send it again.
        var unregistered = Stopwatch.StartNew();
        while ((await RemindersOfAsync(redis, reminderKey, booked.Id)).Length > 0)
        {
            Assert.True(unregistered.Elapsed < TimeSpan.FromSeconds(15), "the reminder is still registered 15 s after it was delivered");
            await Task.Delay(500);
        }
        Assert.Single(await RemindersInInboxAsync(booking, patient));
        var appointment = await booking.GetJsonAsync($"/api/appointments/{booked.Id}", patient);
        Assert.Equal("booked", appointment["status"]!.GetValue<string>());
        output.WriteLine($"done after {clock.Elapsed.TotalSeconds:0.0} s");
    });

    /// <summary>Every day, one 30-minute slot starting at <paramref name="slot"/>'s time of day.</summary>
    private static JsonObject DailySlotAt(DateTimeOffset slot)
    {
        // The slot must end before midnight in the doctor's zone; late in the UTC day, Tokyo's morning is used.
        var (zone, local) = slot.UtcDateTime.TimeOfDay < TimeSpan.FromHours(23)
            ? ("UTC", slot.UtcDateTime)
            : ("Asia/Tokyo", slot.UtcDateTime.AddHours(9));
        var start = TimeOnly.FromDateTime(local);
        return new JsonObject
        {
            ["timeZone"] = zone,
            ["days"] = new JsonArray("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
            ["startTime"] = start.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
            ["endTime"] = start.AddMinutes(30).ToString("HH:mm:ss", CultureInfo.InvariantCulture),
            ["slotMinutes"] = 30,
        };
    }

    /// <summary>The Redis reminder table's entries for one appointment grain.</summary>
    private static async Task<RedisValue[]> RemindersOfAsync(IConnectionMultiplexer redis, RedisKey key, Guid appointmentId) =>
        (await redis.GetDatabase().SortedSetRangeByRankAsync(key))
            .Where(e => e.ToString().Contains($"appointment/{appointmentId:N}", StringComparison.Ordinal)).ToArray();

    /// <summary>The appointment reminders in the patient's inbox; none while the cluster cannot answer yet.</summary>
    private static async Task<List<JsonNode>> RemindersInInboxAsync(BookingApi booking, Actor patient)
    {
        HttpResponseMessage response;
        try { response = await booking.SendAsync(HttpMethod.Get, "/api/notifications", patient); }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return []; }
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.ServiceUnavailable) return [];
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /api/notifications: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["items"]!.AsArray()
            .Where(n => n!["kind"]!.GetValue<string>() == "appointment.reminder").Select(n => n!).ToList();
    }
}
