namespace HealthActors.Tests.Infrastructure;

/// <summary>
/// The real services the integration tests need. ./test.sh starts them and exports the connection strings;
/// a test run without them fails loudly instead of silently skipping.
/// </summary>
public static class TestEnvironment
{
    public static string Postgres => Require("ConnectionStrings__Postgres");
    public static string Redis => Require("ConnectionStrings__Redis");

    /// <summary>A fixed test signing key (tests only; never a deployed key).</summary>
    public const string JwtKey = "test-signing-key-for-the-test-suite-only-0123456789";

    public static string RepoRoot => Repository.Root;

    private static string Require(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v
            ? v
            : throw new InvalidOperationException($"{name} is not set: run the suite through ./test.sh, which starts PostgreSQL and Redis.");

    public static int FreePort() => TestKit.FreePort.Next();

    public static string UniqueId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
