using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Consultations;

namespace HealthActors.UnitTests.Consultations;

public sealed class RatingRulesTests
{
    [Theory]
    [InlineData(1, null, null)]
    [InlineData(5, "Clear answer.", null)]
    [InlineData(null, null, "rating")]
    [InlineData(0, null, "rating")]
    [InlineData(6, null, "rating")]
    [InlineData(-3, null, "rating")]
    [InlineData(4, "bell\u0007", "comment")]
    public void A_rating_is_a_whole_1_to_5_with_an_optional_clean_comment(int? rating, string? comment, string? badField)
    {
        var errors = RatingRules.Validate(new RatingRequest { Rating = rating, Comment = comment });
        if (badField is null) Assert.True(errors.IsValid, string.Join("; ", errors.ToDictionary().Keys));
        else Assert.Equal([badField], errors.ToDictionary().Keys);
    }

    [Fact]
    public void A_comment_is_at_most_1000_characters_after_trimming()
    {
        Assert.True(RatingRules.Validate(new RatingRequest { Rating = 3, Comment = "  " + new string('a', 1000) + "\n" }).IsValid);
        Assert.False(RatingRules.Validate(new RatingRequest { Rating = 3, Comment = new string('a', 1001) }).IsValid);
        Assert.False(RatingRules.Validate(null).IsValid);
    }

    [Theory]
    [InlineData("  Thanks\u200b a lot \n", "Thanks a lot")]
    [InlineData("   ", null)]
    [InlineData(null, null)]
    public void The_stored_comment_is_normalized_and_blank_is_none(string? sent, string? stored) =>
        Assert.Equal(stored, RatingRules.CleanComment(sent));

    [Fact]
    public void The_shown_rating_is_the_mean_to_two_decimals_and_zero_when_nobody_rated()
    {
        Assert.Equal(0, RatingRules.Shown(RatingAggregate.None));
        Assert.Equal(3.33, RatingRules.Shown(new RatingAggregate(10 / 3.0, 3)));
        Assert.Equal(4.67, RatingRules.Shown(new RatingAggregate(14 / 3.0, 3)));
        Assert.Equal(5, RatingRules.Shown(new RatingAggregate(5, 1)));
    }

    private static DoctorProfile Doctor(string name, double rating, int count) =>
        new() { DoctorId = Guid.NewGuid(), Name = name, Rating = rating, RatingCount = count, Price = new Money(50, "USD"), Languages = ["en"] };

    [Fact]
    public void Sort_by_rating_puts_rated_doctors_first_best_mean_then_most_ratings()
    {
        var unrated = Doctor("Aaron", 0, 0);
        var low = Doctor("Zoe", 1, 1);
        var fewTop = Doctor("Mia", 4.5, 2);
        var manyTop = Doctor("Noah", 4.5, 20);
        var (items, total) = new DoctorQuery(null, null, null, null, "rating", 1, 10).Apply([unrated, low, fewTop, manyTop]);
        Assert.Equal(4, total);
        Assert.Equal([manyTop, fewTop, low, unrated], items);
        var (filtered, _) = new DoctorQuery(null, 1, null, null, "rating", 1, 10).Apply([unrated, low, fewTop, manyTop]);
        Assert.DoesNotContain(unrated, filtered);
    }
}
