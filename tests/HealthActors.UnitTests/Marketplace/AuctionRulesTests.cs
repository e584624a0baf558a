using HealthActors.Grains.Abstractions.Marketplace;

namespace HealthActors.UnitTests.Marketplace;

/// <summary>The marketplace rules on their own, with a fixed clock.</summary>
public sealed class AuctionRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Slot = Now.AddDays(1);

    private static Bid B(decimal price, double rating, long order, DateTimeOffset? slot = null) =>
        new(Guid.NewGuid(), Guid.NewGuid(), "Dr " + order, rating, price, slot ?? Slot, (slot ?? Slot).AddMinutes(30), null, Now, order);

    [Fact]
    public void Rank_is_cheapest_first_then_best_rated_then_earliest()
    {
        var cheap = B(50, 1, 7);
        var tieBetterRated = B(60, 4.5, 5);
        var tieEarlier = B(60, 3, 2);
        var tieLater = B(60, 3, 9);
        var dear = B(90, 5, 1);
        var ranked = AuctionRules.Rank([tieLater, dear, tieEarlier, cheap, tieBetterRated]);
        Assert.Equal([cheap, tieBetterRated, tieEarlier, tieLater, dear], ranked);
    }

    [Fact]
    public void Rank_of_nothing_is_empty() => Assert.Empty(AuctionRules.Rank([]));

    [Theory]
    [InlineData(59, 0, true)]      // exactly one unit cheaper
    [InlineData(40, 0, true)]
    [InlineData(59.01, 0, false)]  // less than one unit cheaper
    [InlineData(60, 0, false)]     // the same bid again
    [InlineData(61, 0, false)]
    [InlineData(60, 30, true)]     // another slot, same price
    [InlineData(75, 30, true)]     // another slot may even cost more
    public void A_new_bid_replaces_only_if_cheaper_by_one_or_for_another_slot(decimal newPrice, int slotShiftMinutes, bool replaces) =>
        Assert.Equal(replaces, AuctionRules.Replaces(B(60, 4, 1), newPrice, Slot.AddMinutes(slotShiftMinutes)));

    [Theory]
    [InlineData(180, null)]        // 3 minutes left: not sniping
    [InlineData(121, null)]
    [InlineData(120, 240)]         // exactly 2 minutes left counts as the last two minutes
    [InlineData(60, 180)]
    [InlineData(1, 121)]
    public void A_bid_in_the_last_two_minutes_pushes_the_close_two_minutes(int secondsLeft, int? newCloseInSeconds)
    {
        var closes = Now.AddSeconds(secondsLeft);
        Assert.Equal(newCloseInSeconds is { } s ? Now.AddSeconds(s) : null, AuctionRules.Extend(closes, closes, Now));
    }

    [Fact]
    public void Extensions_stop_at_thirty_minutes_past_the_original_close()
    {
        var original = Now.AddMinutes(1);
        var cap = original + AuctionRules.MaxExtension;
        // 29 minutes of extensions already: the next one would overshoot and is cut to the cap.
        var closes = original.AddMinutes(29);
        Assert.Equal(cap, AuctionRules.Extend(closes, original, closes.AddSeconds(-30)));
        // At the cap nothing moves it any more.
        Assert.Null(AuctionRules.Extend(cap, original, cap.AddSeconds(-10)));
    }

    [Fact]
    public void A_sniper_bidding_every_last_minute_cannot_keep_it_open_past_the_cap()
    {
        var original = Now.AddMinutes(5);
        var closes = original;
        var extensions = 0;
        // Someone bids 10 seconds before every close, over and over.
        for (var i = 0; i < 100; i++)
        {
            var next = AuctionRules.Extend(closes, original, closes.AddSeconds(-10));
            if (next is null) break;
            Assert.True(next > closes);
            closes = next.Value;
            extensions++;
        }
        Assert.Equal(original + AuctionRules.MaxExtension, closes);
        Assert.Equal(15, extensions);
    }

    [Fact]
    public void A_bids_hold_outlasts_the_latest_grace_however_far_the_close_is_pushed()
    {
        var grace = TimeSpan.FromMinutes(30);
        var original = Now.AddMinutes(10);
        // The hold is sized when the bid is placed, before any extension; it must not depend on them.
        var holdUntil = AuctionRules.HoldUntil(original, grace);
        var closes = original;
        while (AuctionRules.Extend(closes, original, closes.AddSeconds(-10)) is { } next)
        {
            closes = next;
            Assert.True(holdUntil > closes + grace, $"the hold ends {holdUntil:HH:mm} before the grace of a close at {closes:HH:mm}");
        }
        Assert.Equal(original + AuctionRules.MaxExtension, closes);
        Assert.Equal(closes + grace + AuctionRules.HoldSlack, holdUntil);
    }

    private static NewAuction Valid => new("itchy rash on both arms", Guid.NewGuid(), 80m, "USD",
        new TimeWindow(Now.AddDays(1), Now.AddDays(3)), Now.AddHours(1));

    [Fact]
    public void A_sound_request_is_valid()
    {
        Assert.True(AuctionRules.Validate(Valid, Now).IsValid);
        Assert.True(AuctionRules.Validate(Valid with { MaxPrice = null }, Now).IsValid);
        Assert.True(AuctionRules.Validate(Valid with { ClosesAt = Now.AddMinutes(5) }, Now).IsValid);
        // The window must still be ahead when bidding ends.
        Assert.True(AuctionRules.Validate(Valid with { ClosesAt = Now.AddDays(7), Window = new TimeWindow(Now.AddDays(6), Now.AddDays(8)) }, Now).IsValid);
    }

    public static TheoryData<NewAuction, string> Invalid => new()
    {
        { Valid with { Symptoms = null }, "symptoms" },
        { Valid with { Symptoms = "   " }, "symptoms" },
        { Valid with { Symptoms = new string('a', 2001) }, "symptoms" },
        { Valid with { SpecialtyId = Guid.Empty }, "specialtyId" },
        { Valid with { MaxPrice = 0 }, "maxPrice" },
        { Valid with { MaxPrice = 100_000.01m }, "maxPrice" },
        { Valid with { MaxPrice = 10.001m }, "maxPrice" },
        { Valid with { Currency = null }, "currency" },
        { Valid with { Currency = "usd" }, "currency" },
        { Valid with { Window = null }, "window.from" },
        { Valid with { Window = new TimeWindow(null, Now.AddDays(1)) }, "window.from" },
        { Valid with { Window = new TimeWindow(Now.AddDays(1), null) }, "window.to" },
        { Valid with { Window = new TimeWindow(Now.AddDays(2), Now.AddDays(1)) }, "window.to" },
        { Valid with { Window = new TimeWindow(Now.AddDays(-3), Now.AddDays(-1)) }, "window.to" },
        { Valid with { Window = new TimeWindow(Now.AddDays(1), Now.AddDays(33)) }, "window.to" },
        { Valid with { ClosesAt = null }, "closesAt" },
        { Valid with { ClosesAt = Now.AddMinutes(4) }, "closesAt" },
        { Valid with { ClosesAt = Now.AddDays(7).AddMinutes(1) }, "closesAt" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void A_bad_request_names_the_field(NewAuction request, string field)
    {
        var errors = AuctionRules.Validate(request, Now).ToDictionary();
        Assert.True(errors.ContainsKey(field), $"expected an error for {field}, got {string.Join(", ", errors.Keys)}");
    }

    [Fact]
    public void No_body_is_an_error() => Assert.True(AuctionRules.Validate(null, Now).ToDictionary().ContainsKey("body"));

    [Fact]
    public void The_minimum_open_time_is_configurable_and_tolerates_a_little_clock_skew()
    {
        Assert.False(AuctionRules.Validate(Valid with { ClosesAt = Now.AddSeconds(10) }, Now).IsValid);
        Assert.True(AuctionRules.Validate(Valid with { ClosesAt = Now.AddSeconds(10) }, Now, TimeSpan.FromSeconds(2)).IsValid);
        // A client whose clock runs a few seconds behind still gets its 5-minute auction.
        Assert.True(AuctionRules.Validate(Valid with { ClosesAt = Now.AddMinutes(5).AddSeconds(-4) }, Now).IsValid);
        Assert.False(AuctionRules.Validate(Valid with { ClosesAt = Now.AddMinutes(5).AddSeconds(-6) }, Now).IsValid);
    }

    [Theory]
    [InlineData(null, true, null, "price")]
    [InlineData("0", true, null, "price")]
    [InlineData("-1", true, null, "price")]
    [InlineData("100001", true, null, "price")]
    [InlineData("12.345", true, null, "price")]
    [InlineData("50", false, null, "slotStart")]
    [InlineData("50", true, 501, "message")]
    public void A_bad_bid_names_the_field(string? price, bool withSlot, int? messageLength, string field)
    {
        var errors = AuctionRules.ValidateBid(price is { } p ? decimal.Parse(p, System.Globalization.CultureInfo.InvariantCulture) : null, withSlot ? Slot : null,
            messageLength is { } n ? new string('m', n) : null).ToDictionary();
        Assert.True(errors.ContainsKey(field), $"expected an error for {field}, got {string.Join(", ", errors.Keys)}");
    }

    [Fact]
    public void A_sound_bid_is_valid() => Assert.True(AuctionRules.ValidateBid(99.99m, Slot, "Available in the morning").IsValid);
}
