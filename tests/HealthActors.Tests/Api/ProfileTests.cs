using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace HealthActors.Tests.Api;

public sealed partial class ProfileTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string Url = "/api/patients/me/profile";
    private readonly HttpClient _http = factory.CreateClient();

    private static readonly string[] AllFields =
    [
        "firstName", "lastName", "birthDate", "sex", "phone", "nationalId", "heightCm", "weightKg", "bloodType", "allergies",
        "conditions", "medications", "dietaryPreferences", "emergencyContact", "preferredLanguage", "timeZone", "updatedAt",
    ];

    // ISO 8601 with an explicit offset: a bare local time would be ambiguous to clients in other zones.
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex Iso8601WithOffset();

    public static JsonObject FullProfile() => new()
    {
        ["firstName"] = "Ana María",
        ["lastName"] = "García-Núñez",
        ["birthDate"] = "1990-04-12",
        ["sex"] = "female",
        ["phone"] = "+5491155550123",
        ["nationalId"] = "30.123.456",
        ["heightCm"] = 165.5m,
        ["weightKg"] = 61.25m,
        ["bloodType"] = "AB-",
        ["allergies"] = new JsonArray("penicillin", "peanuts"),
        ["conditions"] = new JsonArray("asthma", "hypothyroidism"),
        ["medications"] = new JsonArray(
            new JsonObject { ["name"] = "levothyroxine", ["dose"] = "50 mcg", ["frequency"] = "daily" },
            new JsonObject { ["name"] = "salbutamol", ["dose"] = "100 mcg", ["frequency"] = "as needed" }),
        ["dietaryPreferences"] = new JsonArray("vegetarian", "gluten-free"),
        ["emergencyContact"] = new JsonObject { ["name"] = "Luis García", ["phone"] = "+5491155550999", ["relationship"] = "brother" },
        ["preferredLanguage"] = "es-AR",
        ["timeZone"] = "America/Argentina/Buenos_Aires",
    };

    private async Task<JsonObject> Send(HttpMethod method, string token, JsonObject? body = null)
    {
        var request = body is null
            ? ApiClientExtensions.Authed(method, Url, token)
            : ApiClientExtensions.RawJson(method, Url, token, body.ToJsonString());
        var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method} {Url}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(text)!.AsObject();
    }

    [Fact]
    public async Task Get_before_any_put_is_200_with_every_field_present_and_null()
    {
        var user = await _http.RegisterAsync();
        var profile = await Send(HttpMethod.Get, user.Tokens.AccessToken);
        foreach (var field in AllFields)
        {
            Assert.True(profile.ContainsKey(field), $"'{field}' is missing from {profile.ToJsonString()}");
            Assert.Null(profile[field]);
        }
    }

    [Fact]
    public async Task Put_then_get_round_trips_every_field()
    {
        var user = await _http.RegisterAsync();
        var sent = FullProfile();
        var before = DateTimeOffset.UtcNow;
        var put = await Send(HttpMethod.Put, user.Tokens.AccessToken, sent);
        var after = DateTimeOffset.UtcNow;
        var got = await Send(HttpMethod.Get, user.Tokens.AccessToken);

        foreach (var (field, value) in sent)
        {
            Assert.True(JsonNode.DeepEquals(value, got[field]), $"GET '{field}': sent {value?.ToJsonString()}, got {got[field]?.ToJsonString()}");
            Assert.True(JsonNode.DeepEquals(value, put[field]), $"PUT '{field}': sent {value?.ToJsonString()}, got {put[field]?.ToJsonString()}");
        }
        // Spelled out as well so that a renamed or dropped property cannot hide behind the loop above.
        Assert.Equal("1990-04-12", got["birthDate"]!.GetValue<string>());
        Assert.Equal(165.5m, got["heightCm"]!.GetValue<decimal>());
        Assert.Equal(61.25m, got["weightKg"]!.GetValue<decimal>());
        Assert.Equal("AB-", got["bloodType"]!.GetValue<string>());
        Assert.Equal("as needed", got["medications"]![1]!["frequency"]!.GetValue<string>());
        Assert.Equal("+5491155550999", got["emergencyContact"]!["phone"]!.GetValue<string>());
        Assert.Equal("America/Argentina/Buenos_Aires", got["timeZone"]!.GetValue<string>());

        var updatedAt = got["updatedAt"]!.GetValue<string>();
        Assert.Matches(Iso8601WithOffset(), updatedAt);
        var stamp = DateTimeOffset.Parse(updatedAt, CultureInfo.InvariantCulture);
        // The server and the test share a clock; the slack only absorbs sub-second rounding.
        Assert.InRange(stamp, before.AddSeconds(-1), after.AddSeconds(1));
        Assert.Equal(put["updatedAt"]!.GetValue<string>(), updatedAt);
    }

    [Fact]
    public async Task Put_replaces_the_whole_profile_and_moves_updatedAt_forward()
    {
        var user = await _http.RegisterAsync();
        var first = await Send(HttpMethod.Put, user.Tokens.AccessToken, FullProfile());
        var second = await Send(HttpMethod.Put, user.Tokens.AccessToken, new JsonObject { ["firstName"] = "Ana", ["lastName"] = "García" });

        var got = await Send(HttpMethod.Get, user.Tokens.AccessToken);
        Assert.Equal("Ana", got["firstName"]!.GetValue<string>());
        foreach (var field in AllFields.Except(["firstName", "lastName", "updatedAt"]))
            Assert.True(got[field] is null, $"'{field}' should be cleared by a replacing PUT, got {got[field]?.ToJsonString()}");
        Assert.True(DateTimeOffset.Parse(second["updatedAt"]!.GetValue<string>(), CultureInfo.InvariantCulture)
                    > DateTimeOffset.Parse(first["updatedAt"]!.GetValue<string>(), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Text_is_stored_trimmed_and_blank_optional_text_as_null()
    {
        var user = await _http.RegisterAsync();
        var body = FullProfile();
        body["firstName"] = "  Ana  ";
        body["allergies"] = new JsonArray(" penicillin ");
        body["medications"] = new JsonArray(new JsonObject { ["name"] = " ibuprofen ", ["dose"] = "   ", ["frequency"] = null });
        await Send(HttpMethod.Put, user.Tokens.AccessToken, body);

        var got = await Send(HttpMethod.Get, user.Tokens.AccessToken);
        Assert.Equal("Ana", got["firstName"]!.GetValue<string>());
        Assert.Equal("penicillin", got["allergies"]![0]!.GetValue<string>());
        Assert.Equal("ibuprofen", got["medications"]![0]!["name"]!.GetValue<string>());
        Assert.Null(got["medications"]![0]!["dose"]);
    }

    [Fact]
    public async Task Updated_at_sent_by_the_client_is_ignored()
    {
        var user = await _http.RegisterAsync();
        var body = FullProfile();
        body["updatedAt"] = "2001-01-01T00:00:00+00:00";
        var put = await Send(HttpMethod.Put, user.Tokens.AccessToken, body);
        var stamp = DateTimeOffset.Parse(put["updatedAt"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        Assert.True(stamp > DateTimeOffset.UtcNow.AddMinutes(-5), $"the client's updatedAt was kept: {stamp:O}");
    }
}
