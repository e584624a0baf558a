using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace HealthActors.Grains.Identity;

[GenerateSerializer, Alias("ha.identity.EmailIndexState")]
public sealed class EmailIndexState
{
    [Id(0)] public Guid? UserId { get; set; }
    [Id(1)] public int FailedSignIns { get; set; }
    [Id(2)] public DateTimeOffset? LockedUntil { get; set; }
    [Id(3)] public DateTimeOffset? LastFailure { get; set; }
}

public sealed class EmailIndexGrain(
    [PersistentState("email-index", StorageNames.Store)] IPersistentState<EmailIndexState> state,
    IPasswordHasher<AccountUser> hasher,
    IOptions<IdentityRulesOptions> options,
    TimeProvider time) : Grain, IEmailIndexGrain
{
    // Verifying against this when the email is unknown makes a miss cost as much as a wrong password.
    private static string? s_decoyHash;

    public Task<Guid?> Lookup() => Task.FromResult(state.State.UserId);

    public async Task<RegistrationResult> Register(string email, string password, string name, string role)
    {
        var errors = new ValidationErrors();
        CredentialRules.ValidateRegistration(errors, email, password, name);
        errors.ThrowIfInvalid();
        if (EmailKey.For(email) != this.GetPrimaryKey()) throw new ArgumentException("Email does not belong to this index entry.", nameof(email));
        if (state.State.UserId is not null) return new RegistrationResult(RegistrationStatus.EmailTaken, null);

        var userId = Guid.NewGuid();
        var user = await GrainFactory.GetGrain<IAccountGrain>(userId).Create(email, password, name, role);
        // Written after the account: if this write is lost the account is an orphan nobody can sign in to,
        // never an email that points nowhere.
        state.State.UserId = userId;
        await state.WriteStateAsync();
        return new RegistrationResult(RegistrationStatus.Created, user);
    }

    public async Task<UserSummary> EnsureAdmin(string email, string password, string name)
    {
        if (state.State.UserId is { } existing)
        {
            var account = GrainFactory.GetGrain<IAccountGrain>(existing);
            var system = new Caller(Guid.Empty, Roles.Admin);
            return (await account.SetRole(Roles.Admin, system))!;
        }
        var result = await Register(email, password, name, Roles.Admin);
        return result.User!;
    }

    public async Task<SignInOutcome> SignIn(string password)
    {
        var now = time.GetUtcNow();
        if (state.State.LockedUntil is { } until && until > now)
            return new SignInOutcome(SignInStatus.LockedOut, null, until);

        UserSummary? user = null;
        if (state.State.UserId is { } userId)
            user = await GrainFactory.GetGrain<IAccountGrain>(userId).VerifyPassword(password);
        else
            hasher.VerifyHashedPassword(AccountUser.Instance, DecoyHash(), password);

        if (user is not null)
        {
            if (state.State.FailedSignIns != 0 || state.State.LockedUntil is not null)
            {
                state.State.FailedSignIns = 0;
                state.State.LockedUntil = null;
                await state.WriteStateAsync();
            }
            return new SignInOutcome(SignInStatus.Success, user, null);
        }

        // Failures older than the lockout window are forgotten: five typos spread over a month lock nobody out.
        if (state.State.LastFailure is { } last && now - last > TimeSpan.FromMinutes(options.Value.LockoutMinutes))
            state.State.FailedSignIns = 0;
        state.State.LastFailure = now;
        state.State.FailedSignIns++;
        SignInOutcome outcome = new(SignInStatus.InvalidCredentials, null, null);
        if (state.State.FailedSignIns >= options.Value.MaxFailedSignIns)
        {
            state.State.FailedSignIns = 0;
            state.State.LockedUntil = now.AddMinutes(options.Value.LockoutMinutes);
            outcome = new SignInOutcome(SignInStatus.LockedOut, null, state.State.LockedUntil);
        }
        // Counters for unknown emails stay in memory only: persisting them would let anyone fill the
        // database by guessing addresses, and the answer is the same either way.
        if (state.State.UserId is not null) await state.WriteStateAsync();
        return outcome;
    }

    private string DecoyHash() =>
        s_decoyHash ??= hasher.HashPassword(AccountUser.Instance, Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
}
