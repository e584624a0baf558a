using HealthActors.Grains.Abstractions.Identity;

namespace HealthActors.Api.Setup;

/// <summary>Every authorization policy of the Api, by name, and how each is built.</summary>
public static class Policies
{
    public const string Admin = "admin";
    public const string Patient = "patient";
    public const string Doctor = "doctor";
    /// <summary>For what both sides have of their own (a patient's consultations, a doctor's claimed ones); the grain picks by role.</summary>
    public const string PatientOrDoctor = "patient or doctor";

    public static IServiceCollection AddHealthActorsAuthorization(this IServiceCollection services)
    {
        services.AddAuthorizationBuilder()
            .AddPolicy(Admin, p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin))
            .AddPolicy(Patient, p => p.RequireAuthenticatedUser().RequireRole(Roles.Patient))
            .AddPolicy(Doctor, p => p.RequireAuthenticatedUser().RequireRole(Roles.Doctor))
            .AddPolicy(PatientOrDoctor, p => p.RequireAuthenticatedUser().RequireRole(Roles.Patient, Roles.Doctor));
        return services;
    }
}
