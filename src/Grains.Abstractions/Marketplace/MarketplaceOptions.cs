namespace HealthActors.Grains.Abstractions.Marketplace;

/// <summary>Configuration section "Marketplace".</summary>
public sealed class MarketplaceOptions
{
    public const string Section = "Marketplace";
    /// <summary>After the close, how long the patient may still accept a standing bid.</summary>
    public double GraceMinutes { get; set; } = 30;
    /// <summary>The shortest time an auction may be open (5 minutes; tests shorten it to watch a deadline pass).</summary>
    public double MinOpenSeconds { get; set; } = 300;
    /// <summary>
    /// How many auctions one patient may have open at once. Each one notifies every doctor of its specialty, so
    /// this bounds the fan-out one account can cause; the next one is refused with 409 TooManyOpenAuctions.
    /// </summary>
    public int MaxOpenAuctionsPerPatient { get; set; } = 5;
    /// <summary>How many bids (new or replacing) one doctor may place on one auction per minute; more are refused with 429.</summary>
    public int MaxBidsPerDoctorPerMinute { get; set; } = 10;
    /// <summary>
    /// Bids that arrive while an auction's commit is in flight are checked and applied in memory at once and stored
    /// together in its next commit (each still answered only after that commit). Off: one bid, one commit, one at
    /// a time, as before; kept as a switch so the bench can alternate the two in one run.
    /// </summary>
    public bool GroupCommit { get; set; } = true;
}
