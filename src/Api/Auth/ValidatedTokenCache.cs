using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HealthActors.Api.Auth;

/// <summary>
/// The bearer scheme's token handler, remembering on this node the access tokens whose signature, issuer, audience
/// and lifetime it has already checked, so that a client sending the same token again does not pay for parsing and
/// an HMAC again. Only what cannot change for a given token string is remembered: an entry ends at the token's
/// <c>exp</c> (never later, though validation itself allows the clock skew past it), and only successes are kept.
/// Whether the token's session is still open is NOT part of it: the bearer events ask <see cref="SessionValidity"/>
/// on every request, hit or miss, so logout, refresh-token reuse and role changes stop a cached token at once.
/// </summary>
public sealed class ValidatedTokenCache : JsonWebTokenHandler
{
    /// <summary>Tokens remembered at most; beyond that new tokens are validated without being kept.</summary>
    public const int MaxEntries = 20_000;

    // The identity is kept as a private copy and handed out as a fresh copy: later stages of a request may change it.
    private sealed record Entry(SecurityToken Token, string Issuer, string TokenType, ClaimsIdentity Identity, DateTime ExpiresUtc);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private long _hits;

    public ValidatedTokenCache(TimeProvider time)
    {
        _time = time;
        // The claims are read by their JWT names (sub, role, sid), as the default handler was configured.
        MapInboundClaims = false;
    }

    /// <summary>Requests whose token check was answered from here (tests use it to show the cache was used).</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Whether this token's check is remembered (tests use it to show a refused token was a cached one).</summary>
    public bool Holds(string token) => _entries.ContainsKey(token);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        if (_entries.TryGetValue(token, out var known))
        {
            if (now < known.ExpiresUtc)
            {
                Interlocked.Increment(ref _hits);
                return new TokenValidationResult
                {
                    IsValid = true,
                    SecurityToken = known.Token,
                    Issuer = known.Issuer,
                    TokenType = known.TokenType,
                    ClaimsIdentity = known.Identity.Clone(),
                };
            }
            _entries.TryRemove(new KeyValuePair<string, Entry>(token, known));
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is JsonWebToken jwt && jwt.ValidTo > now)
        {
            if (_entries.Count >= MaxEntries) DropExpired(now);
            if (_entries.Count < MaxEntries)
                _entries[token] = new Entry(jwt, result.Issuer, result.TokenType, result.ClaimsIdentity.Clone(), jwt.ValidTo);
        }
        return result;
    }

    private void DropExpired(DateTime now)
    {
        foreach (var (token, entry) in _entries)
            if (now >= entry.ExpiresUtc) _entries.TryRemove(new KeyValuePair<string, Entry>(token, entry));
    }
}
