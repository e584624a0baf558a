namespace HealthActors.Grains;

public static class StorageNames
{
    /// <summary>The grain storage every grain persists to (PostgreSQL, or memory in the embedded mode).</summary>
    public const string Store = "store";
}
