using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Records;
using Microsoft.Extensions.DependencyInjection;

namespace HealthActors.Tests.Records;

/// <summary>The writer grain on its own: it checks bodies itself, and keeps the newest reading of each vital.</summary>
public sealed class HealthRecordsGrainTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private IGrainFactory Grains
    {
        get
        {
            _ = factory.Server; // starts the host and its embedded silo
            return factory.Services.GetRequiredService<IGrainFactory>();
        }
    }

    private static string Hr(int value, DateTimeOffset at) => $$"""{"type":"heart-rate","value":{{value}},"recordedAt":"{{at:O}}"}""";

    [Fact]
    public async Task The_grain_refuses_bad_bodies_itself()
    {
        var grain = Grains.GetGrain<IHealthRecordsGrain>(Guid.NewGuid());
        var bad = await grain.Add("vitals", """{"type":"blood-pressure","systolic":100,"diastolic":110,"recordedAt":"2026-01-01T00:00:00Z"}""", false);
        Assert.Equal(FailureKind.Invalid, bad.Failure?.Kind);
        Assert.Contains("diastolic", bad.Failure!.FieldErrors().Keys);
        var batch = await grain.AddBatch("water", ["""{"ml":1,"recordedAt":"2026-01-01T00:00:00Z"}""", "not json"], false);
        Assert.Contains("items[1]", batch.Failure!.FieldErrors().Keys);
        Assert.Equal(FailureKind.NotFound, (await grain.Add("steps", "{}", false)).Failure?.Kind);
        Assert.Empty(await grain.LatestVitals());
    }

    [Fact]
    public async Task Latest_vitals_follow_adds_edits_and_deletes()
    {
        var patient = Guid.NewGuid();
        var grain = Grains.GetGrain<IHealthRecordsGrain>(patient);
        var t = DateTimeOffset.UtcNow.AddDays(-1);
        var older = (await grain.Add("vitals", Hr(60, t), false)).Value!;
        var newer = (await grain.Add("vitals", Hr(70, t.AddHours(1)), false)).Value!;
        await grain.Add("vitals", Hr(55, t.AddHours(-5)), false); // older than what is held: no change
        await grain.Add("vitals", """{"type":"weight","value":61,"recordedAt":"AT"}""".Replace("AT", t.ToString("O")), false);

        var latest = await grain.LatestVitals();
        Assert.Equal(["heart-rate", "weight"], latest.Select(r => r.Type));
        Assert.Equal(newer.Id, latest[0].Id);

        var edited = await grain.Replace("vitals", newer.Id, Hr(72, t.AddHours(1)), false);
        Assert.True(edited.IsOk);
        Assert.Contains("72", (await grain.LatestVitals())[0].Payload);

        Assert.True((await grain.Delete("vitals", newer.Id)).IsOk);
        Assert.Equal(older.Id, (await grain.LatestVitals())[0].Id);

        // Another patient's grain does not see this record at all.
        Assert.Equal(FailureKind.NotFound, (await Grains.GetGrain<IHealthRecordsGrain>(Guid.NewGuid()).Delete("vitals", older.Id)).Failure?.Kind);
    }
}
