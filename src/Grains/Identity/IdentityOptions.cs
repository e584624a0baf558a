namespace HealthActors.Grains.Identity;

/// <summary>Configuration section "Identity".</summary>
public sealed class IdentityRulesOptions
{
    public const string Section = "Identity";

    /// <summary>PBKDF2-HMAC-SHA512 iterations; OWASP's 2023 guidance asks for 210,000.</summary>
    public int PasswordIterations { get; set; } = 210_000;
    public int MaxFailedSignIns { get; set; } = 5;
    public int LockoutMinutes { get; set; } = 15;
    public int RefreshTokenDays { get; set; } = 30;
}

/// <summary>The user type the ASP.NET Core Identity password hasher is typed over; it carries nothing.</summary>
public sealed class AccountUser
{
    public static readonly AccountUser Instance = new();
}
