using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using HealthActors.Grains.Booking;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace HealthActors.Tests.Booking;

/// <summary>The Api with every log line captured, shared by the booking test classes of <see cref="BookingCollection"/>.</summary>
public class BookingApiFactory : ApiFactory
{
    public ConcurrentQueue<string> Logs { get; } = new();
    /// <summary>The gateway every booking of this Api charges through; a subclass may register another after it.</summary>
    public RecordingPaymentGateway Payments { get; } = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<object>>> _shared = new();

    /// <summary>Set-up made once per key and shared by every case of a test class (xUnit makes one class instance per case).</summary>
    public async Task<T> SharedAsync<T>(string key, Func<Task<T>> create) =>
        (T)await _shared.GetOrAdd(key, _ => new Lazy<Task<object>>(async () => (await create())!)).Value;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(l => l.AddProvider(new ChatApiFactory.CapturingLoggerProvider(Logs)));
        builder.ConfigureTestServices(services => services.AddSingleton<IPaymentGateway>(Payments));
    }
}

/// <summary>
/// One silo for all the booking classes, run one class after another: on two shared cores the 100-way race
/// and the PBKDF2 registrations would otherwise make every other timing in here unpredictable.
/// </summary>
[CollectionDefinition(Name)]
public sealed class BookingCollection : ICollectionFixture<BookingApiFactory>
{
    public const string Name = "booking";
}

public static class Cards
{
    public const string Visa = TestCards.Visa;
    public const string Declined = TestCards.Declined;
    public const string ProcessorError = TestCards.ProcessorError;
}

/// <summary>A signed-in user whose access token is renewed before it expires (it lives 15 minutes).</summary>
public sealed class Actor(HttpClient http, string email, string password, Tokens tokens)
{
    private Tokens _tokens = tokens;
    private DateTime _issuedAt = DateTime.UtcNow;

    public Guid Id => _tokens.UserId;
    public string Email => email;

    public async Task<string> TokenAsync()
    {
        if (DateTime.UtcNow - _issuedAt > TimeSpan.FromMinutes(10))
        {
            _tokens = await http.LoginAsync(email, password);
            _issuedAt = DateTime.UtcNow;
        }
        return _tokens.AccessToken;
    }
}

public sealed record Doctor(Actor Account, Guid SpecialtyId, decimal Price, string Currency)
{
    public Guid Id => Account.Id;
}

public sealed record BookedAppointment(Guid Id, Guid PaymentId, DateTimeOffset Start, JsonObject Body);

/// <summary>Catalog set-up, slot picking and booking over the public HTTP API, as an app would do it.</summary>
public sealed class BookingApi(HttpClient http, WebApplicationFactory<Program>? factory)
{
    public const string DoctorPassword = "doctor-passphrase-for-tests";
    public const string PatientPassword = "patient-passphrase-for-tests";

    public BookingApi(WebApplicationFactory<Program> factory) : this(factory.CreateClient(), factory) { }

    /// <summary>Over an Api reached by <paramref name="http"/>, such as a real Api process; without the hubs, which need the in-process server.</summary>
    public BookingApi(HttpClient http) : this(http, null) { }

    public HttpClient Http { get; } = http;
    public ApiDriver Driver { get; } = new(http);
    private Actor? _admin;

    public async Task<Actor> AdminAsync()
    {
        if (_admin is null)
        {
            var tokens = await Http.LoginAsync(ApiFactory.AdminEmail, ApiFactory.AdminPassword);
            _admin = new Actor(Http, ApiFactory.AdminEmail, ApiFactory.AdminPassword, tokens);
        }
        return _admin;
    }

    public async Task<Actor> RegisterPatientAsync(string name = "Test Patient")
    {
        var user = await Http.RegisterAsync(email: ApiClientExtensions.NewEmail("patient"), password: PatientPassword, name: name);
        return new Actor(Http, user.Email, user.Password, user.Tokens);
    }

