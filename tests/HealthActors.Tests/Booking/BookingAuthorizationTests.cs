using System.Net;
using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Notifications;
using Microsoft.Extensions.DependencyInjection;

namespace HealthActors.Tests.Booking;

/// <summary>
/// Who may call each booking, catalog, payment and notification endpoint. "owner" is the patient whose
/// appointment, payment or notification the URL names; "doctor" is that appointment's doctor.
/// </summary>
[Collection(BookingCollection.Name)]
public sealed class BookingAuthorizationTests(BookingApiFactory factory) : IAsyncLifetime
{
    private readonly BookingApi _api = new(factory);
    private Cast _cast = null!;

    private sealed record Cast(Actor Owner, Actor Other, Doctor Doctor, Actor Admin);

    public async Task InitializeAsync() =>
        _cast = await factory.SharedAsync(nameof(BookingAuthorizationTests), async () => new Cast(
            await _api.RegisterPatientAsync("Owner"), await _api.RegisterPatientAsync("Other"), await _api.CreateDoctorAsync(), await _api.AdminAsync()));

    public Task DisposeAsync() => Task.CompletedTask;

    public static TheoryData<string, string, string, int> Matrix => new()
    {
        { "POST", "/api/admin/specialties", "anonymous", 401 },
        { "POST", "/api/admin/specialties", "owner", 403 },
        { "POST", "/api/admin/specialties", "other", 403 },
        { "POST", "/api/admin/specialties", "doctor", 403 },
        { "POST", "/api/admin/specialties", "admin", 201 },

        { "POST", "/api/admin/doctors", "anonymous", 401 },
        { "POST", "/api/admin/doctors", "owner", 403 },
        { "POST", "/api/admin/doctors", "other", 403 },
        { "POST", "/api/admin/doctors", "doctor", 403 },
        { "POST", "/api/admin/doctors", "admin", 201 },

        { "GET", "/api/specialties", "anonymous", 200 },
        { "GET", "/api/specialties", "owner", 200 },
        { "GET", "/api/specialties", "other", 200 },
        { "GET", "/api/specialties", "doctor", 200 },
        { "GET", "/api/specialties", "admin", 200 },

        { "GET", "/api/doctors", "anonymous", 200 },
        { "GET", "/api/doctors", "owner", 200 },
        { "GET", "/api/doctors", "other", 200 },
        { "GET", "/api/doctors", "doctor", 200 },
        { "GET", "/api/doctors", "admin", 200 },

        { "GET", "/api/doctors/{doctor}", "anonymous", 200 },
        { "GET", "/api/doctors/{doctor}", "owner", 200 },
        { "GET", "/api/doctors/{doctor}", "other", 200 },
        { "GET", "/api/doctors/{doctor}", "doctor", 200 },
        { "GET", "/api/doctors/{doctor}", "admin", 200 },

        { "GET", "/api/doctors/{doctor}/slots", "anonymous", 200 },
        { "GET", "/api/doctors/{doctor}/slots", "owner", 200 },
        { "GET", "/api/doctors/{doctor}/slots", "other", 200 },
        { "GET", "/api/doctors/{doctor}/slots", "doctor", 200 },
        { "GET", "/api/doctors/{doctor}/slots", "admin", 200 },

        { "POST", "/api/appointments", "anonymous", 401 },
        { "POST", "/api/appointments", "owner", 201 },
        { "POST", "/api/appointments", "other", 201 },
        { "POST", "/api/appointments", "doctor", 403 },
        { "POST", "/api/appointments", "admin", 403 },

        { "GET", "/api/appointments", "anonymous", 401 },
        { "GET", "/api/appointments", "owner", 200 },
        { "GET", "/api/appointments", "other", 200 },
        { "GET", "/api/appointments", "doctor", 200 },
        { "GET", "/api/appointments", "admin", 200 },

        { "GET", "/api/appointments/{appointment}", "anonymous", 401 },
        { "GET", "/api/appointments/{appointment}", "owner", 200 },
        { "GET", "/api/appointments/{appointment}", "other", 404 },
        { "GET", "/api/appointments/{appointment}", "doctor", 200 },
        { "GET", "/api/appointments/{appointment}", "admin", 200 },

        { "POST", "/api/appointments/{appointment}/cancel", "anonymous", 401 },
        { "POST", "/api/appointments/{appointment}/cancel", "owner", 200 },
        { "POST", "/api/appointments/{appointment}/cancel", "other", 404 },
        { "POST", "/api/appointments/{appointment}/cancel", "doctor", 404 },
        { "POST", "/api/appointments/{appointment}/cancel", "admin", 200 },

        { "POST", "/api/appointments/{appointment}/complete", "anonymous", 401 },
        { "POST", "/api/appointments/{appointment}/complete", "owner", 403 },
        { "POST", "/api/appointments/{appointment}/complete", "other", 403 },
        // The doctor is let through to the rule, which refuses to complete an appointment that has not started.
        { "POST", "/api/appointments/{appointment}/complete", "doctor", 409 },
        { "POST", "/api/appointments/{appointment}/complete", "admin", 403 },

        // The doctor is allowed in, and then told it is too early: the appointment has not started.
        { "POST", "/api/appointments/{appointment}/no-show", "anonymous", 401 },
        { "POST", "/api/appointments/{appointment}/no-show", "owner", 403 },
        { "POST", "/api/appointments/{appointment}/no-show", "other", 403 },
        { "POST", "/api/appointments/{appointment}/no-show", "doctor", 409 },
        { "POST", "/api/appointments/{appointment}/no-show", "admin", 403 },

        { "GET", "/api/doctors/me/appointments", "anonymous", 401 },
        { "GET", "/api/doctors/me/appointments", "owner", 403 },
        { "GET", "/api/doctors/me/appointments", "other", 403 },
        { "GET", "/api/doctors/me/appointments", "doctor", 200 },
        { "GET", "/api/doctors/me/appointments", "admin", 403 },

        { "GET", "/api/payments/{payment}", "anonymous", 401 },
        { "GET", "/api/payments/{payment}", "owner", 200 },
        { "GET", "/api/payments/{payment}", "other", 404 },
        { "GET", "/api/payments/{payment}", "doctor", 404 },
        { "GET", "/api/payments/{payment}", "admin", 200 },

        { "GET", "/api/notifications", "anonymous", 401 },
        { "GET", "/api/notifications", "owner", 200 },
        { "GET", "/api/notifications", "other", 200 },
        { "GET", "/api/notifications", "doctor", 200 },
        { "GET", "/api/notifications", "admin", 200 },

        { "POST", "/api/notifications/{notification}/read", "anonymous", 401 },
        { "POST", "/api/notifications/{notification}/read", "owner", 204 },
        { "POST", "/api/notifications/{notification}/read", "other", 404 },
        { "POST", "/api/notifications/{notification}/read", "doctor", 404 },
        { "POST", "/api/notifications/{notification}/read", "admin", 404 },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Endpoint_answers_each_caller_as_the_matrix_says(string method, string route, string caller, int expected)
    {
        var actor = caller switch
        {
            "anonymous" => null,
            "owner" => _cast.Owner,
            "other" => _cast.Other,
            "doctor" => _cast.Doctor.Account,
            "admin" => _cast.Admin,
            _ => throw new ArgumentOutOfRangeException(nameof(caller), caller, null),
        };
        var url = route.Replace("{doctor}", _cast.Doctor.Id.ToString());
        // Each row gets its own appointment, so a cancel or complete in one row cannot change another's answer.
        if (route.Contains("{appointment}") || route.Contains("{payment}"))
        {
            var booked = await _api.BookOkAsync(_cast.Owner, _cast.Doctor.Id, await _api.FreeSlotAsync(_cast.Doctor.Id));
            url = url.Replace("{appointment}", booked.Id.ToString()).Replace("{payment}", booked.PaymentId.ToString());
        }
        if (route.Contains("{notification}"))
        {
            var inbox = factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IInboxGrain>(_cast.Owner.Id);
            var n = await inbox.Add("test.notice", "A notice", "For the authorization matrix.", null, Guid.NewGuid());
            url = url.Replace("{notification}", n.Id.ToString());
        }

        var token = actor is null ? null : await actor.TokenAsync();
        var request = (method, route) switch
        {
            ("POST", "/api/admin/specialties") => ApiClientExtensions.Authed(HttpMethod.Post, url, token,
                new { name = "Matrix " + Guid.NewGuid().ToString("N")[..10], description = "From the authorization matrix." }),
            ("POST", "/api/admin/doctors") => ApiClientExtensions.RawJson(HttpMethod.Post, url, token, BookingApi.DoctorBody(_cast.Doctor.SpecialtyId).ToJsonString()),
            ("POST", "/api/appointments") => BookingApi.BookingRequest(token,
                BookingApi.BookingBody(_cast.Doctor.Id, await _api.FreeSlotAsync(_cast.Doctor.Id)), Guid.NewGuid().ToString()),
            _ => ApiClientExtensions.Authed(new HttpMethod(method), url, token),
        };

        var response = await _api.Http.SendAsync(request);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expected, $"{method} {route} as {caller}: expected {expected}, got {(int)response.StatusCode} {body}");
        if (expected >= 400)
            await response.ProblemAsync((HttpStatusCode)expected);
        else if (expected != 204)
            Assert.NotNull(JsonNode.Parse(body));
    }

