using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HealthActors.Tests.Processes;

/// <summary>A registered patient and the profile body the Api answered with after writing it.</summary>
public sealed record StoredPatient(TestUser User, JsonNode Profile);

/// <summary>One GET of a profile: the status and the body, parsed when it is JSON.</summary>
public sealed record ProfileRead(HttpStatusCode Status, JsonNode? Body, string Raw)
{
    public override string ToString() => $"{(int)Status} {Raw}";
}

public static class Patients
{
    /// <summary>
    /// Settings for an Api whose profile reads must reach the patient grains: tests that use those reads to probe
    /// whether grains came back after a silo's loss. The Api's read cache (ReadCache) would otherwise answer a
    /// repeated read without asking a grain, and such a test would pass without proving anything.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ReadThroughToGrains => new Dictionary<string, string> { ["Api__ReadCache"] = "false" };

    /// <summary>Every profile field set, distinct per <paramref name="n"/> so that a mixed-up grain shows.</summary>
    public static JsonObject FullProfile(int n) => new()
    {
        ["firstName"] = $"Ana{n}",
        ["lastName"] = "García",
        ["birthDate"] = $"19{60 + n % 40:00}-04-{1 + n % 28:00}",
        ["sex"] = "female",
        ["phone"] = $"+54911555{n:00000}",
        ["nationalId"] = $"DNI-{n:000000}",
        // Kept inside the validated ranges however many writes a test makes (the outage test numbers every write).
        ["heightCm"] = 150.5m + n % 100,
        ["weightKg"] = 55.25m + n % 100,
        ["bloodType"] = "O+",
        ["allergies"] = new JsonArray("penicillin", $"allergen-{n}"),
        ["conditions"] = new JsonArray("asthma"),
        ["medications"] = new JsonArray(new JsonObject { ["name"] = "salbutamol", ["dose"] = "100 mcg", ["frequency"] = $"every {n + 1} h" }),
        ["dietaryPreferences"] = new JsonArray("vegetarian"),
        ["emergencyContact"] = new JsonObject { ["name"] = $"Luis García {n}", ["phone"] = "+5491155559999", ["relationship"] = "brother" },
        ["preferredLanguage"] = "es-AR",
        ["timeZone"] = "America/Argentina/Buenos_Aires",
        ["country"] = "AR",
    };

    /// <summary>Registers and writes the profile of patients numbered <paramref name="first"/>.., a few at a time.</summary>
    public static async Task<List<StoredPatient>> CreateAsync(HttpClient http, int first, int count)
    {
        var created = new StoredPatient[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
        {
            var user = await http.RegisterAsync(name: $"Patient {first + i}");
            created[i] = new StoredPatient(user, await PutAsync(http, user, FullProfile(first + i)));
        });
        return [.. created];
    }

    public static async Task<JsonNode> PutAsync(HttpClient http, TestUser user, JsonObject profile)
    {
        var stored = await http.Driver().PutProfileAsync(user.Tokens.AccessToken, profile);
        AssertSameAsSent(profile, stored);
        return stored;
    }

    public static async Task<ProfileRead> GetAsync(HttpClient http, string accessToken)
    {
        var response = await http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/api/patients/me/profile", accessToken));
        var raw = await response.Content.ReadAsStringAsync();
        JsonNode? body = null;
        try { body = JsonNode.Parse(raw); } catch (JsonException) { }
        return new ProfileRead(response.StatusCode, body, raw);
    }

    /// <summary>Reads every profile once, without retrying, and requires each to be exactly what was stored.</summary>
    public static async Task AssertAllReadableAsync(HttpClient http, IReadOnlyList<StoredPatient> patients)
    {
        var reads = await Task.WhenAll(patients.Select(p => GetAsync(http, p.User.Tokens.AccessToken)));
        var wrong = patients.Zip(reads)
            .Where(x => x.Second.Status != HttpStatusCode.OK || !JsonNode.DeepEquals(x.First.Profile, x.Second.Body))
            .Select(x => $"{x.First.User.Email}: {x.Second}")
            .ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {patients.Count} profiles not read back as stored:\n" + string.Join("\n", wrong));
    }

    /// <summary>What the Api stores is what was sent, plus the time of the write.</summary>
    public static void AssertSameAsSent(JsonObject sent, JsonNode stored)
    {
        var copy = stored.DeepClone().AsObject();
        Assert.True(copy.Remove("updatedAt", out var updatedAt) && updatedAt is not null, $"no updatedAt in {stored.ToJsonString()}");
        // Compared as parsed JSON on both sides, so that number representations cannot differ.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(sent.ToJsonString()), copy), $"sent {sent.ToJsonString()}\nstored {stored.ToJsonString()}");
    }
}