    /// <summary>Registration hashes with PBKDF2 (210k iterations) on purpose, so this keeps only a few in flight.</summary>
    public async Task<IReadOnlyList<Actor>> RegisterPatientsAsync(int count, int parallelism = 4)
    {
        var patients = new ConcurrentBag<Actor>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            async (i, _) => patients.Add(await RegisterPatientAsync($"Racer {i}")));
        return patients.ToList();
    }

    public async Task<Guid> CreateSpecialtyAsync()
    {
        var admin = await AdminAsync();
        return await Driver.CreateSpecialtyAsync(await admin.TokenAsync(), description: "Created by the booking tests.");
    }

    /// <summary>A valid doctor: every day, 00:00-23:30 in <paramref name="timeZone"/>, 30-minute slots, so there is always a slot soon.</summary>
    public static JsonObject DoctorBody(Guid specialtyId, string timeZone = "UTC", decimal price = 40m) => new()
    {
        ["email"] = ApiClientExtensions.NewEmail("doctor"),
        ["password"] = DoctorPassword,
        ["name"] = "Dr. Test " + Guid.NewGuid().ToString("N")[..6],
        ["specialtyId"] = specialtyId,
        ["licenseNumber"] = "MN-" + Random.Shared.Next(10_000, 99_999),
        ["yearsOfExperience"] = 12,
        ["price"] = new JsonObject { ["amount"] = price, ["currency"] = "EUR" },
        ["languages"] = new JsonArray("es", "en"),
        ["bio"] = "Sees patients every day, for the tests.",
        ["photoUrl"] = "https://example.org/doctor.jpg",
        ["availability"] = new JsonObject
        {
            ["timeZone"] = timeZone,
            ["days"] = new JsonArray("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
            ["startTime"] = "00:00:00",
            ["endTime"] = "23:30:00",
            ["slotMinutes"] = 30,
        },
    };

    /// <param name="availability">Replaces the every-day schedule of <see cref="DoctorBody"/>.</param>
    public async Task<Doctor> CreateDoctorAsync(Guid? specialtyId = null, string timeZone = "UTC", decimal price = 40m, JsonObject? availability = null, string currency = "EUR")
    {
        var admin = await AdminAsync();
        var body = DoctorBody(specialtyId ?? await CreateSpecialtyAsync(), timeZone, price);
        body["price"]!["currency"] = currency;
        if (availability is not null) body["availability"] = availability;
        var created = await Driver.CreateDoctorAsync(await admin.TokenAsync(), body);
        var email = body["email"]!.GetValue<string>();
        var tokens = await Driver.SignInAsync(email, DoctorPassword);
        Assert.Equal(created.DoctorId, tokens.UserId);
        return new Doctor(new Actor(Http, email, DoctorPassword, tokens), created.SpecialtyId, price, currency);
    }

    public async Task<IReadOnlyList<DateTimeOffset>> FreeSlotsAsync(Guid doctorId, DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        return await Driver.FreeSlotsAsync(doctorId, from, to);
    }

    /// <summary>The first free slot starting at least <paramref name="notBefore"/> from now (and before <paramref name="notAfter"/>).</summary>
    public async Task<DateTimeOffset> FreeSlotAsync(Guid doctorId, TimeSpan? notBefore = null, TimeSpan? notAfter = null)
    {
        var from = DateTimeOffset.UtcNow + (notBefore ?? TimeSpan.FromHours(2));
        var to = notAfter is null ? from.AddDays(7) : DateTimeOffset.UtcNow + notAfter.Value;
        var slots = await FreeSlotsAsync(doctorId, from, to);
        Assert.True(slots.Count > 0, $"no free slot for {doctorId} in [{from:O}, {to:O})");
        return slots[0];
    }

    /// <summary>
    /// A free slot whose next one, 30 minutes later, is free too. The first free slot two hours ahead may be the
    /// last of the doctor's day (around 21:30 UTC), so tests that book the two adjacent slots ask for this.
    /// </summary>
    public async Task<DateTimeOffset> FreeSlotWithNextAsync(Guid doctorId)
    {
        var from = DateTimeOffset.UtcNow + TimeSpan.FromHours(2);
        var slots = await FreeSlotsAsync(doctorId, from, from.AddDays(7));
        var free = slots.ToHashSet();
        foreach (var slot in slots)
            if (free.Contains(slot.AddMinutes(30))) return slot;
        Assert.Fail($"no two adjacent free slots for {doctorId} from {from:O}");
        return default;
    }

    public static JsonObject BookingBody(Guid doctorId, DateTimeOffset start, string card = Cards.Visa, string cvc = "123", string reason = "Persistent cough") => new()
    {
        ["doctorId"] = doctorId,
        ["start"] = start.ToString("O"),
        ["reason"] = reason,
        ["payment"] = new JsonObject
        {
            ["cardNumber"] = card,
            ["expMonth"] = 12,
            ["expYear"] = DateTime.UtcNow.Year + 3,
            ["cvc"] = cvc,
            ["holderName"] = "Ana García",
        },
    };

    public static HttpRequestMessage BookingRequest(string? accessToken, JsonObject body, string? idempotencyKey)
    {
        var request = ApiClientExtensions.RawJson(HttpMethod.Post, "/api/appointments", accessToken, body.ToJsonString());
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return request;
    }

    public async Task<HttpResponseMessage> BookAsync(Actor patient, Guid doctorId, DateTimeOffset start, string card = Cards.Visa, string cvc = "123") =>
        await Http.SendAsync(BookingRequest(await patient.TokenAsync(), BookingBody(doctorId, start, card, cvc), Guid.NewGuid().ToString()));

    public async Task<BookedAppointment> BookOkAsync(Actor patient, Guid doctorId, DateTimeOffset start, string card = Cards.Visa, string cvc = "123")
    {
        var r = await BookAsync(patient, doctorId, start, card, cvc);
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Created, $"booking: {(int)r.StatusCode} {text}");
        var body = JsonNode.Parse(text)!.AsObject();
        return new BookedAppointment(body["id"]!.GetValue<Guid>(), body["paymentId"]!.GetValue<Guid>(), body["start"]!.GetValue<DateTimeOffset>(), body);
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, Actor? caller, object? body = null) =>
        await Http.SendAsync(ApiClientExtensions.Authed(method, url, caller is null ? null : await caller.TokenAsync(), body));

    public async Task<JsonNode> GetJsonAsync(string url, Actor caller)
    {
        var r = await SendAsync(HttpMethod.Get, url, caller);
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)r.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>A real SignalR client over WebSockets with the token in the query string, as browsers connect.</summary>
    public Task<HubConnection> ConnectHubAsync(string path, string? accessToken) =>
        (factory ?? throw new InvalidOperationException("The hubs are reachable only through the in-process Api factory.")).ConnectHubAsync(path, accessToken);
}

/// <summary>Direct reads of the tables the booking flow writes, to check what HTTP cannot show.</summary>
public static class BookingDb
{
    private static readonly Lazy<NpgsqlDataSource> Source = new(() => NpgsqlDataSource.Create(TestEnvironment.Postgres));

    public static async Task<long> CountAsync(string sql, params object[] args)
    {
        await using var cmd = Source.Value.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.AddWithValue(a);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    public static async Task<List<string>> LedgerEventsAsync(Guid paymentOrPayerId)
    {
        await using var cmd = Source.Value.CreateCommand(
            "SELECT event FROM payment_ledger WHERE payment_id = $1 OR payer_id = $1 ORDER BY id");
        cmd.Parameters.AddWithValue(paymentOrPayerId);
        var events = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) events.Add(r.GetString(0));
        return events;
    }

    public static async Task<List<Guid>> PaymentIdsAsync(Guid payerId)
    {
        await using var cmd = Source.Value.CreateCommand("SELECT DISTINCT payment_id FROM payment_ledger WHERE payer_id = $1");
        cmd.Parameters.AddWithValue(payerId);
        var ids = new List<Guid>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) ids.Add(r.GetGuid(0));
        return ids;
    }
}
