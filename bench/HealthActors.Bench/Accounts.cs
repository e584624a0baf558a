using System.Net.Http.Headers;
using System.Security.Cryptography;
using HealthActors.TestKit;

namespace HealthActors.Bench;

/// <summary>A signed-in bench user. Refreshed before it could expire during a long run.</summary>
internal sealed class BenchUser(string accessToken, string refreshToken)
{
    private DateTime _obtained = DateTime.UtcNow;
    public string AccessToken { get; private set; } = accessToken;
    private string _refreshToken = refreshToken;

    public static BenchUser From(Tokens tokens) => new(tokens.AccessToken, tokens.RefreshToken);

    public AuthenticationHeaderValue Bearer => new("Bearer", AccessToken);

    public async Task EnsureFreshAsync(HttpClient http, Uri api, CancellationToken ct)
    {
        // Access tokens live 15 minutes by default; a connection opened with an expired one is refused.
        if (DateTime.UtcNow - _obtained < TimeSpan.FromMinutes(10)) return;
        var pair = await new ApiDriver(http, api).RefreshAsync(_refreshToken, ct);
        AccessToken = pair.AccessToken;
        _refreshToken = pair.RefreshToken;
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
        var driver = new ApiDriver(http, api);
        var users = new BenchUser[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = HashParallelism, CancellationToken = ct },
            async (i, token) =>
            {
                users[i] = BenchUser.From(await driver.RegisterTokensAsync($"bench-{run}-{i}@bench.example", NewPassword(), $"Bench user {i}", token));
            });
        return [.. users];
    }

    public static async Task<BenchUser> SignInAsync(HttpClient http, Uri api, string email, string password, CancellationToken ct) =>
        BenchUser.From(await new ApiDriver(http, api).SignInAsync(email, password, ct));
}
