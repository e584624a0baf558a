using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using HealthActors.Grains.Abstractions.Catalog;

namespace HealthActors.TestKit;

/// <summary>A token pair as the auth endpoints return it.</summary>
public sealed record Tokens(Guid UserId, string AccessToken, string RefreshToken, int ExpiresIn);

/// <summary>A registered account and its current tokens.</summary>
public sealed record TestUser(string Email, string Password, Tokens Tokens)
{
    public Guid Id => Tokens.UserId;
}

/// <summary>What <c>POST /api/admin/doctors</c> answers: the doctor's account (and catalog) id and specialty.</summary>
public sealed record CreatedDoctor(Guid DoctorId, Guid SpecialtyId);

/// <summary>The fields of an appointment a driver's caller acts on; tests of the whole shape read the JSON themselves.</summary>
public sealed record Appointment(Guid Id, Guid PaymentId, DateTimeOffset Start, string Status);

/// <summary>An answer other than the one the driver expected, with its body for the failure message.</summary>
public sealed class ApiCallException(string call, HttpStatusCode expected, HttpStatusCode status, string body)
    : Exception($"{call}: expected {(int)expected}, got {(int)status}: {body}")
{
    public HttpStatusCode Status { get; } = status;
    public string Body { get; } = body;
}

public static class TestCards
{
    /// <summary>The shipped test gateway approves this number, declines the second and fails at the processor with the third.</summary>
    public const string Visa = "4242424242424242";
    public const string Declined = "4000000000000002";
    public const string ProcessorError = "4000000000000119";
}

/// <summary>
/// The domain over HTTP, as an app drives it: register and sign in, make doctors through the admin, write a
/// profile, book, open an auction and bid. Shared by the tests and the benches; every call that does not get the
/// answer it expects throws <see cref="ApiCallException"/> with the body.
/// </summary>
/// <param name="baseAddress">For a client without a BaseAddress (a bench sharing one client); null uses the client's.</param>
public sealed class ApiDriver(HttpClient http, Uri? baseAddress = null)
{
    /// <summary>The Api's JSON conventions: web defaults, enums as camel-case strings (numbers are refused for them).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    public const string DefaultPassword = "a-long-enough-passphrase";

    public HttpClient Http => http;

    public static string NewEmail(string who = "user") => $"{who}.{Guid.NewGuid():N}@tests.example.org";

    public Uri Url(string path) => baseAddress is null ? new Uri(path, UriKind.Relative) : new Uri(baseAddress, path);

