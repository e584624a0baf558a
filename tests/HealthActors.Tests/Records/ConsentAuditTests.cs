using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Abstractions.Patients;
using HealthActors.Tests.Booking;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace HealthActors.Tests.Records;

/// <summary>
/// The consent and audit matrix of issue 11: every read path of a patient's data, for every kind of caller,
/// is either refused exactly like an unknown patient or allowed with an audit row naming the grant.
/// Runs in the booking collection because an appointment grant needs a real booking.
/// </summary>
[Collection(BookingCollection.Name)]
public sealed class ConsentAuditTests(BookingApiFactory factory)
{
    private readonly BookingApi _api = new(factory);

    /// <summary>How long the short consent runs; the set-up waits it out, so every test sees it lapsed.</summary>
    private static readonly TimeSpan ShortConsent = TimeSpan.FromSeconds(3);

    /// <summary>
    /// One patient with a profile and a vital, another patient, and one doctor per way of (not) having access.
    /// Made once per run: registrations hash passwords on purpose and are the slow part.
    /// </summary>
    private sealed record World(
        Actor Owner, Actor OtherPatient, Actor Admin, Guid RecordId,
        Doctor NoGrant, Doctor Appointment, Guid AppointmentId, Doctor Consented, Doctor Expired, DateTimeOffset ExpiredAt,
        Doctor Withdrawn, Doctor Retired, Actor RetiredSignedInAgain);

