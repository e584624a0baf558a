using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Common;

namespace HealthActors.Grains.Catalog;

[GenerateSerializer, Alias("ha.catalog.SpecialtyRegistryState")]
public sealed class SpecialtyRegistryState
{
    [Id(0)] public List<Specialty> Specialties { get; set; } = [];
}

/// <summary>The list of specialties: small, read often, written by admins only.</summary>
public sealed class SpecialtyRegistryGrain(
    [PersistentState("specialty-registry", StorageNames.Store)] IPersistentState<SpecialtyRegistryState> state) : Grain, ISpecialtyRegistryGrain
{
    public async Task<Specialty?> Create(string name, string description)
    {
        if (Find(name) is not null) return null;
        var specialty = new Specialty(Guid.NewGuid(), Clean(name), Clean(description));
        state.State.Specialties.Add(specialty);
        await state.WriteStateAsync();
        return specialty;
    }

    public Task<IReadOnlyList<Specialty>> List() =>
        Task.FromResult<IReadOnlyList<Specialty>>(state.State.Specialties.OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase).ToList());

    public Task<Specialty?> Get(Guid id) => Task.FromResult(state.State.Specialties.FirstOrDefault(s => s.Id == id));

    public Task<Specialty?> FindByName(string name) => Task.FromResult(Find(name));

    private Specialty? Find(string name) =>
        state.State.Specialties.FirstOrDefault(s => string.Equals(s.Name, Clean(name), StringComparison.OrdinalIgnoreCase));

    // "Cardio\u200blogy" is the same specialty as "Cardiology", never a second one.
    private static string Clean(string text) => TextNormalization.Normalize(text).Trim();
}

[GenerateSerializer, Alias("ha.catalog.DirectoryState")]
public sealed class DirectoryState
{
    [Id(0)] public Dictionary<Guid, DoctorProfile> Doctors { get; set; } = [];
}

public sealed class DirectoryGrain(
    [PersistentState("specialty-directory", StorageNames.Store)] IPersistentState<DirectoryState> state) : Grain, IDirectoryGrain
{
    public async Task Upsert(DoctorProfile doctor)
    {
        state.State.Doctors[doctor.DoctorId] = doctor;
        await state.WriteStateAsync();
    }

    public async Task Remove(Guid doctorId)
    {
        if (state.State.Doctors.Remove(doctorId)) await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<DoctorProfile>> List() => Task.FromResult<IReadOnlyList<DoctorProfile>>(state.State.Doctors.Values.ToList());
}
