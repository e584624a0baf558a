namespace HealthActors.Grains.Abstractions.Common;

/// <summary>
/// The database could not be reached (restarted, network cut, pool exhausted). Raised in the silo in place of the
/// driver's own exception, which the Orleans serializer cannot carry to the Api; the Api answers 503 with
/// Retry-After. The write that raised it was not acknowledged, so a client may safely repeat it.
/// </summary>
[GenerateSerializer, Alias("ha.common.StorageUnavailableException")]
public sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException() : base("The database is briefly unavailable.") { }

    public StorageUnavailableException(string message) : base(message) { }
}
