using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Booking;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace HealthActors.Tests.Booking;

/// <summary>
/// Booking:ReminderMinutesBefore chosen so that the reminder of <see cref="ReminderSlot"/> falls
/// <see cref="FireAfter"/> after the first booking. The lead cannot be fixed when the host starts (the slot
/// is not known yet, and set-up takes a variable time), so it is computed when the options are first
/// read, which is the first booking's appointment grain; <see cref="LeadFixedAt"/> lets the test check that.
/// </summary>
public sealed class SoonReminderApiFactory : ApiFactory
{
    public static readonly TimeSpan FireAfter = TimeSpan.FromSeconds(8);
    public DateTimeOffset? ReminderSlot { get; set; }
    public DateTimeOffset? LeadFixedAt { get; private set; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.PostConfigure<BookingOptions>(o =>
        {
            if (ReminderSlot is not { } slot) return;
            LeadFixedAt = DateTimeOffset.UtcNow;
            o.ReminderMinutesBefore = (slot - (LeadFixedAt.Value + FireAfter)).TotalMinutes;
        }));
    }
}

/// <summary>A lead of two weeks, longer than the time to the slot the test books, so its reminder moment has passed at booking.</summary>
public sealed class LateReminderApiFactory : ApiFactory
{
    protected override IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Booking:ReminderMinutesBefore"] = TimeSpan.FromDays(14).TotalMinutes.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

public sealed class ReminderTests(SoonReminderApiFactory factory) : IClassFixture<SoonReminderApiFactory>
{
    private readonly BookingApi _api = new(factory);

    [Fact]
    public async Task The_reminder_reaches_the_inbox_and_the_connected_hub()
    {
        var doctor = await _api.CreateDoctorAsync();
        var patient = await _api.RegisterPatientAsync();
        await using var hub = await _api.ConnectHubAsync("/hubs/notifications", await patient.TokenAsync());
        var pushed = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.On<JsonElement>("notification", n =>
        {
            if (n.GetProperty("kind").GetString() == "appointment.reminder") pushed.TrySetResult(n);
        });
        var slot = await _api.FreeSlotAsync(doctor.Id, TimeSpan.FromMinutes(5));
        factory.ReminderSlot = slot;

        var bookingStarted = DateTimeOffset.UtcNow;
        var booked = await _api.BookOkAsync(patient, doctor.Id, slot);
        Assert.True(factory.LeadFixedAt >= bookingStarted, "the booking options were read before the booking; the reminder lead is not the intended one");
        var grainId = factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IAppointmentGrain>(booked.Id).GetGrainId();
        Assert.NotEmpty((await factory.Services.GetRequiredService<IReminderTable>().ReadRows(grainId)).Reminders);

        // Reminders may tick up to about a minute late; the deadline allows for that and no more.
        var clock = Stopwatch.StartNew();
        JsonNode? reminder = null;
        while (reminder is null && clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            await Task.Delay(500);
            var inbox = await _api.GetJsonAsync("/api/notifications", patient);
            reminder = inbox["items"]!.AsArray().FirstOrDefault(n => n!["kind"]!.GetValue<string>() == "appointment.reminder");
        }
        Assert.True(reminder is not null, "no reminder in the inbox after 90 s");
        Assert.Equal(booked.Id, reminder!["subjectId"]!.GetValue<Guid>());
        Assert.Equal(patient.Id, reminder["userId"]!.GetValue<Guid>());
        Assert.Contains(booked.Body["doctorName"]!.GetValue<string>(), reminder["body"]!.GetValue<string>());

        var event_ = await pushed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(reminder["id"]!.GetValue<Guid>(), event_.GetProperty("id").GetGuid());
        Assert.Equal(booked.Id, event_.GetProperty("subjectId").GetGuid());

        // Sent once: the reminder is unregistered after it fires.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var all = (await _api.GetJsonAsync("/api/notifications", patient))["items"]!.AsArray();
        Assert.Single(all, n => n!["kind"]!.GetValue<string>() == "appointment.reminder");
        var appointment = await _api.GetJsonAsync($"/api/appointments/{booked.Id}", patient);
        Assert.Equal("booked", appointment["status"]!.GetValue<string>());
    }
}

public sealed class LateReminderTests(LateReminderApiFactory factory) : IClassFixture<LateReminderApiFactory>
{
    private readonly BookingApi _api = new(factory);

    [Fact]
    public async Task A_reminder_whose_moment_has_passed_at_booking_is_never_sent()
    {
        var doctor = await _api.CreateDoctorAsync();
        var patient = await _api.RegisterPatientAsync();
        await using var hub = await _api.ConnectHubAsync("/hubs/notifications", await patient.TokenAsync());
        var pushed = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.On<JsonElement>("notification", n => pushed.TrySetResult(n));

        var booked = await _api.BookOkAsync(patient, doctor.Id, await _api.FreeSlotAsync(doctor.Id, TimeSpan.FromMinutes(5)));

        // Nothing was even scheduled, so a short wait is enough to see that nothing arrives.
        var reminders = factory.Services.GetRequiredService<IReminderTable>();
        var grainId = factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IAppointmentGrain>(booked.Id).GetGrainId();
        Assert.Empty((await reminders.ReadRows(grainId)).Reminders);
        var arrived = await Task.WhenAny(pushed.Task, Task.Delay(TimeSpan.FromSeconds(5)));
        Assert.NotSame(pushed.Task, arrived);
        var inbox = await _api.GetJsonAsync("/api/notifications", patient);
        Assert.Empty(inbox["items"]!.AsArray());
    }
}
