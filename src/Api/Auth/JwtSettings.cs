using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace HealthActors.Api.Auth;

/// <summary>Configuration section "Jwt". The signing key never has a default in a deployed system.</summary>
public sealed class JwtSettings
{
    public string Issuer { get; init; } = "healthactors";
    public string Audience { get; init; } = "healthactors-api";
    public int AccessTokenMinutes { get; init; } = 15;
    public int ClockSkewSeconds { get; init; } = 30;
    public required SymmetricSecurityKey SigningKey { get; init; }

    public const int MinKeyBytes = 32;

    /// <summary>
    /// Jwt:SigningKey (at least 32 bytes of text) from configuration; in the embedded development mode,
    /// when none is set, a random key is generated once and kept in .data/jwt-signing.key so tokens survive
    /// a restart. Any other mode without a key refuses to start.
    /// </summary>
    public static JwtSettings From(IConfiguration config, bool embedded, string dataDirectory, ILogger log)
    {
        var section = config.GetSection("Jwt");
        var key = section["SigningKey"];
        if (string.IsNullOrEmpty(key))
        {
            if (!embedded)
                throw new InvalidOperationException("Jwt:SigningKey is required (environment Jwt__SigningKey, at least 32 characters).");
            key = LoadOrCreateDevelopmentKey(dataDirectory);
            log.LogWarning("No Jwt:SigningKey configured: using the development key kept under {Directory}", dataDirectory);
        }
        var bytes = Encoding.UTF8.GetBytes(key);
        if (bytes.Length < MinKeyBytes)
            throw new InvalidOperationException($"Jwt:SigningKey must be at least {MinKeyBytes} bytes.");
        return new JwtSettings
        {
            Issuer = section["Issuer"] ?? "healthactors",
            Audience = section["Audience"] ?? "healthactors-api",
            AccessTokenMinutes = section.GetValue("AccessTokenMinutes", 15),
            ClockSkewSeconds = section.GetValue("ClockSkewSeconds", 30),
            SigningKey = new SymmetricSecurityKey(bytes) { KeyId = Convert.ToHexString(SHA256.HashData(bytes))[..16] },
        };
    }

    private static string LoadOrCreateDevelopmentKey(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, "jwt-signing.key");
        if (File.Exists(path)) return File.ReadAllText(path).Trim();
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var writer = new StreamWriter(path, System.Text.Encoding.UTF8, options)) writer.Write(key);
        return key;
    }
}
