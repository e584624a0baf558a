using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace HealthActors.Tests.Api;

/// <summary>
/// Hostile or sloppy input on every write endpoint. Every case must be a 4xx ProblemDetails that names the
/// offending field (never a 500), and must leave no trace: the cases are keyed by name so that the test
/// explorer shows readable names instead of 70 KB bodies.
/// </summary>
public sealed class BadInputTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string GoodPassword = "a-long-enough-passphrase";
    private readonly HttpClient _http = factory.CreateClient();

    /// <summary>
    /// One bad request. <see cref="Body"/> may hold placeholders ({email}, {refreshToken}) filled per run;
    /// null means no body at all. <see cref="Fields"/> are the names the ProblemDetails errors must carry.
    /// </summary>
    public sealed record Case(string? Body, HttpStatusCode Status, string[] Fields, string ContentType = "application/json");

    private static Case Bad(string? body, params string[] fields) => new(body, HttpStatusCode.BadRequest, fields);
    private static Case TooLarge(string body) => new(body, HttpStatusCode.RequestEntityTooLarge, []);
    private static Case WrongType(string body, string contentType) => new(body, HttpStatusCode.UnsupportedMediaType, [], contentType);

    // 64 KiB is the configured limit; this pads a body comfortably past it.
    private static readonly string Padding = new('a', 70_000);
    private static readonly string Long255Email = new string('a', 243) + "@example.org";

    private static string Json(object o) => System.Text.Json.JsonSerializer.Serialize(o);

    // The cases shared by every JSON endpoint: the body cannot even be read.
    private static IEnumerable<KeyValuePair<string, Case>> Unreadable(string validBody) =>
    [
        new("malformed JSON", Bad("{not json", "body")),
        // Only the closing brace is cut, so placeholders survive and the values inside can be checked afterwards.
        new("truncated JSON", Bad(validBody[..^1], "body")),
        new("empty body", Bad("", "body")),
        new("no body", Bad(null, "body")),
        new("JSON null", Bad("null", "body")),
        new("JSON array", Bad("[]", "body")),
        new("JSON string", Bad("\"hello\"", "body")),
        new("oversized body", TooLarge(validBody[..^1] + $",\"padding\":\"{Padding}\"}}")),
        new("text/plain", WrongType(validBody, "text/plain")),
        new("form content", WrongType(validBody, "application/x-www-form-urlencoded")),
    ];

    // ---- register ----------------------------------------------------------------------------------------

    private static string RegisterBody(string email = "{email}", string password = GoodPassword, string name = "Test User") =>
        Json(new { email, password, name });

    private static readonly Dictionary<string, Case> RegisterCases = new(Unreadable(RegisterBody()))
    {
        ["empty object"] = Bad("{}", "email", "password", "name"),
        ["missing email"] = Bad(Json(new { password = GoodPassword, name = "N" }), "email"),
        ["missing password"] = Bad("""{"email":"{email}","name":"N"}""", "password"),
        ["missing name"] = Bad("""{"email":"{email}","password":"a-long-enough-passphrase"}""", "name"),
        ["null fields"] = Bad("""{"email":null,"password":null,"name":null}""", "email", "password", "name"),
        ["email is a number"] = Bad("""{"email":42,"password":"a-long-enough-passphrase","name":"N"}""", "email"),
        ["password is a boolean"] = Bad("""{"email":"{email}","password":true,"name":"N"}""", "password"),
        ["name is an object"] = Bad("""{"email":"{email}","password":"a-long-enough-passphrase","name":{"first":"N"}}""", "name"),
        ["name of 101 characters"] = Bad(RegisterBody(name: new string('n', 101)), "name"),
        ["blank name"] = Bad(RegisterBody(name: "   "), "name"),
        ["name with a control character"] = Bad(RegisterBody(name: "Bo\u0007b"), "name"),
        ["name with NUL"] = Bad(RegisterBody(name: "Bob\0Smith"), "name"),
        ["name with a line separator"] = Bad(RegisterBody(name: "Bob\u2028Smith"), "name"),
        ["invalid email"] = Bad(RegisterBody(email: "not-an-email"), "email"),
        ["email without a dotted domain"] = Bad(RegisterBody(email: "ana@localhost"), "email"),
        ["email with a space"] = Bad(RegisterBody(email: "ana maria@example.org"), "email"),
        ["email with two ats"] = Bad(RegisterBody(email: "ana@b@example.org"), "email"),
        ["email with a newline"] = Bad(RegisterBody(email: "ana\n@example.org"), "email"),
        ["email of 255 characters"] = Bad(RegisterBody(email: Long255Email), "email"),
        ["short password"] = Bad(RegisterBody(password: "Sh0rt!"), "password"),
        ["common password"] = Bad(RegisterBody(password: "password123"), "password"),
        ["common password in other case"] = Bad(RegisterBody(password: "QWERTYUIOP"), "password"),
        ["repetitive password"] = Bad(RegisterBody(password: "abababababab"), "password"),
        ["password equal to the email"] = Bad("""{"email":"{email}","password":"{email}","name":"N"}""", "password"),
        ["password of 129 characters"] = Bad(RegisterBody(password: "x1-" + new string('y', 126)), "password"),
        ["password with a control character"] = Bad(RegisterBody(password: "long-enough\u0001passphrase"), "password"),
    };

    public static TheoryData<string> RegisterCaseNames => new(RegisterCases.Keys);

    [Theory]
    [MemberData(nameof(RegisterCaseNames))]
    public async Task Register_rejects(string name)
    {
        var c = RegisterCases[name];
        var email = ApiClientExtensions.NewEmail("reject");
        var response = await Send(HttpMethod.Post, "/api/auth/register", null, c, b => b.Replace("{email}", email));
        await AssertRejected(response, c);

        if (c.Body?.Contains("{email}") == true)
        {
            // Nothing was written: the address has no account, and can still be taken.
            var login = await _http.PostAsJsonAsync("/api/auth/login", new { email, password = GoodPassword });
            await login.ProblemAsync(HttpStatusCode.Unauthorized);
            await _http.RegisterAsync(email);
        }
    }

    // ---- login -------------------------------------------------------------------------------------------

    private static readonly Dictionary<string, Case> LoginCases = new(Unreadable(Json(new { email = "someone@example.org", password = GoodPassword })))
    {
        ["empty object"] = Bad("{}", "email", "password"),
        ["missing password"] = Bad("""{"email":"someone@example.org"}""", "password"),
        ["empty password"] = Bad("""{"email":"someone@example.org","password":""}""", "password"),
        ["email is an array"] = Bad("""{"email":["someone@example.org"],"password":"x"}""", "email"),
        ["password is a number"] = Bad("""{"email":"someone@example.org","password":12345678901}""", "password"),
        ["invalid email"] = Bad("""{"email":"someone","password":"a-long-enough-passphrase"}""", "email"),
        ["email of 255 characters"] = Bad(Json(new { email = Long255Email, password = GoodPassword }), "email"),
        ["password of 129 characters"] = Bad(Json(new { email = "someone@example.org", password = new string('p', 129) }), "password"),
    };

    public static TheoryData<string> LoginCaseNames => new(LoginCases.Keys);

    [Theory]
    [MemberData(nameof(LoginCaseNames))]
    public async Task Login_rejects(string name)
    {
        var c = LoginCases[name];
        await AssertRejected(await Send(HttpMethod.Post, "/api/auth/login", null, c), c);
    }

    [Fact]
    public async Task Rejected_logins_do_not_count_towards_the_lockout()
    {
        var user = await _http.RegisterAsync();
        // Five failures lock an account; six unreadable attempts must not.
        for (var i = 0; i < 6; i++)
        {
            var r = await _http.PostAsJsonAsync("/api/auth/login", new { email = user.Email, password = new string('p', 129) });
            await r.ValidationProblemAsync("password");
        }
        await _http.LoginAsync(user.Email, user.Password);
    }

    // ---- refresh and logout -----------------------------------------------------------------------------

    private static readonly Dictionary<string, Case> TokenCases = new(Unreadable("""{"refreshToken":"{refreshToken}"}"""))
    {
        ["empty object"] = Bad("{}", "refreshToken"),
        ["null token"] = Bad("""{"refreshToken":null}""", "refreshToken"),
        ["empty token"] = Bad("""{"refreshToken":""}""", "refreshToken"),
        ["token is a number"] = Bad("""{"refreshToken":123}""", "refreshToken"),
        ["token is an array"] = Bad("""{"refreshToken":["{refreshToken}"]}""", "refreshToken"),
        ["token is an object"] = Bad("""{"refreshToken":{"value":"{refreshToken}"}}""", "refreshToken"),
    };

    public static TheoryData<string> TokenCaseNames => new(TokenCases.Keys);

    [Theory]
    [MemberData(nameof(TokenCaseNames))]
    public Task Refresh_rejects(string name) => TokenEndpointRejects("/api/auth/refresh", name);

    [Theory]
    [MemberData(nameof(TokenCaseNames))]
    public Task Logout_rejects(string name) => TokenEndpointRejects("/api/auth/logout", name);

    private async Task TokenEndpointRejects(string url, string name)
    {
        var c = TokenCases[name];
        var user = await _http.RegisterAsync();
        var response = await Send(HttpMethod.Post, url, null, c, b => b.Replace("{refreshToken}", user.Tokens.RefreshToken));
        await AssertRejected(response, c);

        // The token inside the rejected request was neither rotated nor revoked: it still redeems exactly once.
        var refreshed = await _http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.Tokens.RefreshToken });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
    }

    // ---- profile PUT -------------------------------------------------------------------------------------

    private static string Profile(Action<JsonObject> change)
    {
        var p = ProfileTests.FullProfile();
        change(p);
        return p.ToJsonString();
    }

    private static JsonArray Many(int count, Func<int, JsonNode?> item) => new(Enumerable.Range(0, count).Select(item).ToArray());

    private static readonly Dictionary<string, Case> ProfileCases = new(Unreadable(ProfileTests.FullProfile().ToJsonString()))
    {
        ["empty object"] = Bad("{}", "firstName", "lastName"),
        ["missing lastName"] = Bad(Profile(p => p.Remove("lastName")), "lastName"),
        ["blank firstName"] = Bad(Profile(p => p["firstName"] = " \t "), "firstName"),
        ["firstName is a number"] = Bad(Profile(p => p["firstName"] = 7), "firstName"),
        ["heightCm is a string"] = Bad(Profile(p => p["heightCm"] = "abc"), "heightCm"),
        ["heightCm is a numeric string"] = Bad(Profile(p => p["heightCm"] = "170"), "heightCm"),
        ["heightCm overflows decimal"] = Bad(Profile(p => p["heightCm"] = JsonNode.Parse("1e400")), "heightCm"),
        ["weightKg is a boolean"] = Bad(Profile(p => p["weightKg"] = true), "weightKg"),
        ["allergies is a string"] = Bad(Profile(p => p["allergies"] = "x"), "allergies"),
        ["allergies holds a number"] = Bad(Profile(p => p["allergies"] = new JsonArray(1)), "allergies[0]"),
        ["allergies holds null"] = Bad(Profile(p => p["allergies"] = new JsonArray((JsonNode?)null)), "allergies[0]"),
        ["medications is an object"] = Bad(Profile(p => p["medications"] = new JsonObject { ["name"] = "x" }), "medications"),
        ["medication dose is a number"] = Bad(Profile(p => p["medications"]![0]!["dose"] = 5), "medications[0].dose"),
        ["medication without a name"] = Bad(Profile(p => p["medications"] = new JsonArray(new JsonObject { ["dose"] = "1 mg" })), "medications[0].name"),
        ["medication is null"] = Bad(Profile(p => p["medications"] = new JsonArray((JsonNode?)null)), "medications[0]"),
        ["emergencyContact is a string"] = Bad(Profile(p => p["emergencyContact"] = "mum"), "emergencyContact"),
        ["emergencyContact without phone"] = Bad(Profile(p => p["emergencyContact"]!.AsObject().Remove("phone")), "emergencyContact.phone"),
        ["birthDate is a word"] = Bad(Profile(p => p["birthDate"] = "yesterday"), "birthDate"),
        ["birthDate is not a calendar day"] = Bad(Profile(p => p["birthDate"] = "1990-02-30"), "birthDate"),
        ["birthDate with a time"] = Bad(Profile(p => p["birthDate"] = "1990-04-12T10:00:00Z"), "birthDate"),
        ["birthDate in the future"] = Bad(Profile(p => p["birthDate"] = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(2).ToString("yyyy-MM-dd")), "birthDate"),
        ["birthDate 131 years ago"] = Bad(Profile(p => p["birthDate"] = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-131).ToString("yyyy-MM-dd")), "birthDate"),
        ["firstName of 101 characters"] = Bad(Profile(p => p["firstName"] = new string('a', 101)), "firstName"),
        ["lastName of 101 characters"] = Bad(Profile(p => p["lastName"] = new string('a', 101)), "lastName"),
        ["allergy of 201 characters"] = Bad(Profile(p => p["allergies"] = new JsonArray(new string('a', 201))), "allergies[0]"),
        ["51 allergies"] = Bad(Profile(p => p["allergies"] = Many(51, i => $"allergy {i}")), "allergies"),
        ["51 conditions"] = Bad(Profile(p => p["conditions"] = Many(51, i => $"condition {i}")), "conditions"),
        ["51 dietary preferences"] = Bad(Profile(p => p["dietaryPreferences"] = Many(51, i => $"diet {i}")), "dietaryPreferences"),
        ["51 medications"] = Bad(Profile(p => p["medications"] = Many(51, i => new JsonObject { ["name"] = $"med {i}" })), "medications"),
        ["medication name of 201 characters"] = Bad(Profile(p => p["medications"]![0]!["name"] = new string('m', 201)), "medications[0].name"),
        ["emergency contact name of 101 characters"] = Bad(Profile(p => p["emergencyContact"]!["name"] = new string('c', 101)), "emergencyContact.name"),
        ["nationalId of 33 characters"] = Bad(Profile(p => p["nationalId"] = new string('1', 33)), "nationalId"),
        ["nationalId with spaces"] = Bad(Profile(p => p["nationalId"] = "30 123 456"), "nationalId"),
        ["firstName with a control character"] = Bad(Profile(p => p["firstName"] = "An\u0007a"), "firstName"),
        ["lastName with NUL"] = Bad(Profile(p => p["lastName"] = "Gar\0cía"), "lastName"),
        ["allergy with an escape character"] = Bad(Profile(p => p["allergies"] = new JsonArray("pea\u001bnuts")), "allergies[0]"),
        ["phone without plus"] = Bad(Profile(p => p["phone"] = "5491155550123"), "phone"),
        ["phone with spaces"] = Bad(Profile(p => p["phone"] = "+54 9 11 5555 0123"), "phone"),
        ["phone starting with zero"] = Bad(Profile(p => p["phone"] = "+0491155550123"), "phone"),
        ["phone too long"] = Bad(Profile(p => p["phone"] = "+1234567890123456"), "phone"),
        ["phone with a trailing newline"] = Bad(Profile(p => p["phone"] = "+5491155550123\n"), "phone"),
        ["emergency phone not E.164"] = Bad(Profile(p => p["emergencyContact"]!["phone"] = "call me"), "emergencyContact.phone"),
        ["emergency phone with a trailing newline"] = Bad(Profile(p => p["emergencyContact"]!["phone"] = "+5491155550999\n"), "emergencyContact.phone"),
        ["unknown blood type"] = Bad(Profile(p => p["bloodType"] = "C+"), "bloodType"),
        ["blood type in lower case"] = Bad(Profile(p => p["bloodType"] = "ab-"), "bloodType"),
        ["unknown sex"] = Bad(Profile(p => p["sex"] = "robot"), "sex"),
        ["heightCm too small"] = Bad(Profile(p => p["heightCm"] = 29.9m), "heightCm"),
        ["weightKg too large"] = Bad(Profile(p => p["weightKg"] = 500.5m), "weightKg"),
        ["language is not a tag"] = Bad(Profile(p => p["preferredLanguage"] = "Spanish"), "preferredLanguage"),
        ["language with a trailing newline"] = Bad(Profile(p => p["preferredLanguage"] = "es\n"), "preferredLanguage"),
        ["unknown time zone"] = Bad(Profile(p => p["timeZone"] = "Mars/Olympus_Mons"), "timeZone"),
        ["Windows time zone id"] = Bad(Profile(p => p["timeZone"] = "Pacific Standard Time"), "timeZone"),
        ["time zone abbreviation"] = Bad(Profile(p => p["timeZone"] = "EST"), "timeZone"),
        ["time zone that is a tz directory"] = Bad(Profile(p => p["timeZone"] = "America/Argentina"), "timeZone"),
        ["time zone path traversal"] = Bad(Profile(p => p["timeZone"] = "../../../../etc/passwd"), "timeZone"),
        ["time zone with NUL"] = Bad(Profile(p => p["timeZone"] = "America/Argentina/Buenos_Aires\0"), "timeZone"),
        ["time zone of 65 characters"] = Bad(Profile(p => p["timeZone"] = "America/" + new string('x', 57)), "timeZone"),
    };

    public static TheoryData<string> ProfileCaseNames => new(ProfileCases.Keys);

    [Theory]
    [MemberData(nameof(ProfileCaseNames))]
    public async Task Profile_put_rejects(string name)
    {
        var c = ProfileCases[name];
        var user = await _http.RegisterAsync();
        var token = user.Tokens.AccessToken;
        var baseline = ProfileTests.FullProfile();
        baseline["firstName"] = "Baseline";
        baseline["allergies"] = new JsonArray("latex");
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(ApiClientExtensions.RawJson(HttpMethod.Put, "/api/patients/me/profile", token, baseline.ToJsonString()))).StatusCode);
        var before = await _http.GetStringAsyncAuthed("/api/patients/me/profile", token);

        await AssertRejected(await Send(HttpMethod.Put, "/api/patients/me/profile", token, c), c);

        // Byte for byte the same, updatedAt included: the rejected PUT wrote nothing.
        var after = await _http.GetStringAsyncAuthed("/api/patients/me/profile", token);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Oversized_body_without_a_declared_length_is_413()
    {
        var user = await _http.RegisterAsync();
        var body = Profile(p => p["padding"] = Padding);
        var request = ApiClientExtensions.Authed(HttpMethod.Put, "/api/patients/me/profile", user.Tokens.AccessToken);
        request.Content = new UnknownLengthContent(Encoding.UTF8.GetBytes(body));
        await (await _http.SendAsync(request)).ProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    /// <summary>Sent chunked: no Content-Length for the early check to see, so only the read limit can stop it.</summary>
    private sealed class UnknownLengthContent : HttpContent
    {
        private readonly byte[] _bytes;
        public UnknownLengthContent(byte[] bytes)
        {
            _bytes = bytes;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(_bytes).AsTask();
        protected override bool TryComputeLength(out long length) { length = 0; return false; }
    }

    // ---- admin role change ------------------------------------------------------------------------------

    private static readonly Dictionary<string, Case> RoleCases = new(Unreadable("""{"role":"admin"}"""))
    {
        ["empty object"] = Bad("{}", "role"),
        ["null role"] = Bad("""{"role":null}""", "role"),
        ["empty role"] = Bad("""{"role":""}""", "role"),
        ["unknown role"] = Bad("""{"role":"superuser"}""", "role"),
        ["role in upper case"] = Bad("""{"role":"ADMIN"}""", "role"),
        ["role with padding"] = Bad("""{"role":" admin "}""", "role"),
        ["role is a number"] = Bad("""{"role":2}""", "role"),
        ["role is an array"] = Bad("""{"role":["admin"]}""", "role"),
    };

    public static TheoryData<string> RoleCaseNames => new(RoleCases.Keys);

    [Theory]
    [MemberData(nameof(RoleCaseNames))]
    public async Task Role_change_rejects(string name)
    {
        var c = RoleCases[name];
        var target = await _http.RegisterAsync();
        var admin = await _http.LoginAdminAsync();
        await AssertRejected(await Send(HttpMethod.Post, $"/api/admin/users/{target.Id}/role", admin.Tokens.AccessToken, c), c);

        // Still a patient: the rejected change (some carry "admin" in a body that could not be read) did nothing.
        var user = await _http.GetStringAsyncAuthed($"/api/admin/users/{target.Id}", admin.Tokens.AccessToken);
        Assert.Equal("patient", JsonNode.Parse(user)!["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task Role_change_of_an_unknown_user_is_404()
    {
        var admin = await _http.LoginAdminAsync();
        var r = await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Post, $"/api/admin/users/{Guid.NewGuid()}/role", admin.Tokens.AccessToken, new { role = "doctor" }));
        await r.ProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/api/admin/users")]
    [InlineData("/api/admin/users?email=")]
    [InlineData("/api/admin/users?email=not-an-email")]
    [InlineData("/api/admin/users?email=a%00b@example.org")]
    public async Task Admin_lookup_by_a_bad_email_names_the_field(string url)
    {
        var admin = await _http.LoginAdminAsync();
        await (await _http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, url, admin.Tokens.AccessToken))).ValidationProblemAsync("email");
    }

    [Theory]
    [InlineData("GET", "/api/admin/users/not-a-guid")]
    [InlineData("POST", "/api/admin/users/not-a-guid/role")]
    [InlineData("GET", "/api/patients/not-a-guid/profile")]
    public async Task Ids_that_are_not_guids_are_404(string method, string url)
    {
        var admin = await _http.LoginAdminAsync();
        var r = await _http.SendAsync(ApiClientExtensions.Authed(new HttpMethod(method), url, admin.Tokens.AccessToken, method == "POST" ? new { role = "doctor" } : null));
        await r.ProblemAsync(HttpStatusCode.NotFound);
    }

    // ---- plumbing ----------------------------------------------------------------------------------------

    private Task<HttpResponseMessage> Send(HttpMethod method, string url, string? token, Case c, Func<string, string>? fill = null)
    {
        var request = ApiClientExtensions.Authed(method, url, token);
        if (c.Body is not null)
        {
            var body = fill is null ? c.Body : fill(c.Body);
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(c.ContentType) { CharSet = "utf-8" };
        }
        return _http.SendAsync(request);
    }

    private static async Task AssertRejected(HttpResponseMessage response, Case c)
    {
        if (c.Status != HttpStatusCode.BadRequest)
        {
            await response.ProblemAsync(c.Status);
            return;
        }
        Assert.NotEmpty(c.Fields); // a 400 case that names no field would prove nothing about the answer
        foreach (var field in c.Fields) await response.ValidationProblemAsync(field);
    }
}

internal static class AuthedReads
{
    public static async Task<string> GetStringAsyncAuthed(this HttpClient http, string url, string token)
    {
        var response = await http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, url, token));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode} {body}");
        return body;
    }
}
