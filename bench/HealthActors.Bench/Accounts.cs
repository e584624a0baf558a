using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace HealthActors.Bench;

/// <summary>A signed-in bench user. Refreshed before it could expire during a long run.</summary>
internal sealed class BenchUser(string accessToken, string refreshToken)
{
    private DateTime _obtained = DateTime.UtcNow;
    public string AccessToken { get; private set; } = accessToken;
    private string _refreshToken = refreshToken;

    public static BenchUser From(JsonElement tokens) =>
        new(tokens.GetProperty("accessToken").GetString()!, tokens.GetProperty("refreshToken").GetString()!);

    public AuthenticationHeaderValue Bearer => new("Bearer", AccessToken);

    public async Task EnsureFreshAsync(HttpClient http, Uri api, CancellationToken ct)
    {
        // Access tokens live 15 minutes by default; a connection opened with an expired one is refused.
        if (DateTime.UtcNow - _obtained < TimeSpan.FromMinutes(10)) return;
        using var response = await http.PostAsJsonAsync(new Uri(api, "/api/auth/refresh"), new { refreshToken = _refreshToken }, ct);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"token refresh failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        var pair = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        AccessToken = pair.GetProperty("accessToken").GetString()!;
        _refreshToken = pair.GetProperty("refreshToken").GetString()!;
        _obtained = DateTime.UtcNow;
    }
}

internal static class Accounts
{
    /// <summary>
    /// Creating an account is a deliberately slow password hash (PBKDF2, 210k iterations): a few at a time keep the
    /// machine's few cores usable for everything else.
    /// </summary>
    public const int HashParallelism = 4;

    public static string NewPassword() => "Bench-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));

    /// <summary>Patients (the default role of a registration), with addresses unique to this run.</summary>
    public static async Task<List<BenchUser>> RegisterAsync(HttpClient http, Uri api, int count, CancellationToken ct)
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        var users = new BenchUser[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = HashParallelism, CancellationToken = ct },
            async (i, token) =>
            {
                var body = new { email = $"bench-{run}-{i}@bench.example", password = NewPassword(), name = $"Bench user {i}" };
                using var response = await http.PostAsJsonAsync(new Uri(api, "/api/auth/register"), body, token);
                if (response.StatusCode != HttpStatusCode.Created)
                    throw new InvalidOperationException($"registration failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(token)}");
                users[i] = BenchUser.From(await response.Content.ReadFromJsonAsync<JsonElement>(token));
            });
        return [.. users];
    }

    public static async Task<BenchUser> SignInAsync(HttpClient http, Uri api, string email, string password, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync(new Uri(api, "/api/auth/login"), new { email, password }, ct);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"sign-in of {email} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        return BenchUser.From(await response.Content.ReadFromJsonAsync<JsonElement>(ct));
    }
}
