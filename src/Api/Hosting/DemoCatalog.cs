using System.Security.Cryptography;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Identity;

namespace HealthActors.Api.Hosting;

/// <summary>
/// Catalog:SeedDemo: a dozen specialties and a few dozen doctors so that a new user can book at once.
/// On by default only in the embedded mode and in ./run.sh; production starts empty. Idempotent.
/// The doctors start unrated: a rating comes only from patients who rated a closed consultation. Waits for the cluster
/// like the admin seeding (<see cref="ClusterStartupWork"/>).
/// </summary>
public sealed class DemoCatalog(IConfiguration config, IGrainFactory grains, StartupProgress progress, ILogger<DemoCatalog> log)
    : ClusterStartupWork(progress, config, log)
{
    private static readonly (string Name, string Description)[] Specialties =
    [
        ("General practice", "First contact for most health problems."),
        ("Cardiology", "Heart and blood vessels."),
        ("Dermatology", "Skin, hair and nails."),
        ("Pediatrics", "Children's health."),
        ("Gynecology", "Women's reproductive health."),
        ("Neurology", "Brain, nerves and headaches."),
        ("Psychiatry", "Mental health."),
        ("Gastroenterology", "Stomach and digestion."),
        ("Traumatology", "Bones, joints and injuries."),
        ("Otolaryngology", "Ear, nose and throat."),
        ("Ophthalmology", "Eyes and vision."),
        ("Endocrinology", "Hormones, thyroid and diabetes."),
        ("Pulmonology", "Lungs and breathing."),
        ("Urology", "Urinary tract and male reproductive health."),
    ];

    private static readonly string[] FirstNames = ["Lucía", "Martín", "Sofía", "Diego", "Valentina", "Javier", "Camila", "Andrés", "Elena", "Tomás", "Isabel", "Mateo"];
    private static readonly string[] LastNames = ["Fernández", "Gómez", "Rodríguez", "López", "Martínez", "Díaz", "Pérez", "Sánchez", "Romero", "Torres", "Álvarez", "Ruiz"];
    private static readonly string[] Zones = ["America/Argentina/Buenos_Aires", "Europe/Madrid", "America/Mexico_City", "America/Bogota"];

    protected override string Name => "demo catalog";

    protected override bool IsNeeded() => Config.GetValue("Catalog:SeedDemo", false);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        var registry = grains.GetGrain<ISpecialtyRegistryGrain>(0);
        var doctors = 0;
        for (var s = 0; s < Specialties.Length; s++)
        {
            ct.ThrowIfCancellationRequested();
            var (name, description) = Specialties[s];
            var specialty = await registry.FindByName(name) ?? await registry.Create(name, description) ?? await registry.FindByName(name);
            for (var d = 0; d < 3; d++)
            {
                var n = s * 3 + d;
                var email = $"demo.doctor{n + 1:00}@healthactors.local";
                var index = grains.GetGrain<IEmailIndexGrain>(EmailKey.For(email));
                if (await index.Lookup() is not null) continue;
                // Demo doctors get random passwords nobody knows; an admin can reset roles, not sign in as them.
                var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
                var doctorName = $"Dr. {FirstNames[n % FirstNames.Length]} {LastNames[(n * 7) % LastNames.Length]}";
                var account = await index.Register(email, password, doctorName, Roles.Doctor);
                if (account.User is null) continue;
                var spanish = n % 4 != 3;
                var set = await grains.GetGrain<IDoctorGrain>(account.User.UserId).SetProfile(new DoctorProfile
                {
                    Name = doctorName,
                    SpecialtyId = specialty!.Id,
                    LicenseNumber = $"MN-{10000 + n * 137}",
                    YearsOfExperience = 3 + (n * 5) % 30,
                    Price = new Money(25 + (n * 13) % 60, "USD"),
                    Languages = spanish ? ["es", "en"] : ["en"],
                    Bio = $"{name} specialist.",
                    Availability = new WeeklyAvailability
                    {
                        TimeZone = Zones[n % Zones.Length],
                        Days = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday],
                        StartTime = new TimeOnly(9, 0),
                        EndTime = new TimeOnly(17, 0),
                        SlotMinutes = 30,
                    },
                });
                if (!set.IsOk)
                {
                    Log.LogWarning("Demo doctor {Email} refused: {Problem}", email, string.Join("; ", set.Failure!.FieldErrors().Keys));
                    continue;
                }
                doctors++;
            }
        }
        Log.LogInformation("Demo catalog ready ({Created} doctors created this start)", doctors);
    }
}
