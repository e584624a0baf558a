using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using HealthActors.Tests.Booking;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Task = System.Threading.Tasks.Task;

namespace HealthActors.Tests.Records;

/// <summary>
/// The FHIR R4 export and import over HTTP. Runs in the booking collection: the doctor-access cases need a
/// bookable doctor, and one shared silo costs less than another host.
/// </summary>
[Collection(BookingCollection.Name)]
public sealed class FhirTests(BookingApiFactory factory)
{
    private const string Mine = "/api/patients/me/fhir";
    private const string Loinc = "http://loinc.org";
    private const string Ucum = "http://unitsofmeasure.org";
    private readonly BookingApi _api = new(factory);

    // Firely's own parser reads what we export: if it refuses, the bundle is not FHIR, whatever our JSON says.
    private static readonly FhirJsonDeserializer Parser = new(new DeserializerSettings());

    /// <summary>What the spec says each reading is coded as, written out here so a wrong table in the code fails.</summary>
    private static readonly Dictionary<(string Type, string? Unit), (string Loinc, string Ucum)> Expected = new()
    {
        [("blood-pressure", null)] = ("85354-9", "mm[Hg]"),
        [("heart-rate", "bpm")] = ("8867-4", "/min"),
        [("glucose", "mg/dL")] = ("2339-0", "mg/dL"),
        [("glucose", "mmol/L")] = ("15074-8", "mmol/L"),
        [("temperature", "°C")] = ("8310-5", "Cel"),
        [("spo2", "%")] = ("2708-6", "%"),
        [("weight", "kg")] = ("29463-7", "kg"),
        [("respiratory-rate", "/min")] = ("9279-1", "/min"),
    };

    private static string Iso(DateTimeOffset at) => at.ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    /// <summary>One reading of every type and unit, at distinct times in a non-UTC offset, with milliseconds.</summary>
    private static List<JsonObject> EveryVital()
    {
        var at = DateTimeOffset.UtcNow.AddDays(-2).ToOffset(TimeSpan.FromHours(2));
        at = at.AddTicks(-(at.Ticks % TimeSpan.TicksPerMillisecond)).AddMilliseconds(123);
        return
        [
            new() { ["type"] = "blood-pressure", ["systolic"] = 128, ["diastolic"] = 82, ["recordedAt"] = Iso(at), ["note"] = "after coffee" },
            new() { ["type"] = "heart-rate", ["value"] = 64, ["recordedAt"] = Iso(at.AddMinutes(1)) },
            new() { ["type"] = "glucose", ["value"] = 97, ["unit"] = "mg/dL", ["recordedAt"] = Iso(at.AddMinutes(2)) },
            new() { ["type"] = "glucose", ["value"] = 5.4m, ["unit"] = "mmol/L", ["recordedAt"] = Iso(at.AddMinutes(3)) },
            new() { ["type"] = "temperature", ["value"] = 36.8m, ["recordedAt"] = Iso(at.AddMinutes(4)) },
            new() { ["type"] = "spo2", ["value"] = 97, ["recordedAt"] = Iso(at.AddMinutes(5)) },
            new() { ["type"] = "weight", ["value"] = 61.35m, ["recordedAt"] = Iso(at.AddMinutes(6)) },
            new() { ["type"] = "respiratory-rate", ["value"] = 14, ["recordedAt"] = Iso(at.AddMinutes(7)) },
        ];
    }

