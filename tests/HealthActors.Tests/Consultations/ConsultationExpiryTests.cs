using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using HealthActors.TestKit;
using HealthActors.Tests.Marketplace;
using Microsoft.AspNetCore.SignalR.Client;

namespace HealthActors.Tests.Consultations;

/// <summary>An expiry short enough to watch one pass inside a test.</summary>
public sealed class ShortExpiryApiFactory : MarketApiFactory
{
    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(4);

    protected override IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>(base.ExtraSettings)
    {
        ["Consultations:UnclaimedExpiry"] = Expiry.ToString("c", CultureInfo.InvariantCulture),
    };
}

/// <summary>A consultation nobody claims expires by its reminder; its patient is told live and in the inbox.</summary>
public sealed class ConsultationExpiryTests(ShortExpiryApiFactory factory) : IClassFixture<ShortExpiryApiFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private async Task<JsonNode> Expect(HttpStatusCode expected, HttpMethod method, string url, string? token, object? body = null)
    {
        var r = await _http.SendAsync(ApiClientExtensions.Authed(method, url, token, body));
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(expected == r.StatusCode, $"{method} {url}: expected {(int)expected}, got {(int)r.StatusCode}: {text}");
        return text.Length > 0 ? JsonNode.Parse(text)! : new JsonObject();
    }

    [Fact]
    public async Task An_unclaimed_consultation_expires_its_patient_is_told_and_a_late_claim_is_refused()
    {
        var admin = (await _http.LoginAdminAsync()).Tokens.AccessToken;
        var specialty = await MarketplaceFlowTests.Specialty(_http, admin, "Expiry-" + Guid.NewGuid().ToString("N")[..8]);
        var doctor = (await MarketplaceFlowTests.Doctor(_http, admin, specialty)).Tokens.AccessToken;
        var patient = (await _http.RegisterAsync(ApiClientExtensions.NewEmail("pat"))).Tokens.AccessToken;
        var pushed = new ConcurrentQueue<JsonElement>();
        await using var hub = await factory.ConnectHubAsync("/hubs/notifications", patient);
        hub.On<JsonElement>("notification", n => pushed.Enqueue(n));

        async Task<Guid> Ask() => (await Expect(HttpStatusCode.Created, HttpMethod.Post, "/api/consultations", patient,
            new { question = "A sore throat for three days.", specialtyId = specialty }))["id"]!.GetValue<Guid>();
        var unclaimed = await Ask();
        var claimed = await Ask();
        await Expect(HttpStatusCode.OK, HttpMethod.Post, $"/api/consultations/{claimed}/claim", doctor);
        var open = await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/consultations/open?pageSize=100", doctor);
        Assert.Contains(open["items"]!.AsArray(), i => i!["id"]!.GetValue<Guid>() == unclaimed);

        // Nobody touches it: the reminder alone must expire it and tell the patient.
        await Poll.Until(() => Task.FromResult(pushed.Any(n => n.GetProperty("kind").GetString() == "consultation.expired")),
            ShortExpiryApiFactory.Expiry + TimeSpan.FromSeconds(20), () => $"no consultation.expired among {pushed.Count} pushes");
        var notice = pushed.Single(n => n.GetProperty("kind").GetString() == "consultation.expired");
        Assert.Equal(unclaimed, notice.GetProperty("subjectId").GetGuid());

        var expired = await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/consultations/{unclaimed}", patient);
        Assert.Equal("expired", expired["status"]!.GetValue<string>());
        Assert.NotNull(expired["closedAt"]);
        Assert.Equal(1, await MarketDb.Scalar("SELECT count(*) FROM consultations WHERE id = $1 AND status = 'expired' AND doctor_id IS NULL", unclaimed));
        var inbox = (await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/notifications", patient))["items"]!.AsArray();
        Assert.Single(inbox, n => n!["kind"]!.GetValue<string>() == "consultation.expired");

        Assert.Equal("ConsultationExpired", (await Expect(HttpStatusCode.Conflict, HttpMethod.Post, $"/api/consultations/{unclaimed}/claim", doctor))["reason"]!.GetValue<string>());
        Assert.Equal("ConsultationExpired", (await Expect(HttpStatusCode.Conflict, HttpMethod.Post, $"/api/consultations/{unclaimed}/messages", patient, new { text = "Anyone?" }))["reason"]!.GetValue<string>());
        Assert.Equal("NotClosed", (await Expect(HttpStatusCode.Conflict, HttpMethod.Post, $"/api/consultations/{unclaimed}/rating", patient, new { rating = 1 }))["reason"]!.GetValue<string>());
        open = await Expect(HttpStatusCode.OK, HttpMethod.Get, "/api/consultations/open?pageSize=100", doctor);
        Assert.DoesNotContain(open["items"]!.AsArray(), i => i!["id"]!.GetValue<Guid>() == unclaimed);

        // The one a doctor took in time is untouched by the deadline that passed meanwhile.
        Assert.Equal("claimed", (await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/consultations/{claimed}", patient))["status"]!.GetValue<string>());
        Assert.Single(pushed, n => n.GetProperty("kind").GetString() == "consultation.expired");
    }
}
