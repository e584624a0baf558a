using HealthActors.Grains.Abstractions.Common;

namespace HealthActors.Grains.Abstractions.Catalog;

public sealed record OrientationRequest(string? Symptoms, int? Age, string? Sex)
{
    public const int MaxSymptomsLength = 2000;

    public ValidationErrors Validate()
    {
        var e = new ValidationErrors();
        e.Text("symptoms", Symptoms, MaxSymptomsLength, required: true, multiline: true);
        if (Age is < 0 or > 130) e.Add("age", "must be between 0 and 130");
        if (Sex is not null && !Patients.PatientProfileRules.Sexes.Contains(Sex)) e.Add("sex", "must be one of: " + string.Join(", ", Patients.PatientProfileRules.Sexes));
        return e;
    }
}

[GenerateSerializer, Immutable, Alias("ha.catalog.SpecialtyScore")]
public sealed record SpecialtyScore(
    [property: Id(0)] string Specialty,
    [property: Id(1)] Guid? SpecialtyId,
    [property: Id(2)] double Confidence);

[GenerateSerializer, Immutable, Alias("ha.catalog.OrientationResult")]
public sealed record OrientationResult(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string Specialty,
    [property: Id(2)] Guid? SpecialtyId,
    [property: Id(3)] double Confidence,
    [property: Id(4)] IReadOnlyList<SpecialtyScore> Alternatives,
    [property: Id(5)] IReadOnlyList<string> RedFlags,
    [property: Id(6)] bool Emergency,
    [property: Id(7)] string Source,
    [property: Id(8)] string Symptoms,
    [property: Id(9)] DateTimeOffset At,
    /// <summary>For an emergency: what to do now, in the patient's language with their country's numbers (the first red flag's answer).</summary>
    [property: Id(10)] string? Guidance = null);

/// <summary>One per user: runs orientations and keeps the latest ones.</summary>
[Alias("ha.catalog.IOrientationGrain")]
public interface IOrientationGrain : IGrainWithGuidKey
{
    [Alias("Orient")] Task<OrientationResult> Orient(string symptoms, int? age, string? sex);
    [Alias("History")] Task<IReadOnlyList<OrientationResult>> History(int limit);
}
