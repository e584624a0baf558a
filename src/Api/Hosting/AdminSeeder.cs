using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;

namespace HealthActors.Api.Hosting;

/// <summary>
/// Creates (or promotes) the first admin from Admin:Email / Admin:Password at start-up. Rules that the configured
/// values break stop the start at once (a configuration error); a cluster that is not there yet does not
/// (<see cref="ClusterStartupWork"/>): the node reports not ready until the admin exists.
/// </summary>
public sealed class AdminSeeder(IConfiguration config, IGrainFactory grains, StartupProgress progress, ILogger<AdminSeeder> log)
    : ClusterStartupWork(progress, config, log)
{
    protected override string Name => "admin seeding";

    protected override bool IsNeeded()
    {
        var email = Config["Admin:Email"];
        var password = Config["Admin:Password"];
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password))
        {
            Log.LogInformation("No Admin:Email/Admin:Password configured: no admin account is seeded");
            return false;
        }
        var errors = new ValidationErrors();
        CredentialRules.ValidateRegistration(errors, email, password, AdminName);
        if (!errors.IsValid)
            throw new InvalidOperationException("Admin:Email/Admin:Password break the account rules: " + string.Join("; ",
                errors.ToDictionary().Select(kv => kv.Key + " " + string.Join(", ", kv.Value))));
        return true;
    }

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        var email = Config["Admin:Email"]!;
        var admin = await grains.GetGrain<IEmailIndexGrain>(EmailKey.For(email)).EnsureAdmin(email, Config["Admin:Password"]!, AdminName);
        Log.LogInformation("Admin account ready: {UserId}", admin.UserId);
    }

    private string AdminName => Config["Admin:Name"] ?? "Administrator";
}
