namespace HealthActors.Grains.Marketplace;

/// <summary>The reason codes a refused marketplace command carries (the problem's "reason").</summary>
public static class MarketReasons
{
    public const string Closed = "Closed";
    public const string SlotUnavailable = "SlotUnavailable";
    public const string NotBetter = "NotBetter";
    public const string AlreadyDecided = "AlreadyDecided";
    public const string TooManyOpenAuctions = "TooManyOpenAuctions";
}
