using HealthActors.Grains.Abstractions.Catalog;
using Orleans.Concurrency;

namespace HealthActors.Grains.Catalog;

/// <summary>Stateless fan-out over the specialty directories; each directory answers from memory.</summary>
[StatelessWorker]
public sealed class CatalogSearchGrain : Grain, ICatalogSearchGrain
{
    public async Task<DoctorPage> Search(DoctorQuery query)
    {
        IEnumerable<Guid> specialties = query.SpecialtyId is { } one
            ? [one]
            : (await GrainFactory.GetGrain<ISpecialtyRegistryGrain>(0).List()).Select(s => s.Id);
        var lists = await Task.WhenAll(specialties.Select(id => GrainFactory.GetGrain<IDirectoryGrain>(id).List()));
        var (items, total) = query.Apply(lists.SelectMany(l => l));
        return new DoctorPage(items, query.Page, query.PageSize, total);
    }
}
