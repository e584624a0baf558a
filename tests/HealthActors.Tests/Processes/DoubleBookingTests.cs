using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Tests.Booking;
using Xunit.Abstractions;

namespace HealthActors.Tests.Processes;

[Collection(ProcessCollection.Name)]
public sealed class DoubleBookingTests(ITestOutputHelper output)
{
    private const int Racers = 30;

    /// <summary>The Api re-reads the gateway list every 5 s (OrleansHosting); Orleans' default would be a minute.</summary>
    private static readonly TimeSpan GatewayDiscovery = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The survivor declares the dead silo dead after about 6 s (SiloHosting.QuickFailureDetection; ScaleOutTests measured
    /// 3.5 s); a loaded machine stretches the probe timeout, and this leaves it several times that.
    /// </summary>
    private static readonly TimeSpan RecoveryWindow = TimeSpan.FromSeconds(40);

    [Fact]
    public Task A_doctor_cannot_be_double_booked_across_silos_and_the_booking_survives_killing_the_doctors_silo() => ProcessCluster.RunAsync(async cluster =>
    {
        var clock = Stopwatch.StartNew();
        var first = cluster.StartSilo();
        var second = cluster.StartSilo();
        await cluster.StartApiAsync(activeSilos: 2);
        await cluster.StartAnotherApiAsync(activeSilos: 2);
        // Both Apis must be able to fail over to either silo once one is killed.
        foreach (var api in cluster.Apis) await cluster.WaitUntilApiKnowsGatewaysAsync([first, second], GatewayDiscovery, api);
        output.WriteLine($"2 silos + 2 Apis ready after {clock.Elapsed.TotalSeconds:0.0} s");

        var through = cluster.Apis.Select(a => new BookingApi(a.Http)).ToArray();
        var doctor = await through[0].CreateDoctorAsync();
        var registered = await Task.WhenAll(through.Select(b => b.RegisterPatientsAsync(Racers / through.Length, parallelism: 2)));
        var patients = registered.SelectMany(p => p).ToList();
        var slot = await through[1].FreeSlotAsync(doctor.Id);
        output.WriteLine($"doctor and {patients.Count} patients created, racing for {slot:O} after {clock.Elapsed.TotalSeconds:0.0} s");

        // Every request is built first, so that all of them are in flight together; alternate ones enter through
        // the other Api, so the doctor grain is the only place where they can meet.
        var race = new List<(Actor Patient, int Api, HttpRequestMessage Request)>();
        for (var i = 0; i < patients.Count; i++)
            race.Add((patients[i], i % through.Length,
                BookingApi.BookingRequest(await patients[i].TokenAsync(), BookingApi.BookingBody(doctor.Id, slot), Guid.NewGuid().ToString())));
        var responses = await Task.WhenAll(race.Select(r => through[r.Api].Http.SendAsync(r.Request)));

        var statuses = responses.GroupBy(r => r.StatusCode).ToDictionary(g => g.Key, g => g.Count());
        var summary = string.Join(", ", statuses.Select(s => $"{(int)s.Key} x {s.Value}"));
        output.WriteLine($"race answered {summary} after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.Created) == 1 && statuses.GetValueOrDefault(HttpStatusCode.Conflict) == Racers - 1,
            "statuses: " + summary);
        var winnerIndex = Array.FindIndex(responses, r => r.StatusCode == HttpStatusCode.Created);
        var winner = race[winnerIndex].Patient;
        var appointment = JsonNode.Parse(await responses[winnerIndex].Content.ReadAsStringAsync())!;
        var appointmentId = appointment["id"]!.GetValue<Guid>();
        Assert.Equal(winner.Id, appointment["patientId"]!.GetValue<Guid>());
        foreach (var loser in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
            Assert.Equal("SlotTaken", (await loser.ProblemAsync(HttpStatusCode.Conflict))["reason"]!.GetValue<string>());

        var payers = patients.Select(p => p.Id).ToArray();
        await AssertOneBookingAndOneChargeAsync(doctor.Id, slot, appointmentId, payers);

        var hosts = await cluster.GrainHostsAsync<IDoctorGrain>([doctor.Id]);
        var victim = hosts[doctor.Id] ?? throw new InvalidOperationException("The doctor grain is not active on any silo right after the race.");
        var survivor = victim == first ? second : first;
        var appointmentHost = (await cluster.GrainHostsAsync<IAppointmentGrain>([appointmentId]))[appointmentId];
        output.WriteLine($"winner entered through api {race[winnerIndex].Api + 1}; doctor grain on silo-{victim.Number}, "
            + $"appointment grain on {(appointmentHost is null ? "none" : $"silo-{appointmentHost.Number}")}: killing silo-{victim.Number} "
            + $"({clock.Elapsed.TotalSeconds:0.0} s)");
        await cluster.KillSiloAsync(victim);
        var sinceKill = Stopwatch.StartNew();

        // Two losers try again, one through each Api, each with a key of its own kept across retries as a client would.
        var losers = patients.Where(p => p != winner).Take(through.Length).ToList();
        var checks = new List<Check>();
        for (var i = 0; i < through.Length; i++)
        {
            var api = through[i];
            var loser = losers[i];
            var key = Guid.NewGuid().ToString();
            checks.Add(new Check($"rebook via api {i + 1}",
                async () => await api.Http.SendAsync(BookingApi.BookingRequest(await loser.TokenAsync(), BookingApi.BookingBody(doctor.Id, slot), key)),
                async r => Assert.Equal("SlotTaken", (await r.ProblemAsync(HttpStatusCode.Conflict))["reason"]!.GetValue<string>())));
            checks.Add(new Check($"slots via api {i + 1}",
                () => api.Http.GetAsync($"/api/doctors/{doctor.Id}/slots?from={Uri.EscapeDataString(slot.AddMinutes(-1).ToString("O"))}"
                    + $"&to={Uri.EscapeDataString(slot.AddDays(1).ToString("O"))}"),
                async r =>
                {
                    var body = await r.Content.ReadAsStringAsync();
                    Assert.True(r.StatusCode == HttpStatusCode.OK, $"{(int)r.StatusCode} {body}");
                    var free = JsonNode.Parse(body)!["slots"]!.AsArray().Select(s => s!["start"]!.GetValue<DateTimeOffset>()).ToList();
                    // A day of an every-day doctor: a real answer lists the other slots, so an empty list proves nothing.
                    Assert.True(free.Count > 0, "no free slot at all in a day of an every-day doctor: " + body);
                    Assert.DoesNotContain(slot, free);
                }));
            checks.Add(new Check($"winner's appointment via api {i + 1}",
                async () => await api.Http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/appointments/{appointmentId}", await winner.TokenAsync())),
                async r =>
                {
                    var body = await r.Content.ReadAsStringAsync();
                    Assert.True(r.StatusCode == HttpStatusCode.OK, $"{(int)r.StatusCode} {body}");
                    var read = JsonNode.Parse(body)!;
                    Assert.Equal("booked", read["status"]!.GetValue<string>());
                    Assert.Equal(slot, read["start"]!.GetValue<DateTimeOffset>());
                }));
        }
        await SettleAsync(checks, sinceKill);
        output.WriteLine($"every check answered as before the kill {sinceKill.Elapsed.TotalSeconds:0.0} s after it");

        // The retries were turned away at the hold: nobody was charged or refunded, nothing was written.
        await AssertOneBookingAndOneChargeAsync(doctor.Id, slot, appointmentId, payers);
        Assert.Equal(survivor, (await cluster.GrainHostsAsync<IDoctorGrain>([doctor.Id]))[doctor.Id]);
        await cluster.WaitForActiveSilosAsync(1, RecoveryWindow - sinceKill.Elapsed + TimeSpan.FromSeconds(5));
        output.WriteLine($"done after {clock.Elapsed.TotalSeconds:0.0} s");
    });

    private static async Task AssertOneBookingAndOneChargeAsync(Guid doctorId, DateTimeOffset slot, Guid appointmentId, Guid[] payers)
    {
        Assert.Equal(1, await BookingDb.CountAsync(
            "SELECT count(*) FROM appointments WHERE doctor_id = $1 AND status <> 'cancelled'", doctorId));
        Assert.Equal(1, await BookingDb.CountAsync(
            "SELECT count(*) FROM appointments WHERE id = $1 AND doctor_id = $2 AND lower(during) = $3 AND status = 'booked'",
            appointmentId, doctorId, slot.UtcDateTime));
        Assert.Equal(1, await BookingDb.CountAsync(
            "SELECT count(*) FROM payment_ledger WHERE payer_id = ANY($1) AND event = 'captured'", payers));
        Assert.Equal(0, await BookingDb.CountAsync(
            "SELECT count(*) FROM payment_ledger WHERE payer_id = ANY($1) AND event <> 'captured'", payers));
    }

    /// <summary>A request repeated until the cluster answers it, and what that answer must be.</summary>
    private sealed record Check(string Name, Func<Task<HttpResponseMessage>> Send, Func<HttpResponseMessage, Task> Verify);

    /// <summary>
    /// Repeats the checks until each has an answer other than "unavailable": 503 (or no answer) is allowed
    /// while the dead silo is not yet declared dead, any other answer must be the right one at once.
    /// </summary>
    private async Task SettleAsync(List<Check> checks, Stopwatch sinceKill)
    {
        var pending = checks;
        var last = new List<string>();
        while (pending.Count > 0 && sinceKill.Elapsed < RecoveryWindow)
        {
            var answers = await Task.WhenAll(pending.Select(async c =>
            {
                try { return (Check: c, Response: (HttpResponseMessage?)await c.Send(), Failure: (string?)null); }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return (Check: c, Response: null, Failure: e.GetType().Name); }
            }));
            foreach (var (check, response, _) in answers.Where(a => a.Response is { StatusCode: not HttpStatusCode.ServiceUnavailable }))
            {
                try { await check.Verify(response!); }
                catch (Exception e) { throw new InvalidOperationException($"{check.Name}, {sinceKill.Elapsed.TotalSeconds:0.0} s after the kill: {e.Message}", e); }
            }
            var unanswered = answers.Where(a => a.Response is null or { StatusCode: HttpStatusCode.ServiceUnavailable }).ToList();
            last = unanswered.Select(a => $"{a.Check.Name}: {a.Failure ?? "503"}").ToList();
            pending = unanswered.Select(a => a.Check).ToList();
            output.WriteLine($"{sinceKill.Elapsed.TotalSeconds,5:0.0} s after the kill: {pending.Count} of {checks.Count} unanswered"
                + (pending.Count > 0 ? $" ({string.Join("; ", last)})" : ""));
            if (pending.Count > 0) await Task.Delay(1000);
        }
        Assert.True(pending.Count == 0, $"still unanswered {RecoveryWindow.TotalSeconds:0} s after the kill:\n" + string.Join("\n", last));
    }
}
