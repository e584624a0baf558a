namespace HealthActors.Grains.Abstractions.Identity;

/// <summary>
/// One activation per normalized email (the key is <see cref="EmailKey.For"/>): the single writer that
/// makes emails unique and that counts failed sign-ins, whether or not the email has an account, so the
/// lockout answer does not reveal which emails exist.
/// </summary>
[Alias("ha.identity.IEmailIndexGrain")]
public interface IEmailIndexGrain : IGrainWithGuidKey
{
    [Alias("Register")]
    Task<RegistrationResult> Register(string email, string password, string name, string role);

    [Alias("SignIn")]
    Task<SignInOutcome> SignIn(string password);

    /// <summary>Creates the account with the admin role, or promotes the existing one. Used for the configured first admin.</summary>
    [Alias("EnsureAdmin")]
    Task<UserSummary> EnsureAdmin(string email, string password, string name);

    [Alias("Lookup")]
    Task<Guid?> Lookup();
}

/// <summary>One activation per user id: credentials and role.</summary>
[Alias("ha.identity.IAccountGrain")]
public interface IAccountGrain : IGrainWithGuidKey
{
    [Alias("Create")]
    Task<UserSummary> Create(string email, string password, string name, string role);

    [Alias("VerifyPassword")]
    Task<UserSummary?> VerifyPassword(string password);

    [Alias("GetSummary")]
    Task<UserSummary?> GetSummary();

    [Alias("SetRole")]
    Task<UserSummary?> SetRole(string role, Caller changedBy);

    /// <summary>
    /// Whether an access token of this session with this role may still be used: false once the session
    /// has ended (logout, refresh-token reuse) or the role has changed since the token was issued.
    /// </summary>
    [Alias("IsSessionValid"), Orleans.Concurrency.ReadOnly]
    Task<bool> IsSessionValid(Guid sessionId, string role);

    [Alias("EndSession")]
    Task EndSession(Guid sessionId);
}

/// <summary>
/// One activation per sign-in (a refresh-token family). Holds the hash of the one token that may be
/// redeemed next and the hashes of those already redeemed, so a replayed token revokes the family.
/// </summary>
[Alias("ha.identity.IRefreshFamilyGrain")]
public interface IRefreshFamilyGrain : IGrainWithGuidKey
{
    [Alias("Start")]
    Task<IssuedRefreshToken> Start(Guid userId);

    [Alias("Rotate")]
    Task<RefreshResult> Rotate(string presentedToken);

    [Alias("Revoke")]
    Task<bool> Revoke(string presentedToken);
}
