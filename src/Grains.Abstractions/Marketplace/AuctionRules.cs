using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Common;

namespace HealthActors.Grains.Abstractions.Marketplace;

/// <summary>The marketplace's rules as plain code: request validation, bid ranking, replacement and extension.</summary>
public static class AuctionRules
{
    public static readonly TimeSpan MinOpen = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaxOpen = TimeSpan.FromDays(7);
    public static readonly TimeSpan ExtendWhenWithin = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan ExtendBy = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan MaxExtension = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(31);
    public static readonly TimeSpan HoldSlack = TimeSpan.FromMinutes(5);
    public const decimal MinImprovement = 1m;

    public static ValidationErrors Validate(NewAuction? a, DateTimeOffset now, TimeSpan? minOpen = null)
    {
        var e = new ValidationErrors();
        if (a is null) { e.Add("body", "is required"); return e; }
        e.Text("symptoms", a.Symptoms, OrientationRequest.MaxSymptomsLength, required: true, multiline: true);
        if (a.SpecialtyId == Guid.Empty) e.Add("specialtyId", "must be a specialty id");
        if (a.MaxPrice is { } max && (max <= 0 || max > 100_000 || decimal.Round(max, 2) != max)) e.Add("maxPrice", "must be greater than 0, at most 100000, with at most two decimals");
        if (a.Currency is null || !CurrencyCodes.Supported.Contains(a.Currency)) e.Add("currency", "must be a supported ISO 4217 code");
        if (a.Window?.From is not { } from) e.Add("window.from", "is required");
        else if (a.Window.To is not { } to) e.Add("window.to", "is required");
        else if (to <= from) e.Add("window.to", "must be after window.from");
        else if (to <= now) e.Add("window.to", "must be in the future");
        else if (to - from > MaxWindow) e.Add("window.to", $"must be at most {MaxWindow.TotalDays} days after window.from");
        if (a.ClosesAt is not { } closes) e.Add("closesAt", "is required");
        else if (closes < now + (minOpen ?? MinOpen) - TimeSpan.FromSeconds(5)) e.Add("closesAt", $"must be at least {(minOpen ?? MinOpen).TotalMinutes:0.#} minutes ahead");
        else if (closes > now + MaxOpen) e.Add("closesAt", "must be at most 7 days ahead");
        return e;
    }

    public static ValidationErrors ValidateBid(decimal? price, DateTimeOffset? slotStart, string? message)
    {
        var e = new ValidationErrors();
        if (price is null) e.Add("price", "is required");
        else if (price <= 0 || price > 100_000 || decimal.Round(price.Value, 2) != price) e.Add("price", "must be greater than 0, at most 100000, with at most two decimals");
        if (slotStart is null) e.Add("slotStart", "is required");
        e.Text("message", message, 500, multiline: true);
        return e;
    }

    /// <summary>Best first: lower price, then higher doctor rating, then the earlier bid.</summary>
    public static IReadOnlyList<Bid> Rank(IEnumerable<Bid> bids) =>
        bids.OrderBy(b => b.Price).ThenByDescending(b => b.DoctorRating).ThenBy(b => b.Order).ToList();

    /// <summary>A doctor's new bid replaces their standing one only if it is at least 1 unit cheaper or for another slot.</summary>
    public static bool Replaces(Bid standing, decimal newPrice, DateTimeOffset newSlot) =>
        newSlot != standing.SlotStart || newPrice <= standing.Price - MinImprovement;

    /// <summary>
    /// Until when a bid's calendar hold must last: past the latest the grace can ever end (the close fully
    /// extended), so no extension after the bid can outlive its hold. The auction releases holds itself
    /// when it is decided; this bound only matters if it never gets to.
    /// </summary>
    public static DateTimeOffset HoldUntil(DateTimeOffset originalClosesAt, TimeSpan grace) => originalClosesAt + MaxExtension + grace + HoldSlack;

    /// <summary>A bid in the last 2 minutes pushes the close 2 minutes out, never beyond 30 minutes past the original close.</summary>
    public static DateTimeOffset? Extend(DateTimeOffset closesAt, DateTimeOffset originalClosesAt, DateTimeOffset now)
    {
        if (closesAt - now > ExtendWhenWithin) return null;
        var extended = closesAt + ExtendBy;
        var cap = originalClosesAt + MaxExtension;
        if (extended > cap) extended = cap;
        return extended > closesAt ? extended : null;
    }
}