    private async Task<HttpResponseMessage> Send(HttpMethod method, string url, Actor? caller, string? body = null, string mediaType = "application/fhir+json")
    {
        var request = ApiClientExtensions.Authed(method, url, caller is null ? null : await caller.TokenAsync());
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, mediaType);
        return await _api.Http.SendAsync(request);
    }

    private static async Task<string> Text(HttpResponseMessage r, HttpStatusCode expected)
    {
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == expected, $"expected {(int)expected}, got {(int)r.StatusCode}: {text}");
        return text;
    }

    private async Task AddVitals(Actor patient, IEnumerable<JsonObject> items)
    {
        var body = new JsonObject { ["items"] = new JsonArray(items.Select(i => (JsonNode?)i.DeepClone()).ToArray()) };
        await Text(await Send(HttpMethod.Post, "/api/patients/me/records/vitals/batch", patient, body.ToJsonString(), "application/json"), HttpStatusCode.Created);
    }

    private async Task<List<JsonObject>> Vitals(Actor patient)
    {
        var all = new List<JsonObject>();
        string? cursor = null;
        do
        {
            var url = "/api/patients/me/records/vitals?limit=200" + (cursor is null ? "" : "&cursor=" + cursor);
            var page = JsonNode.Parse(await Text(await Send(HttpMethod.Get, url, patient), HttpStatusCode.OK))!.AsObject();
            all.AddRange(page["items"]!.AsArray().Select(i => i!.AsObject()));
            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);
        return all;
    }

    private async Task<Bundle> Export(string url, Actor caller)
    {
        var r = await Send(HttpMethod.Get, url, caller);
        var text = await Text(r, HttpStatusCode.OK);
        Assert.Equal("application/fhir+json", r.Content.Headers.ContentType?.MediaType);
        var bundle = Parser.Deserialize<Bundle>(text);
        Assert.Equal(Bundle.BundleType.Collection, bundle.Type);
        return bundle;
    }

    private static List<T> All<T>(Bundle b) where T : Resource => b.Entry.Select(e => e.Resource).OfType<T>().ToList();

    [Fact]
    public async Task The_export_parses_with_Firely_and_codes_every_vital_in_LOINC_and_UCUM()
    {
        var patient = await _api.RegisterPatientAsync();
        var doctor = await factory.SharedAsync("fhir-doctor", () => _api.CreateDoctorAsync());
        var profile = new JsonObject
        {
            ["firstName"] = "Ana", ["lastName"] = "García", ["birthDate"] = "1984-05-17", ["sex"] = "female",
            ["allergies"] = new JsonArray("penicillin", "peanuts"), ["conditions"] = new JsonArray("asthma"),
            ["medications"] = new JsonArray(new JsonObject { ["name"] = "salbutamol", ["dose"] = "100 mcg", ["frequency"] = "as needed" }),
        };
        await Text(await Send(HttpMethod.Put, "/api/patients/me/profile", patient, profile.ToJsonString(), "application/json"), HttpStatusCode.OK);
        var sent = EveryVital();
        await AddVitals(patient, sent);
        var medication = new JsonObject { ["name"] = "levothyroxine", ["dose"] = "50 mcg", ["frequency"] = "daily", ["active"] = false, ["recordedAt"] = Iso(DateTimeOffset.UtcNow.AddDays(-1)) };
        await Text(await Send(HttpMethod.Post, "/api/patients/me/records/medications", patient, medication.ToJsonString(), "application/json"), HttpStatusCode.Created);
        var appointment = await _api.BookOkAsync(patient, doctor.Id, await _api.FreeSlotAsync(doctor.Id, TimeSpan.FromHours(50)));

        var bundle = await Export(Mine, patient);

        var p = Assert.Single(All<Patient>(bundle));
        Assert.Equal(patient.Id.ToString(), p.Id);
        Assert.Equal("1984-05-17", p.BirthDate);
        Assert.Equal(AdministrativeGender.Female, p.Gender);
        Assert.Equal("García", p.Name.Single().Family);
        Assert.Equal(["peanuts", "penicillin"], All<AllergyIntolerance>(bundle).Select(a => a.Code!.Text).Order());
        Assert.Equal("asthma", Assert.Single(All<Condition>(bundle)).Code!.Text);
        var medications = All<MedicationStatement>(bundle);
        Assert.Equal(MedicationStatement.MedicationStatusCodes.Active, medications.Single(m => ((CodeableConcept)m.Medication!).Text == "salbutamol").Status);
        Assert.Equal(MedicationStatement.MedicationStatusCodes.Stopped, medications.Single(m => ((CodeableConcept)m.Medication!).Text == "levothyroxine").Status);
        var booked = Assert.Single(All<Hl7.Fhir.Model.Appointment>(bundle));
        Assert.Equal(appointment.Id.ToString(), booked.Id);
        Assert.Equal(Hl7.Fhir.Model.Appointment.AppointmentStatus.Booked, booked.Status);
        Assert.Equal(appointment.Start, booked.Start);

        var patientUrl = bundle.Entry.Single(e => e.Resource is Patient).FullUrl;
        var observations = All<Observation>(bundle);
        Assert.Equal(sent.Count, observations.Count);
        foreach (var reading in sent)
        {
            var type = reading["type"]!.GetValue<string>();
            var unit = type switch
            {
                "blood-pressure" => null, "heart-rate" => "bpm", "temperature" => "°C", "respiratory-rate" => "/min",
                "spo2" => "%", "weight" => "kg", _ => reading["unit"]!.GetValue<string>(),
            };
            var (loinc, ucum) = Expected[(type, unit)];
            var at = DateTimeOffset.Parse(reading["recordedAt"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            var o = Assert.Single(observations, o => o.Code!.Coding.Any(c => c.Code == loinc) && ((FhirDateTime)o.Effective!).ToDateTimeOffset(TimeSpan.Zero) == at);
            var coding = Assert.Single(o.Code!.Coding);
            Assert.Equal(Loinc, coding.System);
            Assert.Equal(ObservationStatus.Final, o.Status);
            Assert.Contains(o.Category.SelectMany(c => c.Coding), c => c.Code == "vital-signs" && c.System == "http://terminology.hl7.org/CodeSystem/observation-category");
            Assert.Equal(patientUrl, o.Subject!.Reference);
            // ISO 8601 with an offset, as the profile requires of a dateTime carrying a time.
            Assert.Matches(@"T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", ((FhirDateTime)o.Effective!).Value!);
            var quantities = type == "blood-pressure"
                ? o.Component.Select(c => (Code: c.Code!.Coding.Single().Code, Q: (Quantity)c.Value!)).ToList()
                : [(loinc, (Quantity)o.Value!)];
            foreach (var (_, q) in quantities)
            {
                Assert.Equal(Ucum, q.System);
                Assert.Equal(ucum, q.Code);
            }
            if (type == "blood-pressure")
            {
                Assert.Equal(128m, quantities.Single(c => c.Code == "8480-6").Q.Value);
                Assert.Equal(82m, quantities.Single(c => c.Code == "8462-4").Q.Value);
                Assert.Equal("after coffee", o.Note.Single().Text);
            }
            else Assert.Equal(decimal.Parse(reading["value"]!.ToJsonString(), CultureInfo.InvariantCulture), quantities.Single().Q.Value);
        }
    }

    [Fact]
    public async Task An_export_imported_into_a_new_account_gives_the_same_vitals_and_a_second_import_is_a_409()
    {
        var source = await _api.RegisterPatientAsync();
        var target = await _api.RegisterPatientAsync();
        await Text(await Send(HttpMethod.Put, "/api/patients/me/profile", source,
            """{"firstName":"Ana","lastName":"García","allergies":["latex"]}""", "application/json"), HttpStatusCode.OK);
        // Enough readings that the bundle is larger than the Api's default 64 KB body limit.
        var start = DateTimeOffset.UtcNow.AddDays(-20);
        var series = Enumerable.Range(0, 150).Select(i => new JsonObject { ["type"] = "heart-rate", ["value"] = 60 + i % 30, ["recordedAt"] = Iso(start.AddMinutes(10 * i)) });
        await AddVitals(source, EveryVital().Concat(series));
        var exported = await Text(await Send(HttpMethod.Get, Mine, source), HttpStatusCode.OK);
        Assert.True(Encoding.UTF8.GetByteCount(exported) > 64 * 1024, "the bundle should exceed the default body limit");

        var answer = JsonNode.Parse(await Text(await Send(HttpMethod.Post, Mine, target, exported), HttpStatusCode.OK))!.AsObject();
        Assert.Equal(158, answer["imported"]!.GetValue<int>());
        var skipped = answer["skipped"]!.AsArray().Select(s => (s!["index"]!.GetValue<int>(), s["resourceType"]!.GetValue<string>())).ToList();
        Assert.Equal([(0, "Patient"), (1, "AllergyIntolerance")], skipped);

        static string Key(JsonObject r) => string.Join('|', r["type"], r["recordedAt"]!.GetValue<DateTimeOffset>().UtcTicks,
            r["systolic"]?.GetValue<decimal>(), r["diastolic"]?.GetValue<decimal>(), r["value"]?.GetValue<decimal>(), r["unit"], r["note"]);
        var before = (await Vitals(source)).Select(Key).Order().ToList();
        var after = (await Vitals(target)).Select(Key).Order().ToList();
        Assert.Equal(158, before.Count);
        Assert.Equal(before, after);

        // The same readings again are duplicates: refused whole, naming the first entry that repeats one.
        var again = await (await Send(HttpMethod.Post, Mine, target, exported)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("DuplicateRecord", again["reason"]!.GetValue<string>());
        Assert.StartsWith("entry[", again["field"]!.GetValue<string>());
        Assert.Equal(158, (await Vitals(target)).Count);
    }

    private static string At => Iso(DateTimeOffset.UtcNow.AddHours(-1).ToOffset(TimeSpan.FromHours(-5)));

    private static string Obs(string loinc, string value, string? effective = null) =>
        $$"""{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"{{loinc}}"}]},"effectiveDateTime":"{{effective ?? At}}"{{(value.Length > 0 ? "," + value : "")}}}""";

    private static string Qty(string value, string code, string system = Ucum) =>
        $$"""{"value":{{value}},"unit":"{{code}}","system":"{{system}}","code":"{{code}}"}""";

    private static string Bp(string systolic, string? diastolic) =>
        "\"component\":[" + $$"""{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{{Qty(systolic, "mm[Hg]")}}}"""
        + (diastolic is null ? "" : $$""",{"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{{Qty(diastolic, "mm[Hg]")}}}""") + "]";

    /// <summary>A good reading at entry[0], a Patient at entry[1], the bad Observation at entry[2]: nothing may be stored.</summary>
    private static string BundleWith(string bad) =>
        """{"resourceType":"Bundle","type":"collection","entry":[{"resource":""" + Obs("8867-4", "\"valueQuantity\":" + Qty("70", "/min"))
        + """},{"resource":{"resourceType":"Patient","active":true}},{"resource":""" + bad + "}]}";

    public static TheoryData<string, string> BadBundles => new()
    {
        { BundleWith(Obs("12345-6", "\"valueQuantity\":" + Qty("70", "/min"))), "entry[2].resource.code" },
        { BundleWith(Obs("8867-4", "\"valueQuantity\":" + Qty("70", "kg"))), "entry[2].resource.valueQuantity.code" },
        { BundleWith(Obs("8867-4", "\"valueQuantity\":" + Qty("70", "/min", "http://example.org/units"))), "entry[2].resource.valueQuantity.system" },
        { BundleWith(Obs("8310-5", "\"valueQuantity\":" + Qty("98.6", "[degF]"))), "entry[2].resource.valueQuantity.code" },
        { BundleWith(Obs("8867-4", "\"valueQuantity\":{\"unit\":\"/min\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"/min\"}")), "entry[2].resource.valueQuantity.value" },
        { BundleWith(Obs("8867-4", "")), "entry[2].resource.valueQuantity" },
        { BundleWith(Obs("8867-4", "\"valueQuantity\":" + Qty("500", "/min"))), "entry[2].resource.valueQuantity.value" },
        { BundleWith(Obs("85354-9", Bp("120", null))), "entry[2].resource.component" },
        { BundleWith(Obs("85354-9", Bp("80", "120"))), "entry[2].resource.component[1].valueQuantity.value" },
        { BundleWith(Obs("8867-4", "\"valueQuantity\":" + Qty("70", "/min"), "2024-01-01")), "entry[2].resource.effectiveDateTime" },
        { BundleWith(Obs("8867-4", "\"valueQuantity\":" + Qty("70", "/min"), Iso(DateTimeOffset.UtcNow.AddDays(1)))), "entry[2].resource.effectiveDateTime" },
        { BundleWith("""{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"valueQuantity":{"value":70,"code":"/min"}}"""), "entry[2].resource.effectiveDateTime" },
        { """{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:6f1c2d3e-0000-4000-8000-000000000001"}]}""", "entry[0].resource" },
        { """{"resourceType":"Bundle","type":"history"}""", "type" },
        { """{"resourceType":"Patient","name":[{"family":"García"}]}""", "resourceType" },
        { """{"type":"collection","entry":[]}""", "resourceType" },
        { """{"resourceType":"Bundle","type":"collection","entry":[""", "body" },
        { """[1,2,3]""", "body" },
        { """{"resourceType":"Bundle","type":"collection","entry":"not a list"}""", "body" },
        { """{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Observation","valueQuantity":{"value":"seventy"}}}]}""", "body" },
    };

    [Theory]
    [MemberData(nameof(BadBundles))]
    public async Task A_bundle_it_cannot_map_is_a_400_naming_the_entry_and_stores_nothing(string bundle, string field)
    {
        var importer = await factory.SharedAsync("fhir-importer", () => _api.RegisterPatientAsync());
        await (await Send(HttpMethod.Post, Mine, importer, bundle)).ValidationProblemAsync(field);
        Assert.Empty(await Vitals(importer));
    }

    [Fact]
    public async Task Only_fhir_or_plain_json_is_taken_and_a_body_over_the_limit_is_a_413()
    {
        var importer = await factory.SharedAsync("fhir-importer", () => _api.RegisterPatientAsync());
        var good = BundleWith(Obs("9279-1", "\"valueQuantity\":" + Qty("14", "/min")));
        await (await Send(HttpMethod.Post, Mine, importer, good, "text/plain")).ProblemAsync(HttpStatusCode.UnsupportedMediaType);
        await (await Send(HttpMethod.Post, Mine, importer, good, "application/xml")).ProblemAsync(HttpStatusCode.UnsupportedMediaType);
        var huge = $$"""{"resourceType":"Bundle","type":"collection","id":"{{new string('x', 1_100_000)}}"}""";
        await (await Send(HttpMethod.Post, Mine, importer, huge)).ProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty(await Vitals(importer));
        await (await Send(HttpMethod.Post, Mine, importer, "", "application/json")).ValidationProblemAsync("body");
        await (await Send(HttpMethod.Post, Mine, null, good)).ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_patient_with_thousands_of_readings_is_exported_whole_across_pages()
    {
        var patient = await _api.RegisterPatientAsync();
        var start = DateTimeOffset.UtcNow.AddDays(-30);
        for (var batch = 0; batch < 3; batch++)
            await AddVitals(patient, Enumerable.Range(batch * 400, 400).Select(i =>
                new JsonObject { ["type"] = "weight", ["value"] = 60 + i % 20, ["recordedAt"] = Iso(start.AddMinutes(10 * i)) }));

        var clock = Stopwatch.StartNew();
        var r = await Send(HttpMethod.Get, Mine, patient);
        var bundle = Parser.Deserialize<Bundle>(await Text(r, HttpStatusCode.OK));
        clock.Stop();
        var observations = All<Observation>(bundle);
        Assert.Equal(1200, observations.Count);
        Assert.Equal(1200, observations.Select(o => o.Id).Distinct().Count());
        Assert.False(r.Headers.Contains("X-Fhir-Truncated"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the export took {clock.Elapsed}");
    }

    private static System.Threading.Tasks.Task<long> Audits(Guid actor, Guid patient, string action) =>
        BookingDb.CountAsync("SELECT count(*) FROM audit_events WHERE actor_id = $1 AND subject_id = $2 AND action = $3", actor, patient, action);

    [Fact]
    public async Task Another_persons_export_needs_access_and_every_read_by_someone_else_is_audited()
    {
        var patient = await _api.RegisterPatientAsync();
        var stranger = await _api.RegisterPatientAsync();
        var doctor = await _api.CreateDoctorAsync();
        var admin = await _api.AdminAsync();
        await AddVitals(patient, EveryVital().Take(2));
        var url = $"/api/patients/{patient.Id}/fhir";

        Assert.Single(All<Observation>(await Export(url, patient)), o => o.Code!.Coding[0].Code == "8867-4");
        Assert.Equal(0, await BookingDb.CountAsync("SELECT count(*) FROM audit_events WHERE subject_id = $1", patient.Id));

        await (await Send(HttpMethod.Get, url, null)).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await Send(HttpMethod.Get, url, stranger)).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(1, await Audits(stranger.Id, patient.Id, "patient.fhir.read.denied"));
        await (await Send(HttpMethod.Get, $"/api/patients/{Guid.NewGuid()}/fhir", doctor.Account)).ProblemAsync(HttpStatusCode.NotFound);
        await (await Send(HttpMethod.Get, url, doctor.Account)).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(1, await Audits(doctor.Id, patient.Id, "patient.fhir.read.denied"));

        var byAdmin = await Export(url, admin);
        Assert.Equal(2, All<Observation>(byAdmin).Count);
        Assert.Equal(1, await Audits(admin.Id, patient.Id, "patient.fhir.read"));

        var appointment = await _api.BookOkAsync(patient, doctor.Id, await _api.FreeSlotAsync(doctor.Id, TimeSpan.FromHours(60)));
        var byDoctor = await Export(url, doctor.Account);
        Assert.Equal(patient.Id.ToString(), Assert.Single(All<Patient>(byDoctor)).Id);
        Assert.Equal(2, All<Observation>(byDoctor).Count);
        Assert.Equal(1, await BookingDb.CountAsync(
            "SELECT count(*) FROM audit_events WHERE actor_id = $1 AND subject_id = $2 AND action = 'patient.fhir.read' AND detail = $3",
            doctor.Id, patient.Id, $"appointment {appointment.Id}"));
        // The export reads the profile on the patient's behalf: one audited read, not a second profile-read row.
        Assert.Equal(0, await Audits(doctor.Id, patient.Id, "patient.profile.read"));
    }
}
