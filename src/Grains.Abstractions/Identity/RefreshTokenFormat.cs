using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace HealthActors.Grains.Abstractions.Identity;

/// <summary>
/// A refresh token is 48 random-looking bytes, base64url: the 16-byte family id followed by 32 bytes
/// from the OS CSPRNG. The family id routes the token to its grain; only a SHA-256 of the whole token is
/// ever stored.
/// </summary>
public static class RefreshTokenFormat
{
    private const int FamilyBytes = 16;
    private const int SecretBytes = 32;

    public static string Create(Guid familyId)
    {
        Span<byte> raw = stackalloc byte[FamilyBytes + SecretBytes];
        familyId.TryWriteBytes(raw[..FamilyBytes]);
        RandomNumberGenerator.Fill(raw[FamilyBytes..]);
        return Base64Url.EncodeToString(raw);
    }

    public static bool TryGetFamily(string? token, out Guid familyId)
    {
        familyId = Guid.Empty;
        // 48 bytes encode to exactly 64 base64url characters; anything else is not ours.
        if (token is not { Length: 64 } || !Base64Url.IsValid(token)) return false;
        Span<byte> raw = stackalloc byte[FamilyBytes + SecretBytes];
        if (!Base64Url.TryDecodeFromChars(token, raw, out var written) || written != raw.Length) return false;
        familyId = new Guid(raw[..FamilyBytes]);
        return true;
    }

    public static string Hash(string token) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
