using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using HealthActors.TestKit;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace HealthActors.FaultBench;

public sealed record Patient(int Index, Guid Id, string Token, Guid Conversation);
public sealed record Doctor(int Index, Guid Id, string Token);

/// <summary>A profile PUT answered 200: patient <see cref="Patient"/>'s write number <see cref="N"/>.</summary>
public sealed record ProfileAck(int Patient, int N, double At);

/// <summary>A write answered 2xx whose row must be in PostgreSQL: a record, a bid, a chat message.</summary>
public sealed record RowAck(string Kind, Guid Id, double At);

/// <summary>A booking answered 201.</summary>
public sealed record BookingAck(Guid Appointment, Guid Payment, Guid Doctor, DateTimeOffset Start, string IdempotencyKey, double At);

/// <summary>Everything the generator was told was done, for the check against PostgreSQL afterwards.</summary>
public sealed class Acknowledged
{
    public ConcurrentQueue<ProfileAck> Profiles { get; } = new();
    public ConcurrentQueue<RowAck> Rows { get; } = new();
    public ConcurrentQueue<BookingAck> Bookings { get; } = new();
}

/// <summary>
/// The bounded traffic mix: each patient loops over profile reads and writes, record writes and reads, bookings with
/// payment, appointment lists and chat turns (offline assistant, over /hubs/chat); each doctor bids on the open
/// auctions in turn and reads them. A pause of a few hundred milliseconds between requests keeps the rate at what
/// a loaded 2-core machine serves without queueing (about 40 requests per second).
/// </summary>
public sealed class Traffic(Balancer balancer, IReadOnlyList<Patient> patients, IReadOnlyList<Doctor> doctors, IReadOnlyList<Guid> auctions,
    DateTimeOffset bookingFrom, Func<int, int, DateTimeOffset> bidSlot)
{
    private static readonly JsonSerializerOptions Json = ApiDriver.Json;
    private int _bookingCounter;

    public Acknowledged Acks { get; } = new();

    /// <summary>Runs every user's loop until <paramref name="stop"/>; requests in flight then finish (bounded by the balancer's timeouts).</summary>
    public Task RunAsync(CancellationToken stop, CancellationToken ct) =>
        Task.WhenAll(patients.Select(p => Task.Run(() => PatientLoop(p, stop, ct), ct))
            .Concat(doctors.Select(d => Task.Run(() => DoctorLoop(d, stop, ct), ct))));

    private async Task PatientLoop(Patient p, CancellationToken stop, CancellationToken ct)
    {
        var random = new Random(1000 + p.Index);
        var writes = 0;
        while (!stop.IsCancellationRequested)
        {
            var roll = random.Next(100);
            writes++;
            if (roll < 25) await Send("profile read", HttpMethod.Get, "/api/patients/me/profile", p.Token, null, null, s => s == HttpStatusCode.OK, ct);
            else if (roll < 45) await PutProfile(p, writes, ct);
            else if (roll < 65) await AddRecord(p, writes, ct);
            else if (roll < 70) await Send("records read", HttpMethod.Get, "/api/patients/me/records/vitals?limit=20", p.Token, null, null, s => s == HttpStatusCode.OK, ct);
            else if (roll < 80) await Book(p, ct);
            else if (roll < 90) await Send("appointments read", HttpMethod.Get, "/api/appointments", p.Token, null, null, s => s == HttpStatusCode.OK, ct);
            else await ChatTurn(p, writes, ct);
            await Pause(random.Next(150, 350), stop);
        }
    }

    private async Task DoctorLoop(Doctor d, CancellationToken stop, CancellationToken ct)
    {
        var random = new Random(2000 + d.Index);
        // Each bid replaces the doctor's standing one at a lower price, which the auction always accepts.
        var price = 9_000m;
        var turn = d.Index;
        while (!stop.IsCancellationRequested)
        {
            var index = turn++ % auctions.Count;
            var auction = auctions[index];
            var slot = bidSlot(index, d.Index);
            var (status, body) = await balancer.SendAsync("bid", node =>
            {
                price -= 1; // a retry bids lower again rather than repeat a price that may already stand
                return Request(node, HttpMethod.Post, $"/api/auctions/{auction}/bids", d.Token, new { price, slotStart = slot }, null);
            }, s => s == HttpStatusCode.Created, ct);
            if (status == HttpStatusCode.Created) Acks.Rows.Enqueue(new RowAck("bid", IdOf(body), balancer.Clock.Now));
            await Pause(random.Next(300, 600), stop);
            if (random.Next(3) == 0)
            {
                await Send("auction read", HttpMethod.Get, $"/api/auctions/{auction}", d.Token, null, null, s => s == HttpStatusCode.OK, ct);
                await Pause(random.Next(300, 600), stop);
            }
        }
    }

    private async Task PutProfile(Patient p, int n, CancellationToken ct)
    {
        var body = new
        {
            firstName = ProfileMarker(p.Index, n), lastName = "Trial", birthDate = "1980-01-01", sex = "female", bloodType = "O+",
        };
        var (status, _) = await Send("profile write", HttpMethod.Put, "/api/patients/me/profile", p.Token, body, null, s => s == HttpStatusCode.OK, ct);
        if (status == HttpStatusCode.OK) Acks.Profiles.Enqueue(new ProfileAck(p.Index, n, balancer.Clock.Now));
    }

    /// <summary>The first name of write <paramref name="n"/> of a patient: found again in the stored grain state bytes.</summary>
    public static string ProfileMarker(int patient, int n) => $"{ProfilePrefix(patient)}{n:000000}";

    public static string ProfilePrefix(int patient) => $"FBP{patient:00}N";

    private async Task AddRecord(Patient p, int n, CancellationToken ct)
    {
        // A value of its own per write: a retry of a stored one is then refused as a duplicate (409), not stored twice.
        var body = new { type = "glucose", value = 4m + (n % 1400) / 100m, unit = "mmol/L", recordedAt = DateTimeOffset.UtcNow.AddMinutes(-1) };
        var (status, answer) = await Send("record write", HttpMethod.Post, "/api/patients/me/records/vitals", p.Token, body, null,
            s => s is HttpStatusCode.Created or HttpStatusCode.Conflict, ct);
        if (status == HttpStatusCode.Created) Acks.Rows.Enqueue(new RowAck("record", IdOf(answer), balancer.Clock.Now));
    }

    private async Task Book(Patient p, CancellationToken ct)
    {
        // Two bookings in a row go for the same slot, so that concurrent patients race for it: one 201, one 409.
        var slotIndex = Interlocked.Increment(ref _bookingCounter) / 2;
        var doctor = doctors[slotIndex % doctors.Count];
        var start = bookingFrom.AddMinutes(30 * (slotIndex / doctors.Count));
        var key = Guid.NewGuid().ToString("N");
        var (status, body) = await Send("booking", HttpMethod.Post, "/api/appointments", p.Token, ApiDriver.BookingBody(doctor.Id, start), key,
            s => s is HttpStatusCode.Created or HttpStatusCode.Conflict, ct);
        if (status != HttpStatusCode.Created) return;
        var appointment = JsonSerializer.Deserialize<Appointment>(body, Json)!;
        Acks.Bookings.Enqueue(new BookingAck(appointment.Id, appointment.PaymentId, doctor.Id, appointment.Start, key, balancer.Clock.Now));
    }

    /// <summary>
    /// One chat turn over /hubs/chat on a connection of its own, to the next node; when the connection or the stream
    /// fails, the same message once more on the other node. Done when the final chunk names both stored messages.
    /// </summary>
    private async Task ChatTurn(Patient p, int n, CancellationToken ct)
    {
        var start = balancer.Clock.Now;
        var node = balancer.NextNode();
        var text = $"Fault run question {p.Index}-{n}: a mild headache since yesterday, what can I do?";
        var label = "";
        var attempts = 0;
        ChatChunk? final = null;
        while (attempts < 2 && final is null)
        {
            if (attempts++ > 0)
            {
                node = (node + 1) % balancer.Nodes.Count;
                await Task.Delay(300, ct);
            }
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(Balancer.AttemptTimeout);
            var hub = HubClients.Build(new Uri(balancer.Nodes[node], "/hubs/chat"), () => p.Token);
            try
            {
                await hub.StartAsync(cts.Token);
                await foreach (var chunk in hub.StreamAsync<ChatChunk>("SendMessage", p.Conversation, text, cts.Token))
                    if (chunk.Final) { final = chunk; break; }
                label = final is null ? "hub-no-final" : "final";
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { label = "timeout"; }
            catch (HubException) { label = "hub-error"; }
            // Whatever else a dying node does to a connection (refused, reset, closed mid-stream) is a failed turn.
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                label = e is HttpRequestException ? "hub-refused" : "hub-closed";
            }
            finally
            {
                try { await hub.DisposeAsync(); } catch (Exception) { /* the node may be gone: nothing to close */ }
            }
        }
        var ok = final is { UserMessageId: not null, AssistantMessageId: not null };
        if (ok)
        {
            Acks.Rows.Enqueue(new RowAck("chat message", final!.UserMessageId!.Value, balancer.Clock.Now));
            Acks.Rows.Enqueue(new RowAck("chat message", final.AssistantMessageId!.Value, balancer.Clock.Now));
        }
        balancer.Record(new RequestRecord("chat turn", start, balancer.Clock.Now, ok ? "final" : label, ok, attempts));
    }

    private Task<(HttpStatusCode Status, string Body)> Send(string operation, HttpMethod method, string path, string token, object? body, string? idempotencyKey,
        Func<HttpStatusCode, bool> ok, CancellationToken ct) =>
        balancer.SendAsync(operation, node => Request(node, method, path, token, body, idempotencyKey), ok, ct);

    private static HttpRequestMessage Request(Uri node, HttpMethod method, string path, string token, object? body, string? idempotencyKey)
    {
        var request = new HttpRequestMessage(method, new Uri(node, path));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        if (body is not null)
            request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), Json))
            {
                Headers = { ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") },
            };
        return request;
    }

    private static Guid IdOf(string body) => JsonNode.Parse(body)?["id"]?.GetValue<Guid>() ?? throw new InvalidOperationException("no id in " + body);

    private static async Task Pause(int milliseconds, CancellationToken stop)
    {
        try { await Task.Delay(milliseconds, stop); }
        catch (OperationCanceledException) { /* the run is over: the loop ends at its next check */ }
    }

    private sealed record ChatChunk(int Index, string Text, bool Final, Guid? UserMessageId, Guid? AssistantMessageId);
}

public static class Culture
{
    public static string F(double value, string format = "0.0") => value.ToString(format, CultureInfo.InvariantCulture);
}
