using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Chat;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Abstractions.Patients;
using HealthActors.Grains.Chat;
using Microsoft.Extensions.Options;

namespace HealthActors.Grains.Catalog;

[GenerateSerializer, Alias("ha.catalog.OrientationState")]
public sealed class OrientationState
{
    [Id(0)] public List<OrientationResult> Recent { get; set; } = [];
}

/// <summary>
/// A user's symptom orientations: rules first (red flags mean emergency, at once), then the model may pick
/// among the rules' candidates if it answers in time. The newest results are kept per user.
/// </summary>
public sealed class OrientationGrain(
    [PersistentState("orientation", StorageNames.Store)] IPersistentState<OrientationState> state,
    MedicalAssistant assistant,
    IOptions<LlmOptions> llm,
    TimeProvider time) : Grain, IOrientationGrain
{
    private const int Keep = 50;

    public async Task<OrientationResult> Orient(string symptoms, int? age, string? sex)
    {
        new OrientationRequest(symptoms, age, sex).Validate().ThrowIfInvalid();
        // Rules, model and the stored result all see the normalized text (see TextNormalization).
        symptoms = TextNormalization.Normalize(symptoms).Trim();
        var registry = await GrainFactory.GetGrain<ISpecialtyRegistryGrain>(0).List();
        Guid? IdOf(string name) => registry.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))?.Id;

        // The user's own profile gives the answer its language and numbers, and the age that makes a fever in a baby's
        // own account an emergency, as chat does. This grain is keyed by the user, so it reads the profile as its owner;
        // a user with no patient profile gets the language of the text and the generic wording.
        var userId = this.GetPrimaryKey();
        var profile = await GrainFactory.GetGrain<IPatientGrain>(userId).GetProfile(new Caller(userId, Roles.Patient));
        var ageInDays = PatientAge.InDays(profile, time.GetUtcNow());
        var flags = RedFlags.DetectAll(symptoms, ageInDays);
        var scored = SymptomRules.Score(symptoms, age);
        var source = "rules";
        string top;
        double confidence;
        string? guidance = null;
        if (flags.Count > 0)
        {
            top = SymptomRules.EmergencyMedicine;
            confidence = 1.0;
            // Detect is the first of the same matches DetectAll lists, with the language the text was written in.
            guidance = RedFlagGuidance.For(RedFlags.Detect(symptoms, ageInDays)!, profile?.PreferredLanguage, profile?.Country);
        }
        else
        {
            top = scored[0].Specialty;
            confidence = scored[0].Confidence;
            var candidates = SymptomRules.Specialties.Where(s => s != SymptomRules.EmergencyMedicine).ToList();
            var refined = await assistant.RefineSpecialty(symptoms, candidates, TimeSpan.FromSeconds(llm.Value.OrientationTimeoutSeconds), CancellationToken.None);
            if (refined is not null)
            {
                source = "rules+model";
                if (!string.Equals(refined, top, StringComparison.OrdinalIgnoreCase))
                {
                    top = refined;
                    confidence = Math.Max(0.5, scored.FirstOrDefault(s => s.Specialty == refined)?.Confidence ?? 0.5);
                }
                else confidence = Math.Min(0.95, confidence + 0.15);
            }
        }
        var alternatives = scored.Where(s => s.Specialty != top).Take(3).Select(s => new SpecialtyScore(s.Specialty, IdOf(s.Specialty), s.Confidence)).ToList();
        var result = new OrientationResult(Guid.NewGuid(), top, IdOf(top), confidence, alternatives, flags, flags.Count > 0, source, symptoms, time.GetUtcNow(), guidance);

        state.State.Recent.Insert(0, result);
        if (state.State.Recent.Count > Keep) state.State.Recent.RemoveRange(Keep, state.State.Recent.Count - Keep);
        await state.WriteStateAsync();
        return result;
    }

    public Task<IReadOnlyList<OrientationResult>> History(int limit) =>
        Task.FromResult<IReadOnlyList<OrientationResult>>(state.State.Recent.Take(limit).ToList());
}
