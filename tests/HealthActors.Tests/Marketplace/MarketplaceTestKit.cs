using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Marketplace;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace HealthActors.Tests.Marketplace;

/// <summary>
/// The Api for marketplace tests. Short minimum opening time so a deadline can be watched passing;
/// the grace is chosen per fixture.
/// </summary>
public class MarketApiFactory : ApiFactory
{
    protected virtual double GraceMinutes => 30;

    protected override IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        // Setup signs up dozens of accounts on two shared cores; the password hash cost is not under test here.
        ["Identity:PasswordIterations"] = "1000",
        ["Marketplace:MinOpenSeconds"] = "2",
        ["Marketplace:GraceMinutes"] = GraceMinutes.ToString(CultureInfo.InvariantCulture),
    };

    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();
}

/// <summary>A grace short enough to watch an auction expire inside a test's time budget.</summary>
public sealed class ShortGraceApiFactory : MarketApiFactory
{
    public const double Grace = 0.25;
    protected override double GraceMinutes => Grace;
}

public static class MarketplaceHubClient
{
    public static readonly string[] EventNames =
    [
        AuctionEventTypes.BidPlaced, AuctionEventTypes.BidReplaced, AuctionEventTypes.BidWithdrawn,
        AuctionEventTypes.AuctionExtended, AuctionEventTypes.AuctionClosed, AuctionEventTypes.AuctionExpired,
    ];

    /// <summary>What a WatchAuctionBatched connection receives: an array of events in sequence order.</summary>
    public const string BatchEvent = "AuctionEvents";

    /// <summary>A real SignalR client over WebSockets to /hubs/marketplace, with the token in the query string as browsers send it.</summary>
    public static Task<HubConnection> ConnectMarketplaceAsync(this WebApplicationFactory<Program> factory, string? accessToken,
        HubWireProtocol protocol = HubWireProtocol.Json) =>
        factory.ConnectHubAsync("/hubs/marketplace", accessToken, protocol);
}

/// <summary>
/// One watcher's connection and every event pushed to it, with the SignalR method it came as (for a batched watch,
/// <c>AuctionEvents</c>, and the index of the message that carried it).
/// </summary>
public sealed class AuctionWatcher : IAsyncDisposable
{
    private readonly ConcurrentQueue<(string Method, AuctionEvent Event, long Ticks, int Message)> _received = new();
    private int _messages;

    public HubConnection Hub { get; }
    public string Name { get; }

    private AuctionWatcher(HubConnection hub, string name)
    {
        Hub = hub;
        Name = name;
        foreach (var method in MarketplaceHubClient.EventNames)
            hub.On<AuctionEvent>(method, e => _received.Enqueue((method, e, Stopwatch.GetTimestamp(), Interlocked.Increment(ref _messages))));
        hub.On<AuctionEvent[]>(MarketplaceHubClient.BatchEvent, events =>
        {
            var message = Interlocked.Increment(ref _messages);
            var at = Stopwatch.GetTimestamp();
            foreach (var e in events) _received.Enqueue((MarketplaceHubClient.BatchEvent, e, at, message));
        });
    }

    /// <summary>Connects and subscribes to the event methods before anything is watched, so nothing pushed is missed.</summary>
    public static async Task<AuctionWatcher> ConnectAsync(WebApplicationFactory<Program> factory, string token, string name,
        HubWireProtocol protocol = HubWireProtocol.Json) =>
        new(await factory.ConnectMarketplaceAsync(token, protocol), name);

    /// <summary>The same over a real network connection to an Api process.</summary>
    public static async Task<AuctionWatcher> ConnectAsync(Uri apiBase, string token, string name)
    {
        // Built, not started: the event handlers must be in place before the connection can receive anything.
        var hub = HubClients.Build(new Uri(apiBase, "/hubs/marketplace"), () => token);
        var watcher = new AuctionWatcher(hub, name);
        await hub.StartAsync();
        return watcher;
    }

    public Task<long> WatchAsync(Guid auctionId) => Hub.InvokeAsync<long>("WatchAuction", auctionId);
    public Task<long> WatchBatchedAsync(Guid auctionId) => Hub.InvokeAsync<long>("WatchAuctionBatched", auctionId);
    public Task<long> WatchAsync(Guid auctionId, bool batched) => batched ? WatchBatchedAsync(auctionId) : WatchAsync(auctionId);
    public Task UnwatchAsync(Guid auctionId) => Hub.InvokeAsync("UnwatchAuction", auctionId);

    public IReadOnlyList<(string Method, AuctionEvent Event, long Ticks, int Message)> Received => _received.ToArray();
    public IReadOnlyList<long> Seqs => _received.Select(r => r.Event.Seq).ToList();
    /// <summary>How many SignalR messages brought the events.</summary>
    public int Messages => Volatile.Read(ref _messages);

