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

    /// <summary>How far in the past a window may start: the clock of the client that picked "now" may lag ours.</summary>
    public static readonly TimeSpan ClockSlack = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A request is valid when, besides its fields' own rules, its window is still ahead (it may not start in the
    /// past) and ends after closesAt: bids are chosen when bidding ends, so a window that is over by then could
    /// only be booked by accepting early, which the patient did not ask for.
    /// </summary>
    public static ValidationErrors Validate(NewAuction? a, DateTimeOffset now, TimeSpan? minOpen = null)
    {
        var e = new ValidationErrors();
        if (a is null) { e.Add("body", "is required"); return e; }
        e.Text("symptoms", a.Symptoms, OrientationRequest.MaxSymptomsLength, required: true, multiline: true);
        if (a.SpecialtyId == Guid.Empty) e.Add("specialtyId", "must be a specialty id");
        if (a.MaxPrice is { } max)
        {
            if (max <= 0 || max > 100_000 || decimal.Round(max, 2) != max) e.Add("maxPrice", "must be greater than 0, at most 100000, with at most two decimals");
            else if (!CurrencyCodes.FitsMinorUnit(max, a.Currency)) e.Add("maxPrice", CurrencyCodes.MinorUnitMessage(a.Currency));
        }
        if (a.Currency is null || !CurrencyCodes.Supported.Contains(a.Currency)) e.Add("currency", "must be a supported ISO 4217 code");
        var from = a.Window?.From;
        var to = a.Window?.To;
        if (from is null) e.Add("window.from", "is required");
        else if (from < now - ClockSlack) e.Add("window.from", "must not be in the past");
        if (a.Window is not null && to is null) e.Add("window.to", "is required");
        else if (from is not null && to is not null)
        {
            if (to <= from) e.Add("window.to", "must be after window.from");
            else if (to <= now) e.Add("window.to", "must be in the future");
            else if (to - from > MaxWindow) e.Add("window.to", $"must be at most {MaxWindow.TotalDays} days after window.from");
            else if (a.ClosesAt is { } closing && to <= closing) e.Add("window.to", "must be after closesAt, so that a slot is still ahead when bidding ends");
        }
        if (a.ClosesAt is not { } closes) e.Add("closesAt", "is required");
        else if (closes < now + (minOpen ?? MinOpen) - TimeSpan.FromSeconds(5)) e.Add("closesAt", $"must be at least {(minOpen ?? MinOpen).TotalMinutes:0.#} minutes ahead");
        else if (closes > now + MaxOpen) e.Add("closesAt", "must be at most 7 days ahead");
        return e;
    }

    /// <summary>The same rules for a spec that reached the auction grain (from the endpoint or any other caller).</summary>
    public static ValidationErrors ValidateSpec(AuctionSpec? spec, DateTimeOffset now, TimeSpan? minOpen = null) =>
        Validate(spec is null ? null : new NewAuction(spec.Symptoms, spec.SpecialtyId, spec.MaxPrice, spec.Currency,
            new TimeWindow(spec.WindowFrom, spec.WindowTo), spec.ClosesAt), now, minOpen);

    /// <param name="currency">The auction's currency when known (the grain knows it, the endpoint does not): a yen bid has no decimals.</param>
    public static ValidationErrors ValidateBid(decimal? price, DateTimeOffset? slotStart, string? message, string? currency = null)
    {
        var e = new ValidationErrors();
        if (price is null) e.Add("price", "is required");
        else if (price <= 0 || price > 100_000 || decimal.Round(price.Value, 2) != price) e.Add("price", "must be greater than 0, at most 100000, with at most two decimals");
        else if (currency is not null && !CurrencyCodes.FitsMinorUnit(price.Value, currency)) e.Add("price", CurrencyCodes.MinorUnitMessage(currency));
        if (slotStart is null || slotStart == default(DateTimeOffset)) e.Add("slotStart", "is required");
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