    /// <param name="body">Serialized with <see cref="Json"/>; a JsonNode is sent as it is.</param>
    public HttpRequestMessage Request(HttpMethod method, string path, string? accessToken, object? body = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(method, Url(path));
        if (accessToken is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        if (body is not null)
            request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), Json))
            {
                Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
            };
        return request;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? accessToken, object? body = null, string? idempotencyKey = null, CancellationToken ct = default)
    {
        using var request = Request(method, path, accessToken, body, idempotencyKey);
        return await http.SendAsync(request, ct);
    }

    /// <summary>Sends and requires <paramref name="expected"/>; the body read as <typeparamref name="T"/>.</summary>
    public async Task<T> ExpectAsync<T>(HttpStatusCode expected, HttpMethod method, string path, string? accessToken, object? body = null, string? idempotencyKey = null, CancellationToken ct = default)
    {
        using var response = await SendAsync(method, path, accessToken, body, idempotencyKey, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != expected) throw new ApiCallException($"{method} {path}", expected, response.StatusCode, text);
        return JsonSerializer.Deserialize<T>(text, Json) ?? throw new ApiCallException($"{method} {path} (empty body)", expected, response.StatusCode, text);
    }

    // ---- accounts ----

    public Task<Tokens> RegisterTokensAsync(string email, string password, string name, CancellationToken ct = default) =>
        ExpectAsync<Tokens>(HttpStatusCode.Created, HttpMethod.Post, "/api/auth/register", null, new { email, password, name }, ct: ct);

    /// <summary>A new patient (every registration is one) with an address of its own unless one is given.</summary>
    public async Task<TestUser> RegisterAsync(string? email = null, string password = DefaultPassword, string name = "Test User", CancellationToken ct = default)
    {
        email ??= NewEmail();
        return new TestUser(email, password, await RegisterTokensAsync(email, password, name, ct));
    }

    public Task<Tokens> SignInAsync(string email, string password, CancellationToken ct = default) =>
        ExpectAsync<Tokens>(HttpStatusCode.OK, HttpMethod.Post, "/api/auth/login", null, new { email, password }, ct: ct);

    public async Task<TestUser> SignInUserAsync(string email, string password, CancellationToken ct = default) =>
        new(email, password, await SignInAsync(email, password, ct));

    public Task<Tokens> RefreshAsync(string refreshToken, CancellationToken ct = default) =>
        ExpectAsync<Tokens>(HttpStatusCode.OK, HttpMethod.Post, "/api/auth/refresh", null, new { refreshToken }, ct: ct);

    /// <summary>
    /// The admin gives <paramref name="user"/> the doctor role; the user signs in again, since tokens carrying the
    /// old role stop working. The account gets no catalog entry: <see cref="CreateDoctorAsync"/> makes a bookable one.
    /// </summary>
    public async Task<TestUser> MakeDoctorAsync(string adminToken, TestUser user, CancellationToken ct = default)
    {
        await ExpectAsync<JsonObject>(HttpStatusCode.OK, HttpMethod.Post, $"/api/admin/users/{user.Id}/role", adminToken, new { role = "doctor" }, ct: ct);
        return user with { Tokens = await SignInAsync(user.Email, user.Password, ct) };
    }

    // ---- catalog ----

    public async Task<Guid> CreateSpecialtyAsync(string adminToken, string? name = null, string description = "Made by a test or bench run.", CancellationToken ct = default) =>
        (await ExpectAsync<IdOnly>(HttpStatusCode.Created, HttpMethod.Post, "/api/admin/specialties", adminToken,
            new { name = name ?? "Specialty " + Guid.NewGuid().ToString("N")[..10], description }, ct: ct)).Id;

    /// <summary>A doctor's account and catalog profile in one call (admin).</summary>
    /// <param name="profile">A <see cref="NewDoctor"/> (see <see cref="EveryDayDoctor"/>) or a JSON body.</param>
    public Task<CreatedDoctor> CreateDoctorAsync(string adminToken, object profile, CancellationToken ct = default) =>
        ExpectAsync<CreatedDoctor>(HttpStatusCode.Created, HttpMethod.Post, "/api/admin/doctors", adminToken, profile, ct: ct);

    /// <summary>A doctor who sees patients every day, 00:00-23:30 in <paramref name="timeZone"/>, 30-minute slots: there is always a slot soon.</summary>
    public static NewDoctor EveryDayDoctor(Guid specialtyId, string password, string? email = null, decimal price = 40m, string currency = "EUR", string timeZone = "UTC") => new()
    {
        Email = email ?? NewEmail("doctor"),
        Password = password,
        Name = "Dr. Test " + Guid.NewGuid().ToString("N")[..6],
        SpecialtyId = specialtyId,
        LicenseNumber = "MN-" + Random.Shared.Next(10_000, 99_999),
        YearsOfExperience = 12,
        Price = new Money(price, currency),
        Languages = ["es", "en"],
        Bio = "Sees patients every day.",
        Availability = new WeeklyAvailability
        {
            TimeZone = timeZone, Days = Enum.GetValues<DayOfWeek>(), StartTime = new TimeOnly(0, 0), EndTime = new TimeOnly(23, 30), SlotMinutes = 30,
        },
    };

    /// <summary>Free slot starts of a doctor in [from, to) (the Api's default window when not given).</summary>
    public async Task<IReadOnlyList<DateTimeOffset>> FreeSlotsAsync(Guid doctorId, DateTimeOffset? from = null, DateTimeOffset? to = null, CancellationToken ct = default)
    {
        var path = $"/api/doctors/{doctorId}/slots";
        if (from is not null)
            path += $"?from={Uri.EscapeDataString(from.Value.ToString("O"))}&to={Uri.EscapeDataString((to ?? from.Value.AddDays(7)).ToString("O"))}";
        var slots = await ExpectAsync<SlotList>(HttpStatusCode.OK, HttpMethod.Get, path, null, ct: ct);
        return slots.Slots.Select(s => s.Start).ToList();
    }

    // ---- patients ----

    /// <summary>Replaces the caller's profile; the stored profile as answered (its shape is what profile tests check).</summary>
    public Task<JsonNode> PutProfileAsync(string accessToken, object profile, CancellationToken ct = default) =>
        ExpectAsync<JsonNode>(HttpStatusCode.OK, HttpMethod.Put, "/api/patients/me/profile", accessToken, profile, ct: ct);

    // ---- booking ----

    public static object BookingBody(Guid doctorId, DateTimeOffset start, string card = TestCards.Visa, string cvc = "123", string reason = "Persistent cough") => new
    {
        doctorId,
        start,
        reason,
        payment = new { cardNumber = card, expMonth = 12, expYear = DateTime.UtcNow.Year + 3, cvc, holderName = "Ana García" },
    };

    /// <summary>A booking request with a key of its own (a new booking, never a retry) unless one is given.</summary>
    public HttpRequestMessage BookingRequest(string accessToken, object body, string? idempotencyKey = null) =>
        Request(HttpMethod.Post, "/api/appointments", accessToken, body, idempotencyKey ?? Guid.NewGuid().ToString("N"));

    public Task<Appointment> BookAsync(string accessToken, Guid doctorId, DateTimeOffset start, string card = TestCards.Visa, CancellationToken ct = default) =>
        ExpectAsync<Appointment>(HttpStatusCode.Created, HttpMethod.Post, "/api/appointments", accessToken, BookingBody(doctorId, start, card),
            Guid.NewGuid().ToString("N"), ct);

    // ---- marketplace ----

    /// <summary>A patient's request for bids, open until <paramref name="closesAt"/>.</summary>
    public async Task<Guid> CreateAuctionAsync(string patientToken, Guid? specialtyId, DateTimeOffset windowFrom, DateTimeOffset windowTo, DateTimeOffset closesAt,
        decimal maxPrice = 500, string currency = "USD", string symptoms = "persistent cough and mild fever", CancellationToken ct = default) =>
        (await ExpectAsync<IdOnly>(HttpStatusCode.Created, HttpMethod.Post, "/api/auctions", patientToken, new
        {
            symptoms, specialtyId, maxPrice, currency, window = new { from = windowFrom, to = windowTo }, closesAt,
        }, ct: ct)).Id;

    /// <summary>A doctor's bid (or the replacement of their standing one); its id.</summary>
    public async Task<Guid> BidAsync(string doctorToken, Guid auctionId, decimal price, DateTimeOffset slotStart, string? message = null, CancellationToken ct = default) =>
        (await ExpectAsync<IdOnly>(HttpStatusCode.Created, HttpMethod.Post, $"/api/auctions/{auctionId}/bids", doctorToken, new { price, slotStart, message }, ct: ct)).Id;

    private sealed record IdOnly(Guid Id);
    private sealed record Slot(DateTimeOffset Start);
    private sealed record SlotList(IReadOnlyList<Slot> Slots);
}
