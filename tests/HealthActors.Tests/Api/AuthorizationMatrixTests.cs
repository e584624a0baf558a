using System.Net;
using System.Text.Json.Nodes;
using Npgsql;

namespace HealthActors.Tests.Api;

/// <summary>The cast every matrix row is played by: one Api, two patients, a doctor and the seeded admin.</summary>
public sealed class AuthorizationMatrixFixture : IAsyncLifetime
{
    public ApiFactory Factory { get; } = new();
    public HttpClient Http { get; private set; } = null!;
    public TestUser Owner { get; private set; } = null!;
    public TestUser OtherPatient { get; private set; } = null!;
    public TestUser Doctor { get; private set; } = null!;
    public TestUser Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Http = Factory.CreateClient();
        Owner = await Http.RegisterAsync(name: "Owner Patient");
        OtherPatient = await Http.RegisterAsync(name: "Other Patient");
        Doctor = await Http.RegisterDoctorAsync();
        Admin = await Http.LoginAdminAsync();
        // An admin asking for a patient who never saved a profile gets 404 (there is nothing to read), so the
        // owner's profile exists before any row runs.
        var put = await Http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Put, "/api/patients/me/profile", Owner.Tokens.AccessToken,
            new { firstName = "Owner", lastName = "Patient", bloodType = "O+" }));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();

    public string? TokenOf(string caller) => caller switch
    {
        AuthorizationMatrixTests.Anonymous => null,
        AuthorizationMatrixTests.Owner => Owner.Tokens.AccessToken,
        AuthorizationMatrixTests.OtherPatient => OtherPatient.Tokens.AccessToken,
        AuthorizationMatrixTests.Doctor => Doctor.Tokens.AccessToken,
        AuthorizationMatrixTests.Admin => Admin.Tokens.AccessToken,
        _ => throw new ArgumentOutOfRangeException(nameof(caller), caller, null),
    };
}

public sealed class AuthorizationMatrixTests(AuthorizationMatrixFixture fx) : IClassFixture<AuthorizationMatrixFixture>
{
    public const string Anonymous = "anonymous";
    public const string Owner = "owner";
    public const string OtherPatient = "other patient";
    public const string Doctor = "doctor";
    public const string Admin = "admin";

    // {owner} and {ownerEmail} stand for the owner patient. Every authenticated caller has a "me" profile of
    // their own, so the /me rows are 200 for all of them; only the by-id and admin rows discriminate.
    private static readonly (string Method, string Path, int Anonymous, int Owner, int OtherPatient, int Doctor, int Admin)[] Table =
    [
        //  method  path                                    anon  owner other doctor admin
        ("GET",  "/api/me",                                 401,  200,  200,  200,   200),
        ("GET",  "/api/patients/me/profile",                401,  200,  200,  200,   200),
        ("PUT",  "/api/patients/me/profile",                401,  200,  200,  200,   200),
        ("GET",  "/api/patients/{owner}/profile",           401,  200,  404,  404,   200),
        ("GET",  "/api/admin/users?email={ownerEmail}",     401,  403,  403,  403,   200),
        ("GET",  "/api/admin/users/{owner}",                401,  403,  403,  403,   200),
        ("POST", "/api/admin/users/{owner}/role",           401,  403,  403,  403,   200),
    ];

