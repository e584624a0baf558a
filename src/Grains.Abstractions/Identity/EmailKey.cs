using System.Security.Cryptography;
using System.Text;

namespace HealthActors.Grains.Abstractions.Identity;

/// <summary>
/// Emails are keys of the email index grain. A raw string key would be risky in Orleans (a '+' in
/// "ana+test@x.org" splits off a key extension, and the ADO.NET provider reads all-hex strings as
/// integers), so the key is a Guid taken from the SHA-256 of the normalized address.
/// </summary>
public static class EmailKey
{
    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    public static Guid For(string email)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("email:" + Normalize(email)), hash);
        return new Guid(hash[..16]);
    }
}