    public Task WaitForCountAsync(int count, TimeSpan timeout) =>
        Poll.Until(() => Task.FromResult(_received.Count >= count), timeout, () => $"{Name} received {_received.Count} of {count} events");

    public ValueTask DisposeAsync() => Hub.DisposeAsync();
}

/// <summary>Thin helpers over the marketplace endpoints.</summary>
public sealed class MarketApi(HttpClient http)
{
    public HttpClient Http => http;

    public static object Card() => new { cardNumber = "4242424242424242", expMonth = 12, expYear = DateTime.UtcNow.Year + 3, cvc = "123", holderName = "Ana García" };

    public async Task<(HttpStatusCode Status, JsonNode? Body)> Call(HttpMethod method, string url, string token, object? body = null, string? idempotencyKey = null)
    {
        var request = ApiClientExtensions.Authed(method, url, token, body);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        var r = await http.SendAsync(request);
        var text = await r.Content.ReadAsStringAsync();
        return (r.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    public async Task<JsonNode> Expect(HttpStatusCode expected, HttpMethod method, string url, string token, object? body = null, string? idempotencyKey = null)
    {
        var (status, json) = await Call(method, url, token, body, idempotencyKey);
        Assert.True(expected == status, $"{method} {url}: expected {(int)expected}, got {(int)status}: {json?.ToJsonString()}");
        return json ?? new JsonObject();
    }

    public ApiDriver Driver { get; } = new(http);

    public Task<Guid> CreateAuction(string patientToken, Guid specialtyId, DateTimeOffset windowFrom, DateTimeOffset windowTo, DateTimeOffset closesAt, decimal maxPrice = 500) =>
        Driver.CreateAuctionAsync(patientToken, specialtyId, windowFrom, windowTo, closesAt, maxPrice);

    public Task<Guid> Bid(Guid auctionId, string doctorToken, decimal price, DateTimeOffset slot) => Driver.BidAsync(doctorToken, auctionId, price, slot);

    public Task<JsonNode> Get(Guid auctionId, string token) => Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/auctions/{auctionId}", token);

    public async Task<JsonArray> Events(Guid auctionId, string token, long afterSeq = 0) =>
        (await Expect(HttpStatusCode.OK, HttpMethod.Get, $"/api/auctions/{auctionId}/events?afterSeq={afterSeq}&limit=1000", token)).AsArray();

    public async Task<bool> SlotIsFree(Guid doctorId, DateTimeOffset slot)
    {
        var url = $"/api/doctors/{doctorId}/slots?from={Uri.EscapeDataString(slot.AddHours(-1).ToString("O"))}&to={Uri.EscapeDataString(slot.AddHours(1).ToString("O"))}";
        var slots = JsonNode.Parse(await http.GetStringAsync(url))!["slots"]!.AsArray();
        return slots.Any(s => s!["start"]!.GetValue<DateTimeOffset>() == slot);
    }

    /// <summary>Creates <paramref name="count"/> doctors through the admin endpoint a few at a time (as an operator's script would).</summary>
    public async Task<List<TestUser>> Doctors(string adminToken, Guid specialtyId, int count, int parallelism = 4)
    {
        var doctors = new TestUser?[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            async (i, _) => doctors[i] = await MarketplaceFlowTests.Doctor(http, adminToken, specialtyId));
        return doctors.Select(d => d!).ToList();
    }
}

/// <summary>What PostgreSQL recorded, read directly rather than through the grains.</summary>
public static class MarketDb
{
    private static readonly Lazy<NpgsqlDataSource> Source = new(() => NpgsqlDataSource.Create(TestEnvironment.Postgres));

    public static async Task<long> Scalar(string sql, params object[] args)
    {
        await using var cmd = Source.Value.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.AddWithValue(a);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public static async Task<List<(long Seq, string Type, JsonDocument Payload)>> Events(Guid auctionId)
    {
        await using var cmd = Source.Value.CreateCommand("SELECT seq, type, payload FROM auction_events WHERE auction_id = $1 ORDER BY seq");
        cmd.Parameters.AddWithValue(auctionId);
        var list = new List<(long, string, JsonDocument)>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add((r.GetInt64(0), r.GetString(1), JsonDocument.Parse((byte[])r[2])));
        return list;
    }

    public static async Task<Dictionary<Guid, (Guid DoctorId, decimal Price)>> Bids(Guid auctionId)
    {
        await using var cmd = Source.Value.CreateCommand("SELECT id, doctor_id, price FROM auction_bids WHERE auction_id = $1");
        cmd.Parameters.AddWithValue(auctionId);
        var bids = new Dictionary<Guid, (Guid, decimal)>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) bids[r.GetGuid(0)] = (r.GetGuid(1), r.GetDecimal(2));
        return bids;
    }
}