    [Fact]
    public async Task Lists_show_each_caller_only_their_own_rows()
    {
        var booked = await _api.BookOkAsync(_cast.Owner, _cast.Doctor.Id, await _api.FreeSlotAsync(_cast.Doctor.Id));

        var owners = (await _api.GetJsonAsync("/api/appointments?pageSize=100", _cast.Owner)).AsArray();
        Assert.Contains(owners, a => a!["id"]!.GetValue<Guid>() == booked.Id);
        Assert.All(owners, a => Assert.Equal(_cast.Owner.Id, a!["patientId"]!.GetValue<Guid>()));
        var others = (await _api.GetJsonAsync("/api/appointments?pageSize=100", _cast.Other)).AsArray();
        Assert.DoesNotContain(others, a => a!["id"]!.GetValue<Guid>() == booked.Id);
        Assert.All(others, a => Assert.Equal(_cast.Other.Id, a!["patientId"]!.GetValue<Guid>()));
        var doctors = (await _api.GetJsonAsync("/api/doctors/me/appointments?pageSize=100", _cast.Doctor.Account)).AsArray();
        Assert.Contains(doctors, a => a!["id"]!.GetValue<Guid>() == booked.Id);
        Assert.All(doctors, a => Assert.Equal(_cast.Doctor.Id, a!["doctorId"]!.GetValue<Guid>()));

        // An admin's read of someone else's appointment is audited.
        await _api.GetJsonAsync($"/api/appointments/{booked.Id}", _cast.Admin);
        Assert.Equal(1, await BookingDb.CountAsync(
            "SELECT count(*) FROM audit_events WHERE actor_id = $1 AND action = 'appointment.read' AND subject_id = $2 AND detail = $3",
            _cast.Admin.Id, _cast.Owner.Id, booked.Id.ToString()));
    }

    [Fact]
    public async Task The_notification_hub_refuses_anonymous_connections()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => _api.ConnectHubAsync("/hubs/notifications", null));
        await using var hub = await _api.ConnectHubAsync("/hubs/notifications", await _cast.Owner.TokenAsync());
        Assert.Equal(Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected, hub.State);
    }
}
