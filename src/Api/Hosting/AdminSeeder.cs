using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;

namespace HealthActors.Api.Hosting;

/// <summary>
/// Creates (or promotes) the first admin from Admin:Email / Admin:Password at start-up. Runs in StartAsync,
/// after the Orleans hosted service, so the Api answers only once the admin exists.
/// </summary>
public sealed class AdminSeeder(IConfiguration config, IGrainFactory grains, ILogger<AdminSeeder> log) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        var email = config["Admin:Email"];
        var password = config["Admin:Password"];
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password))
        {
            log.LogInformation("No Admin:Email/Admin:Password configured: no admin account is seeded");
            return;
        }
        var name = config["Admin:Name"] ?? "Administrator";
        var errors = new ValidationErrors();
        CredentialRules.ValidateRegistration(errors, email, password, name);
        if (!errors.IsValid)
            throw new InvalidOperationException("Admin:Email/Admin:Password break the account rules: " + string.Join("; ",
                errors.ToDictionary().Select(kv => kv.Key + " " + string.Join(", ", kv.Value))));

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                var admin = await grains.GetGrain<IEmailIndexGrain>(EmailKey.For(email)).EnsureAdmin(email, password, name);
                log.LogInformation("Admin account ready: {UserId}", admin.UserId);
                return;
            }
            catch (Exception e) when (DateTime.UtcNow < deadline && e is not DomainValidationException && !ct.IsCancellationRequested)
            {
                log.LogWarning("Admin seeding waits for the cluster: {Error}", e.GetType().Name);
                await Task.Delay(1000, ct);
            }
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