    public static TheoryData<string, string, string, int> Matrix()
    {
        var data = new TheoryData<string, string, string, int>();
        foreach (var row in Table)
        {
            data.Add(row.Method, row.Path, Anonymous, row.Anonymous);
            data.Add(row.Method, row.Path, Owner, row.Owner);
            data.Add(row.Method, row.Path, OtherPatient, row.OtherPatient);
            data.Add(row.Method, row.Path, Doctor, row.Doctor);
            data.Add(row.Method, row.Path, Admin, row.Admin);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Endpoint_answers_caller_with(string method, string path, string caller, int expected)
    {
        var url = path.Replace("{owner}", fx.Owner.Id.ToString()).Replace("{ownerEmail}", Uri.EscapeDataString(fx.Owner.Email));
        object? body = method switch
        {
            "PUT" => new { firstName = "Owner", lastName = "Patient", bloodType = "O+" },
            // Re-asserting the role the owner already has keeps the admin row free of side effects.
            "POST" => new { role = "patient" },
            _ => null,
        };
        var response = await fx.Http.SendAsync(ApiClientExtensions.Authed(new HttpMethod(method), url, fx.TokenOf(caller), body));

        if (expected == 200)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{caller} {method} {url}: expected 200, got {(int)response.StatusCode} {text}");
            var json = JsonNode.Parse(text)!;
            if (path.Contains("/profile") && (caller == Owner || path.Contains("{owner}")))
                Assert.Equal("Owner", json["firstName"]?.GetValue<string>());
            if (path.StartsWith("/api/admin/users", StringComparison.Ordinal))
                Assert.Equal(fx.Owner.Id, json["userId"]!.GetValue<Guid>());
        }
        else
        {
            await response.ProblemAsync((HttpStatusCode)expected);
        }
        if (expected == 401) Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_denied_profile_read_looks_exactly_like_a_missing_patient()
    {
        // Existence must not leak: the other patient's 404 is indistinguishable from one for a random id.
        var token = fx.OtherPatient.Tokens.AccessToken;
        var denied = await (await fx.Http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/patients/{fx.Owner.Id}/profile", token)))
            .ProblemAsync(HttpStatusCode.NotFound);
        var missing = await (await fx.Http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/patients/{Guid.NewGuid()}/profile", token)))
            .ProblemAsync(HttpStatusCode.NotFound);
        denied.Remove("traceId");
        missing.Remove("traceId");
        Assert.Equal(missing.ToJsonString(), denied.ToJsonString());
    }

    [Fact]
    public async Task An_admin_read_of_a_patient_profile_leaves_an_audit_row()
    {
        var patient = await fx.Http.RegisterAsync(name: "Audited Patient");
        var put = await fx.Http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Put, "/api/patients/me/profile", patient.Tokens.AccessToken,
            new { firstName = "Audited", lastName = "Patient" }));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Empty(await AuditRows(patient.Id));

        // The owner reading their own profile is not an audited event.
        var own = await fx.Http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/patients/{patient.Id}/profile", patient.Tokens.AccessToken));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Empty(await AuditRows(patient.Id));

        var before = DateTimeOffset.UtcNow;
        var read = await fx.Http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/patients/{patient.Id}/profile", fx.Admin.Tokens.AccessToken));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var after = DateTimeOffset.UtcNow;

        var row = Assert.Single(await AuditRows(patient.Id));
        Assert.Equal("patient.profile.read", row.Action);
        Assert.Equal(fx.Admin.Id, row.ActorId);
        Assert.Equal("admin", row.ActorRole);
        Assert.Equal("admin", row.Detail);
        Assert.InRange(row.At, before.AddSeconds(-2), after.AddSeconds(2));

        // A doctor's attempt is refused and recorded as such.
        var denied = await fx.Http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, $"/api/patients/{patient.Id}/profile", fx.Doctor.Tokens.AccessToken));
        await denied.ProblemAsync(HttpStatusCode.NotFound);
        var rows = await AuditRows(patient.Id);
        Assert.Equal(2, rows.Count);
        Assert.Equal("patient.profile.read.denied", rows[1].Action);
        Assert.Equal(fx.Doctor.Id, rows[1].ActorId);
        Assert.Equal("doctor", rows[1].ActorRole);
    }

    private sealed record AuditRow(DateTimeOffset At, Guid ActorId, string ActorRole, string Action, string? Detail);

    private static async Task<List<AuditRow>> AuditRows(Guid subjectId)
    {
        await using var db = NpgsqlDataSource.Create(TestEnvironment.Postgres);
        await using var cmd = db.CreateCommand(
            "SELECT at, actor_id, actor_role, action, detail FROM audit_events WHERE subject_id = $1 ORDER BY id");
        cmd.Parameters.AddWithValue(subjectId);
        var rows = new List<AuditRow>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            rows.Add(new AuditRow(new DateTimeOffset(r.GetDateTime(0), TimeSpan.Zero), r.GetGuid(1), r.GetString(2), r.GetString(3),
                r.IsDBNull(4) ? null : r.GetString(4)));
        return rows;
    }
}
