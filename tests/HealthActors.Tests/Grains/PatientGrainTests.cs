using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Abstractions.Patients;
using Npgsql;

namespace HealthActors.Tests.Grains;

public sealed class PatientGrainTests(GrainClusterFixture fixture) : IClassFixture<GrainClusterFixture>
{
    private static readonly PatientProfile Profile = new()
    {
        FirstName = "Ana", LastName = "García", BirthDate = new DateOnly(1990, 4, 1), Allergies = ["penicillin"],
        Medications = [new Medication { Name = "salbutamol", Dose = "100 mcg", Frequency = "as needed" }],
        TimeZone = "Europe/Madrid",
    };

    [Fact]
    public async Task Owner_writes_and_reads_others_get_nothing_and_admins_are_audited()
    {
        var patientId = Guid.NewGuid();
        var grain = fixture.Cluster.GrainFactory.GetGrain<IPatientGrain>(patientId);
        var owner = new Caller(patientId, Roles.Patient);
        var saved = await grain.UpdateProfile(Profile, owner);
        Assert.NotNull(saved.UpdatedAt);
        Assert.Equal(TimeSpan.Zero, saved.UpdatedAt!.Value.Offset);

        Assert.Equal("penicillin", (await grain.GetProfile(owner))!.Allergies![0]);
        Assert.Null(await grain.GetProfile(new Caller(Guid.NewGuid(), Roles.Patient)));
        Assert.Null(await grain.GetProfile(new Caller(Guid.NewGuid(), Roles.Doctor)));
        var adminId = Guid.NewGuid();
        Assert.NotNull(await grain.GetProfile(new Caller(adminId, Roles.Admin)));

        await using var db = NpgsqlDataSource.Create(TestEnvironment.Postgres);
        await using var cmd = db.CreateCommand("SELECT action FROM audit_events WHERE subject_id = $1 ORDER BY id");
        cmd.Parameters.AddWithValue(patientId);
        var actions = new List<string>();
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) actions.Add(r.GetString(0));
        Assert.Equal(["patient.profile.read.denied", "patient.profile.read.denied", "patient.profile.read"], actions);
    }

    [Fact]
    public async Task Nobody_but_the_owner_writes_and_invalid_profiles_are_refused_by_the_grain_too()
    {
        var patientId = Guid.NewGuid();
        var grain = fixture.Cluster.GrainFactory.GetGrain<IPatientGrain>(patientId);
        await Assert.ThrowsAsync<AccessDeniedException>(() => grain.UpdateProfile(Profile, new Caller(Guid.NewGuid(), Roles.Admin)));
        var ex = await Assert.ThrowsAsync<DomainValidationException>(() =>
            grain.UpdateProfile(Profile with { HeightCm = 999 }, new Caller(patientId, Roles.Patient)));
        Assert.Contains("heightCm", ex.Errors.Keys);
        Assert.Null(await grain.GetProfile(new Caller(patientId, Roles.Patient)));
    }

    [Fact]
    public async Task Profile_survives_the_loss_of_every_silo()
    {
        var serviceId = TestEnvironment.UniqueId("restart-svc");
        var patientId = Guid.NewGuid();
        var owner = new Caller(patientId, Roles.Patient);

        var first = await GrainCluster.StartAsync(serviceId, silos: 1);
        try { await first.GrainFactory.GetGrain<IPatientGrain>(patientId).UpdateProfile(Profile, owner); }
        finally { await first.StopAllSilosAsync(); await first.DisposeAsync(); }

        var second = await GrainCluster.StartAsync(serviceId, silos: 1);
        try
        {
            var read = await second.GrainFactory.GetGrain<IPatientGrain>(patientId).GetProfile(owner);
            Assert.NotNull(read);
            Assert.Equal("García", read!.LastName);
            Assert.Equal("salbutamol", read.Medications![0].Name);
        }
        finally { await second.StopAllSilosAsync(); await second.DisposeAsync(); }
    }
}
