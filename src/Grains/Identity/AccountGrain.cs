using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Audit;
using Microsoft.AspNetCore.Identity;

namespace HealthActors.Grains.Identity;

[GenerateSerializer, Alias("ha.identity.AccountState")]
public sealed class AccountState
{
    [Id(0)] public string? Email { get; set; }
    [Id(1)] public string Name { get; set; } = "";
    [Id(2)] public string Role { get; set; } = Roles.Patient;
    [Id(3)] public string PasswordHash { get; set; } = "";
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Sessions (refresh-token families) ended, and when; kept while their access tokens could still be alive.</summary>
    [Id(5)] public Dictionary<Guid, DateTimeOffset> EndedSessions { get; set; } = [];
}

public sealed class AccountGrain(
    [PersistentState("account", StorageNames.Store)] IPersistentState<AccountState> state,
    IPasswordHasher<AccountUser> hasher,
    IAuditLog audit,
    TimeProvider time) : Grain, IAccountGrain
{
    private Guid UserId => this.GetPrimaryKey();
    private bool Exists => state.State.Email is not null;

    public async Task<UserSummary> Create(string email, string password, string name, string role)
    {
        var normalized = EmailKey.Normalize(email);
        if (Exists)
        {
            // A retried registration for the same email is answered with what exists; anything else is a bug.
            if (state.State.Email == normalized) return Summary();
            throw new InvalidOperationException("This account already exists with another email.");
        }
        var errors = new ValidationErrors();
        CredentialRules.ValidateRegistration(errors, email, password, name);
        if (!Roles.IsKnown(role)) errors.Add("role", "is not a known role");
        errors.ThrowIfInvalid();

        state.State.Email = normalized;
        state.State.Name = TextNormalization.Normalize(name).Trim();
        state.State.Role = role;
        state.State.PasswordHash = hasher.HashPassword(AccountUser.Instance, password);
        state.State.CreatedAt = time.GetUtcNow();
        await state.WriteStateAsync();
        return Summary();
    }

    public async Task<UserSummary?> VerifyPassword(string password)
    {
        if (!Exists) return null;
        var result = hasher.VerifyHashedPassword(AccountUser.Instance, state.State.PasswordHash, password);
        if (result == PasswordVerificationResult.Failed) return null;
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            // Older hashes (fewer iterations) are upgraded the moment the password is known.
            state.State.PasswordHash = hasher.HashPassword(AccountUser.Instance, password);
            await state.WriteStateAsync();
        }
        return Summary();
    }

    public Task<UserSummary?> GetSummary() => Task.FromResult(Exists ? Summary() : null);

    public Task<bool> IsSessionValid(Guid sessionId, string role) =>
        Task.FromResult(Exists && state.State.Role == role && !state.State.EndedSessions.ContainsKey(sessionId));

    public async Task EndSession(Guid sessionId)
    {
        if (!Exists) return;
        if (state.State.EndedSessions.ContainsKey(sessionId))
        {
            // A retry after a failed push: the end is stored, the nodes may not know yet.
            await TellNodes();
            return;
        }
        var now = time.GetUtcNow();
        // Access tokens live minutes (Jwt:AccessTokenMinutes); after two days an ended session's tokens are long expired.
        foreach (var old in state.State.EndedSessions.Where(e => now - e.Value > TimeSpan.FromDays(2)).Select(e => e.Key).ToList())
            state.State.EndedSessions.Remove(old);
        state.State.EndedSessions[sessionId] = now;
        await state.WriteStateAsync();
        await TellNodes();
    }

    /// <summary>
    /// Api nodes cache <see cref="IsSessionValid"/> answers; the change is answered only after every node has
    /// dropped this user's, so a logout that returns is in force on every node.
    /// </summary>
    private Task TellNodes() => GrainFactory.TellApiNodes(UserId);

    public async Task<UserSummary?> SetRole(string role, Caller changedBy)
    {
        if (!Roles.IsKnown(role))
            throw new DomainValidationException(new Dictionary<string, string[]> { ["role"] = ["must be one of: patient, doctor, admin"] });
        if (!changedBy.IsAdmin) throw new AccessDeniedException("Only an admin changes roles.");
        if (changedBy.UserId == UserId && role != Roles.Admin)
            throw new DomainValidationException(new Dictionary<string, string[]> { ["role"] = ["an admin cannot demote themselves; ask another admin"] });
        if (!Exists) return null;
        if (state.State.Role != role)
        {
            var previous = state.State.Role;
            await audit.Record(new AuditEvent(time.GetUtcNow(), changedBy.UserId, changedBy.Role, "account.role.changed", UserId, $"{previous} -> {role}"));
            // Retired before the role is stored: if this call fails part-way, the doctor is already out of the
            // catalog (the safe side), and the admin's retry finds the retirement done or finishes it.
            if (previous == Roles.Doctor) await GrainFactory.GetGrain<IDoctorGrain>(UserId).Retire(changedBy);
            state.State.Role = role;
            await state.WriteStateAsync();
            await TellNodes();
        }
        return Summary();
    }

    private UserSummary Summary() =>
        new(UserId, state.State.Email!, state.State.Name, state.State.Role, state.State.CreatedAt);
}
