using System.Collections.Concurrent;
using Orleans.Metadata;

namespace HealthActors.Api.Hosting;

/// <summary>
/// Grain references for the hot read endpoints without <see cref="IGrainFactory.GetGrain{TGrainInterface}(Guid, string?)"/>'s
/// per-call work: that path resolves the interface's <see cref="GrainInterfaceType"/> from its custom attributes by
/// reflection on every call, which a profile of the signed-in profile read put at a fifth of the endpoint's time.
/// The interface type never changes for a CLR type, so it is resolved once; the grain type is still asked of the
/// cluster manifest's resolver on every call (a cached lookup there), so a manifest not yet known falls back to
/// the factory's own path and its behaviour.
/// </summary>
public sealed class GrainRefs(
    IGrainFactory grains, GrainInterfaceTypeResolver interfaceTypes, GrainInterfaceTypeToGrainTypeResolver grainTypes, IConfiguration config)
{
    private readonly ConcurrentDictionary<Type, GrainInterfaceType> _interfaceTypes = new();

    // Api:GrainRefCache=false takes the factory's own path every time: the bench's "before" path.
    private readonly bool _enabled = config.GetValue("Api:GrainRefCache", true);

    public T Get<T>(Guid key) where T : IGrainWithGuidKey
    {
        if (!_enabled) return grains.GetGrain<T>(key);
        var interfaceType = _interfaceTypes.GetOrAdd(typeof(T), interfaceTypes.GetGrainInterfaceType);
        if (!grainTypes.TryGetGrainType(interfaceType, out var grainType)) return grains.GetGrain<T>(key);
        return (T)grains.GetGrain(GrainId.Create(grainType, GrainIdKeyExtensions.CreateGuidKey(key)), interfaceType);
    }
}
