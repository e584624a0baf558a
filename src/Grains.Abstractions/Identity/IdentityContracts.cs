namespace HealthActors.Grains.Abstractions.Identity;

[GenerateSerializer, Immutable, Alias("ha.identity.UserSummary")]
public sealed record UserSummary(
    [property: Id(0)] Guid UserId,
    [property: Id(1)] string Email,
    [property: Id(2)] string Name,
    [property: Id(3)] string Role,
    [property: Id(4)] DateTimeOffset CreatedAt);

[GenerateSerializer, Alias("ha.identity.RegistrationStatus")]
public enum RegistrationStatus { Created = 0, EmailTaken = 1 }

[GenerateSerializer, Immutable, Alias("ha.identity.RegistrationResult")]
public sealed record RegistrationResult(
    [property: Id(0)] RegistrationStatus Status,
    [property: Id(1)] UserSummary? User);

[GenerateSerializer, Alias("ha.identity.SignInStatus")]
public enum SignInStatus { Success = 0, InvalidCredentials = 1, LockedOut = 2 }

[GenerateSerializer, Immutable, Alias("ha.identity.SignInOutcome")]
public sealed record SignInOutcome(
    [property: Id(0)] SignInStatus Status,
    [property: Id(1)] UserSummary? User,
    [property: Id(2)] DateTimeOffset? LockedUntil);

[GenerateSerializer, Alias("ha.identity.RefreshStatus")]
public enum RefreshStatus { Rotated = 0, Invalid = 1, ReuseDetected = 2, Revoked = 3, Expired = 4 }

[GenerateSerializer, Immutable, Alias("ha.identity.RefreshResult")]
public sealed record RefreshResult(
    [property: Id(0)] RefreshStatus Status,
    [property: Id(1)] Guid UserId,
    [property: Id(2)] string? NewToken,
    [property: Id(3)] DateTimeOffset? ExpiresAt);

[GenerateSerializer, Immutable, Alias("ha.identity.IssuedRefreshToken")]
public sealed record IssuedRefreshToken(
    [property: Id(0)] string Token,
    [property: Id(1)] DateTimeOffset ExpiresAt);

/// <summary>Who is asking: carried into grains so that they can enforce access and write audit events.</summary>
[GenerateSerializer, Immutable, Alias("ha.identity.Caller")]
public sealed record Caller(
    [property: Id(0)] Guid UserId,
    [property: Id(1)] string Role)
{
    public bool IsAdmin => Role == Roles.Admin;
}
