namespace HealthActors.Grains.Abstractions.Marketplace;

/// <summary>Configuration section "Marketplace".</summary>
public sealed class MarketplaceOptions
{
    public const string Section = "Marketplace";
    /// <summary>After the close, how long the patient may still accept a standing bid.</summary>
    public double GraceMinutes { get; set; } = 30;
    /// <summary>The shortest time an auction may be open (5 minutes; tests shorten it to watch a deadline pass).</summary>
    public double MinOpenSeconds { get; set; } = 300;
}
