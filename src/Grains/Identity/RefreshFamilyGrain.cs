using HealthActors.Grains.Abstractions.Identity;
using Microsoft.Extensions.Options;

namespace HealthActors.Grains.Identity;

[GenerateSerializer, Alias("ha.identity.RefreshFamilyState")]
public sealed class RefreshFamilyState
{
    [Id(0)] public Guid UserId { get; set; }
    [Id(1)] public string? CurrentHash { get; set; }
    [Id(2)] public DateTimeOffset CurrentExpiresAt { get; set; }
    [Id(3)] public List<string> RedeemedHashes { get; set; } = [];
    [Id(4)] public bool Revoked { get; set; }
    [Id(5)] public DateTimeOffset CreatedAt { get; set; }
}

public sealed class RefreshFamilyGrain(
    [PersistentState("refresh-family", StorageNames.Store)] IPersistentState<RefreshFamilyState> state,
    IOptions<IdentityRulesOptions> options,
    TimeProvider time) : Grain, IRefreshFamilyGrain
{
    // Replays of the latest 200 exchanged tokens revoke the family; older ones are merely invalid. This keeps
    // the state small (it is rewritten on every rotation).
    private const int RedeemedToKeep = 200;

    public async Task<IssuedRefreshToken> Start(Guid userId)
    {
        if (state.State.CurrentHash is not null) throw new InvalidOperationException("Refresh family already started.");
        state.State.UserId = userId;
        state.State.CreatedAt = time.GetUtcNow();
        var issued = Issue();
        await state.WriteStateAsync();
        return issued;
    }

    public async Task<RefreshResult> Rotate(string presentedToken)
    {
        var s = state.State;
        if (s.CurrentHash is null) return new RefreshResult(RefreshStatus.Invalid, Guid.Empty, null, null);
        if (s.Revoked) return new RefreshResult(RefreshStatus.Revoked, s.UserId, null, null);

        var hash = RefreshTokenFormat.Hash(presentedToken);
        if (hash == s.CurrentHash)
        {
            if (s.CurrentExpiresAt <= time.GetUtcNow()) return new RefreshResult(RefreshStatus.Expired, s.UserId, null, null);
            s.RedeemedHashes.Add(hash);
            if (s.RedeemedHashes.Count > RedeemedToKeep) s.RedeemedHashes.RemoveRange(0, s.RedeemedHashes.Count - RedeemedToKeep);
            var issued = Issue();
            await state.WriteStateAsync();
            return new RefreshResult(RefreshStatus.Rotated, s.UserId, issued.Token, issued.ExpiresAt);
        }
        if (s.RedeemedHashes.Contains(hash))
        {
            // A token that was already exchanged is back: one of its holders is not the user. Cut the whole line.
            s.Revoked = true;
            await state.WriteStateAsync();
            await EndSession();
            return new RefreshResult(RefreshStatus.ReuseDetected, s.UserId, null, null);
        }
        return new RefreshResult(RefreshStatus.Invalid, Guid.Empty, null, null);
    }

    public async Task<bool> Revoke(string presentedToken)
    {
        var s = state.State;
        if (s.CurrentHash is null) return false;
        var hash = RefreshTokenFormat.Hash(presentedToken);
        if (hash != s.CurrentHash && !s.RedeemedHashes.Contains(hash)) return false;
        if (!s.Revoked)
        {
            s.Revoked = true;
            await state.WriteStateAsync();
        }
        // Also on a repeat: a first attempt may have stopped between the two writes.
        await EndSession();
        return true;
    }

    /// <summary>The session's access tokens stop working too, not only its refresh token.</summary>
    private Task EndSession() => GrainFactory.GetGrain<IAccountGrain>(state.State.UserId).EndSession(this.GetPrimaryKey());

    private IssuedRefreshToken Issue()
    {
        var token = RefreshTokenFormat.Create(this.GetPrimaryKey());
        state.State.CurrentHash = RefreshTokenFormat.Hash(token);
        state.State.CurrentExpiresAt = time.GetUtcNow().AddDays(options.Value.RefreshTokenDays);
        return new IssuedRefreshToken(token, state.State.CurrentExpiresAt);
    }
}
