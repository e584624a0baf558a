namespace HealthActors.Grains.Abstractions.Identity;

public static class Roles
{
    public const string Patient = "patient";
    public const string Doctor = "doctor";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Patient, Doctor, Admin];

    public static bool IsKnown(string? role) => role is Patient or Doctor or Admin;
}