    private Task<World> WorldAsync() => factory.SharedAsync("consent-audit-world", async () =>
    {
        var admin = await _api.AdminAsync();
        var specialty = await _api.CreateSpecialtyAsync();
        var owner = await _api.RegisterPatientAsync("Consent Owner");
        var other = await _api.RegisterPatientAsync("Other Patient");
        var doctors = new List<Doctor>();
        for (var i = 0; i < 6; i++) doctors.Add(await _api.CreateDoctorAsync(specialty));
        var (noGrant, appointment, consented, expired, withdrawn, retired) = (doctors[0], doctors[1], doctors[2], doctors[3], doctors[4], doctors[5]);

        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Put, "/api/patients/me/profile", owner,
            new { firstName = "Ana", lastName = "García", allergies = new[] { "penicillin" } })).StatusCode);
        var record = await Json(await _api.Http.SendAsync(ApiClientExtensions.RawJson(HttpMethod.Post, "/api/patients/me/records/vitals", await owner.TokenAsync(),
            $$"""{"type":"heart-rate","value":64,"recordedAt":"{{Iso(DateTimeOffset.UtcNow.AddHours(-1))}}"}""")), HttpStatusCode.Created);
        var booked = await _api.BookOkAsync(owner, appointment.Id, await _api.FreeSlotAsync(appointment.Id));

        await GiveOk(owner, consented.Id, null);
        await GiveOk(owner, withdrawn.Id, null);
        Assert.Equal(HttpStatusCode.NoContent, (await _api.SendAsync(HttpMethod.Delete, $"/api/patients/me/consents/{withdrawn.Id}", owner)).StatusCode);
        await GiveOk(owner, retired.Id, null);
        // Retirement ends the doctor's sessions; the grain is still asked with the doctor role below, as a token
        // issued a moment before the retirement would be, and must refuse too.
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"/api/admin/users/{retired.Id}/role", admin, new { role = Roles.Patient })).StatusCode);
        var expiredAt = DateTimeOffset.UtcNow + ShortConsent;
        await GiveOk(owner, expired.Id, expiredAt);
        // Before it lapses the short consent does grant: what the matrix sees later is the expiry, not a consent that never worked.
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Get, $"/api/patients/{owner.Id}/profile", expired.Account)).StatusCode);

        var lapse = expiredAt + TimeSpan.FromMilliseconds(200) - DateTimeOffset.UtcNow;
        if (lapse > TimeSpan.Zero) await Task.Delay(lapse);
        var again = new Actor(_api.Http, retired.Account.Email, BookingApi.DoctorPassword, await _api.Http.LoginAsync(retired.Account.Email, BookingApi.DoctorPassword));
        return new World(owner, other, admin, record["id"]!.GetValue<Guid>(), noGrant, appointment, booked.Id, consented, expired, expiredAt, withdrawn, retired, again);
    });

    private async Task GiveOk(Actor patient, Guid doctorId, DateTimeOffset? until)
    {
        var r = await _api.SendAsync(HttpMethod.Post, "/api/patients/me/consents", patient, until is null ? new { doctorId } : new { doctorId, until = Iso(until.Value) });
        await Json(r, HttpStatusCode.Created);
    }

    [Fact]
    public async Task Every_read_path_is_allowed_with_an_audit_row_naming_the_grant_or_refused_like_an_unknown_patient()
    {
        var w = await WorldAsync();

        var callers = new (string Name, Actor? Who, string Role, string? Basis)[]
        {
            ("owner", w.Owner, Roles.Patient, "owner"),
            ("other patient", w.OtherPatient, Roles.Patient, null),
            ("doctor without a grant", w.NoGrant.Account, Roles.Doctor, null),
            ("doctor with an appointment", w.Appointment.Account, Roles.Doctor, "appointment"),
            ("doctor with a consent", w.Consented.Account, Roles.Doctor, "consent"),
            ("doctor whose consent expired", w.Expired.Account, Roles.Doctor, null),
            ("doctor whose consent was withdrawn", w.Withdrawn.Account, Roles.Doctor, null),
            ("retired doctor (token from before)", w.Retired.Account, Roles.Doctor, null),
            ("retired doctor signed in again", w.RetiredSignedInAgain, Roles.Patient, null),
            ("admin", w.Admin, Roles.Admin, "admin"),
            ("anonymous", null, "", null),
        };
        var paths = new (string What, string Url)[]
        {
            ("profile", $"/api/patients/{w.Owner.Id}/profile"),
            ("records.vitals", $"/api/patients/{w.Owner.Id}/records/vitals?limit=10"),
            ("records.vitals", $"/api/patients/{w.Owner.Id}/records/vitals/{w.RecordId}"),
        };
        var grains = factory.Services.GetRequiredService<IGrainFactory>();
        var patient = grains.GetGrain<IPatientGrain>(w.Owner.Id);

        foreach (var (name, who, role, basis) in callers)
        {
            foreach (var (what, url) in paths)
            {
                var since = await LastAuditId();
                var response = await _api.SendAsync(HttpMethod.Get, url, who);
                var rows = await AuditRowsSince(w.Owner.Id, since);
                var at = $"{name} GET {url}";
                if (who is null || who == w.Retired.Account)
                {
                    Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{at}: {(int)response.StatusCode}");
                    Assert.Empty(rows);
                }
                else if (basis is null)
                {
                    Assert.Equal(await UnknownPatientAnswer(url, w.Owner.Id, who), await Comparable(response, HttpStatusCode.NotFound));
                    var row = Assert.Single(rows);
                    Assert.Equal((who.Id, role, $"patient.{what}.read.denied", (string?)null), (row.ActorId, row.ActorRole, row.Action, row.Detail));
                }
                else
                {
                    var body = await Json(response, HttpStatusCode.OK);
                    Assert.True(body.ContainsKey("items") ? body["items"]!.AsArray().Count == 1 : body["firstName"] is not null || body["id"] is not null, at);
                    if (basis == "owner") Assert.Empty(rows);
                    else
                    {
                        var row = Assert.Single(rows);
                        var detail = basis == "appointment" ? $"appointment {w.AppointmentId}" : basis;
                        Assert.Equal((who.Id, role, $"patient.{what}.read", (string?)detail), (row.ActorId, row.ActorRole, row.Action, row.Detail));
                    }
                }
            }

            // The FHIR export and the insights are built by others on AuthorizeRead: the decision they get is this same one.
            if (who is null) continue;
            foreach (var what in new[] { "fhir", "insights" })
            {
                var since = await LastAuditId();
                var grant = await patient.AuthorizeRead(new Caller(who.Id, role), what);
                Assert.True(grant?.Basis == basis, $"{name} {what}: {grant?.Basis ?? "denied"}");
                if (basis == "appointment") Assert.Equal(w.AppointmentId, grant!.AppointmentId);
                var rows = await AuditRowsSince(w.Owner.Id, since);
                if (basis == "owner") Assert.Empty(rows);
                else Assert.Equal(basis is null ? $"patient.{what}.read.denied" : $"patient.{what}.read", Assert.Single(rows).Action);
            }
        }
    }

    [Fact]
    public async Task The_patient_reads_who_looked_in_their_access_log_and_nobody_else_reads_it()
    {
        var w = await WorldAsync();
        var profile = $"/api/patients/{w.Owner.Id}/profile";
        await _api.GetJsonAsync(profile, w.Consented.Account);
        await _api.GetJsonAsync(profile, w.Appointment.Account);
        await (await _api.SendAsync(HttpMethod.Get, profile, w.NoGrant.Account)).ProblemAsync(HttpStatusCode.NotFound);

        var log = (await _api.GetJsonAsync("/api/patients/me/access-log?limit=200", w.Owner))["items"]!.AsArray();
        var consent = log.First(e => e!["actorId"]!.GetValue<Guid>() == w.Consented.Id && e["action"]!.GetValue<string>() == "patient.profile.read")!;
        Assert.Equal("consent", consent["basis"]!.GetValue<string>());
        Assert.False(consent["denied"]!.GetValue<bool>());
        Assert.Equal(Roles.Doctor, consent["actorRole"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(consent["actorName"]?.GetValue<string>()));
        var viaAppointment = log.First(e => e!["actorId"]!.GetValue<Guid>() == w.Appointment.Id)!;
        Assert.Equal(("appointment", w.AppointmentId), (viaAppointment["basis"]!.GetValue<string>(), viaAppointment["appointmentId"]!.GetValue<Guid>()));
        var refused = log.First(e => e!["actorId"]!.GetValue<Guid>() == w.NoGrant.Id)!;
        Assert.True(refused["denied"]!.GetValue<bool>());
        Assert.Null(refused["basis"]);
        // Newest first, and only this patient's events.
        var times = log.Select(e => e!["at"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(times.OrderByDescending(t => t), times);
        Assert.All(log, e => Assert.Equal(w.Owner.Id, e!["subjectId"]!.GetValue<Guid>()));

        // Pages of one walk the same events, with no gap and no repeat.
        var walked = new List<long>();
        string? cursor = null;
        for (var page = 0; page < 5; page++)
        {
            var body = await _api.GetJsonAsync($"/api/patients/me/access-log?limit=1{(cursor is null ? "" : "&cursor=" + cursor)}", w.Owner);
            walked.AddRange(body["items"]!.AsArray().Select(e => e!["id"]!.GetValue<long>()));
            cursor = body["nextCursor"]?.GetValue<string>();
            if (cursor is null) break;
        }
        Assert.Equal(log.Take(walked.Count).Select(e => e!["id"]!.GetValue<long>()), walked);

        // Another patient's log is their own: none of these rows.
        var theirs = (await _api.GetJsonAsync("/api/patients/me/access-log?limit=200", w.OtherPatient))["items"]!.AsArray();
        Assert.DoesNotContain(theirs, e => e!["subjectId"]!.GetValue<Guid>() == w.Owner.Id);
        await (await _api.SendAsync(HttpMethod.Get, "/api/patients/me/access-log", w.Consented.Account)).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.SendAsync(HttpMethod.Get, "/api/patients/me/access-log", null)).StatusCode);

        // A window in the future holds nothing.
        var later = Uri.EscapeDataString(Iso(DateTimeOffset.UtcNow.AddDays(1)));
        Assert.Empty((await _api.GetJsonAsync($"/api/patients/me/access-log?from={later}", w.Owner))["items"]!.AsArray());
        foreach (var (query, field) in new[] { ("limit=0", "limit"), ("limit=201", "limit"), ("from=yesterday", "from"), ("to=2026-01-01T00:00:00", "to"), ("cursor=nope", "cursor") })
            await (await _api.SendAsync(HttpMethod.Get, $"/api/patients/me/access-log?{query}", w.Owner)).ValidationProblemAsync(field);
    }

    [Fact]
    public async Task Admins_search_the_audit_trail_and_their_search_is_itself_audited()
    {
        var w = await WorldAsync();
        await _api.GetJsonAsync($"/api/patients/{w.Owner.Id}/profile", w.Consented.Account);
        var since = await LastAuditId();
        var found = (await _api.GetJsonAsync($"/api/admin/audit?patientId={w.Owner.Id}&limit=200", w.Admin))["items"]!.AsArray();
        Assert.Contains(found, e => e!["actorId"]!.GetValue<Guid>() == w.Consented.Id && e["basis"]?.GetValue<string>() == "consent");
        Assert.All(found, e => Assert.Equal(w.Owner.Id, e!["subjectId"]!.GetValue<Guid>()));
        var audited = Assert.Single(await AuditRowsSince(w.Owner.Id, since));
        Assert.Equal((w.Admin.Id, "audit.read"), (audited.ActorId, audited.Action));
        // The patient sees that an admin looked at their trail.
        var log = (await _api.GetJsonAsync("/api/patients/me/access-log?limit=5", w.Owner))["items"]!.AsArray();
        Assert.Contains(log, e => e!["action"]!.GetValue<string>() == "audit.read" && e["actorId"]!.GetValue<Guid>() == w.Admin.Id);

        foreach (var who in new[] { w.Owner, w.OtherPatient, w.Consented.Account })
            await (await _api.SendAsync(HttpMethod.Get, $"/api/admin/audit?patientId={w.Owner.Id}", who)).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.SendAsync(HttpMethod.Get, "/api/admin/audit", null)).StatusCode);
        foreach (var (query, field) in new[] { ("patientId=abc", "patientId"), ("limit=x", "limit"), ("from=2026-13-01T00:00:00Z", "from"), ("cursor=abc!", "cursor") })
            await (await _api.SendAsync(HttpMethod.Get, $"/api/admin/audit?{query}", w.Admin)).ValidationProblemAsync(field);
    }

    [Fact]
    public async Task Consents_are_upserted_listed_withdrawn_and_ended_by_retirement()
    {
        var w = await WorldAsync();
        var patient = await _api.RegisterPatientAsync("Consent Lifecycle");
        await GiveOk(patient, w.Consented.Id, DateTimeOffset.UtcNow.AddDays(10));
        var until = DateTimeOffset.UtcNow.AddDays(30);
        await GiveOk(patient, w.Consented.Id, until);
        var listed = Assert.Single((await _api.GetJsonAsync("/api/patients/me/consents", patient)).AsArray())!;
        Assert.Equal(w.Consented.Id, listed["doctorId"]!.GetValue<Guid>());
        Assert.Equal("consent", listed["basis"]!.GetValue<string>());
        Assert.InRange(listed["until"]!.GetValue<DateTimeOffset>(), until.AddSeconds(-1), until.AddSeconds(1));
        Assert.NotNull(listed["createdAt"]);
        Assert.False(string.IsNullOrEmpty(listed["doctorName"]?.GetValue<string>()));
        await _api.GetJsonAsync($"/api/patients/{patient.Id}/records/vitals", w.Consented.Account);

        // The owner's own list also shows what appointments grant.
        var ownerList = (await _api.GetJsonAsync("/api/patients/me/consents", w.Owner)).AsArray();
        Assert.Contains(ownerList, c => c!["basis"]!.GetValue<string>() == "appointment" && c["appointmentId"]!.GetValue<Guid>() == w.AppointmentId);
        Assert.DoesNotContain(ownerList, c => c!["doctorId"]!.GetValue<Guid>() == w.Retired.Id || c["doctorId"]!.GetValue<Guid>() == w.Expired.Id);

        // Withdrawn: the very next read is refused, and a second withdrawal finds nothing.
        Assert.Equal(HttpStatusCode.NoContent, (await _api.SendAsync(HttpMethod.Delete, $"/api/patients/me/consents/{w.Consented.Id}", patient)).StatusCode);
        await (await _api.SendAsync(HttpMethod.Get, $"/api/patients/{patient.Id}/records/vitals", w.Consented.Account)).ProblemAsync(HttpStatusCode.NotFound);
        await (await _api.SendAsync(HttpMethod.Delete, $"/api/patients/me/consents/{w.Consented.Id}", patient)).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty((await _api.GetJsonAsync("/api/patients/me/consents", patient)).AsArray());

        // What a retirement calls on the patients it reaches ends a consent too.
        await GiveOk(patient, w.Withdrawn.Id, null);
        var grain = factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IPatientGrain>(patient.Id);
        await grain.RevokeEveryGrantOf(w.Withdrawn.Id);
        Assert.Null(await grain.AuthorizeRead(new Caller(w.Withdrawn.Id, Roles.Doctor), "fhir"));
        Assert.Empty((await _api.GetJsonAsync("/api/patients/me/consents", patient)).AsArray());
    }

    [Fact]
    public async Task Bad_consents_are_refused_naming_the_field_and_nothing_is_written()
    {
        var w = await WorldAsync();
        var patient = await _api.RegisterPatientAsync("Bad Consents");
        var doctor = w.Consented.Id;
        var cases = new (string Body, string Field)[]
        {
            ($$"""{"doctorId":"{{Guid.NewGuid()}}"}""", "doctorId"),
            ($$"""{"doctorId":"{{w.OtherPatient.Id}}"}""", "doctorId"),
            ($$"""{"doctorId":"{{patient.Id}}"}""", "doctorId"),
            ($$"""{"doctorId":"{{w.Retired.Id}}"}""", "doctorId"),
            ($$"""{"doctorId":"{{Guid.Empty}}"}""", "doctorId"),
            ("""{"doctorId":"not-a-guid"}""", "doctorId"),
            ("""{"until":"2030-01-01T00:00:00Z"}""", "doctorId"),
            ($$"""{"doctorId":"{{doctor}}","until":"{{Iso(DateTimeOffset.UtcNow.AddMinutes(-1))}}"}""", "until"),
            ($$"""{"doctorId":"{{doctor}}","until":"{{Iso(DateTimeOffset.UtcNow.AddDays(800))}}"}""", "until"),
            ($$"""{"doctorId":"{{doctor}}","until":"{{DateTime.UtcNow.AddDays(2):yyyy-MM-ddTHH:mm:ss}}"}""", "until"),
            ($$"""{"doctorId":"{{doctor}}","until":"soon"}""", "until"),
            ($$"""{"doctorId":"{{doctor}}","until":42}""", "until"),
            ("""{"doctorId":""", "body"),
        };
        foreach (var (body, field) in cases)
        {
            var r = await _api.Http.SendAsync(ApiClientExtensions.RawJson(HttpMethod.Post, "/api/patients/me/consents", await patient.TokenAsync(), body));
            var problem = await r.ProblemAsync(HttpStatusCode.BadRequest);
            var errors = problem["errors"]!.AsObject();
            Assert.True(field == "body" ? errors.Count == 1 : errors.ContainsKey(field), $"{body}: {problem.ToJsonString()}");
        }
        Assert.Empty((await _api.GetJsonAsync("/api/patients/me/consents", patient)).AsArray());
        await (await _api.SendAsync(HttpMethod.Get, $"/api/patients/{patient.Id}/records/vitals", w.Consented.Account)).ProblemAsync(HttpStatusCode.NotFound);

        // Only a patient gives consents.
        await (await _api.SendAsync(HttpMethod.Post, "/api/patients/me/consents", w.Consented.Account, new { doctorId = w.NoGrant.Id })).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.SendAsync(HttpMethod.Post, "/api/patients/me/consents", null, new { doctorId = doctor })).StatusCode);
        await (await _api.SendAsync(HttpMethod.Delete, $"/api/patients/me/consents/{Guid.NewGuid()}", patient)).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_OpenAPI_document_names_every_consent_and_audit_operation()
    {
        var doc = JsonNode.Parse(await _api.Http.GetStringAsync("/openapi/v1.json"))!;
        var operations = doc["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => o.Value?["operationId"]?.GetValue<string>())).ToHashSet();
        foreach (var id in new[] { "GiveConsent", "ListConsents", "WithdrawConsent", "GetAccessLog", "SearchAudit", "ListPatientRecords", "GetPatientRecord" })
            Assert.Contains(id, operations);
    }

    private static string Iso(DateTimeOffset at) => at.ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    private static async Task<JsonObject> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>A problem body without its per-request trace id, so two refusals can be compared whole.</summary>
    private static async Task<string> Comparable(HttpResponseMessage response, HttpStatusCode expected)
    {
        var problem = await response.ProblemAsync(expected);
        problem.Remove("traceId");
        return problem.ToJsonString();
    }

    /// <summary>What the same caller gets for the same path of a patient who does not exist.</summary>
    private async Task<string> UnknownPatientAnswer(string url, Guid patientId, Actor who) =>
        await Comparable(await _api.SendAsync(HttpMethod.Get, url.Replace(patientId.ToString(), Guid.NewGuid().ToString()), who), HttpStatusCode.NotFound);

    private sealed record AuditRow(long Id, Guid ActorId, string ActorRole, string Action, string? Detail);

    private static readonly Lazy<NpgsqlDataSource> Db = new(() => NpgsqlDataSource.Create(TestEnvironment.Postgres));

    private static async Task<long> LastAuditId()
    {
        await using var cmd = Db.Value.CreateCommand("SELECT coalesce(max(id), 0) FROM audit_events");
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task<List<AuditRow>> AuditRowsSince(Guid subjectId, long afterId)
    {
        await using var cmd = Db.Value.CreateCommand(
            "SELECT id, actor_id, actor_role, action, detail FROM audit_events WHERE subject_id = $1 AND id > $2 ORDER BY id");
        cmd.Parameters.AddWithValue(subjectId);
        cmd.Parameters.AddWithValue(afterId);
        var rows = new List<AuditRow>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) rows.Add(new AuditRow(r.GetInt64(0), r.GetGuid(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4)));
        return rows;
    }
}
