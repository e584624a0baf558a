using HealthActors.Grains.Abstractions.Cases;

namespace HealthActors.UnitTests.Cases;

public sealed class CaseRulesTests
{
    private static CaseSubmission Valid() => new()
    {
        Title = "Wrist pain after a fall", AgeBand = "40-49", Sex = "female", PresentingComplaint = "Pain.", Question = "Next step?",
        Tags = ["trauma", "wrist-fracture"],
    };

    [Theory]
    [InlineData("0-9", true)]
    [InlineData("10-19", true)]
    [InlineData("90-99", true)]
    [InlineData("100+", true)]
    [InlineData("41-50", false)]
    [InlineData("40-48", false)]
    [InlineData("100-109", false)]
    [InlineData("45", false)]
    [InlineData("", false)]
    [InlineData("110+", false)]
    public void Age_bands_are_whole_decades_or_100_plus(string band, bool valid) => Assert.Equal(valid, CaseRules.IsAgeBand(band));

    [Theory]
    [InlineData("trauma", true)]
    [InlineData("type-2-diabetes", true)]
    [InlineData("Trauma", false)]
    [InlineData("two words", false)]
    [InlineData("-leading", false)]
    [InlineData("double--dash", false)]
    public void Tags_are_lowercase_slugs(string tag, bool valid) => Assert.Equal(valid, CaseRules.IsTag(tag));

    [Fact]
    public void A_valid_case_passes() => Assert.True(CaseRules.Validate(Valid()).IsValid);

    [Fact]
    public void Too_many_or_repeated_tags_are_refused_naming_tags()
    {
        var tooMany = CaseRules.Validate(Valid() with { Tags = Enumerable.Range(0, 11).Select(i => $"t{i}").ToArray() }).ToDictionary();
        Assert.Contains("tags", tooMany.Keys);
        var repeated = CaseRules.Validate(Valid() with { Tags = ["a", "a"] }).ToDictionary();
        Assert.Contains("tags", repeated.Keys);
        var tooLong = CaseRules.Validate(Valid() with { Tags = [new string('a', 41)] }).ToDictionary();
        Assert.Contains("tags[0]", tooLong.Keys);
    }

    [Fact]
    public void An_identifier_in_any_section_names_that_section_and_the_kind()
    {
        var errors = CaseRules.Validate(Valid() with { Findings = "Seen at 12 Baker Street", History = "mail ana.lopez@gmail.com" }).ToDictionary();
        Assert.Contains(errors["history"], m => m.Contains("email"));
        Assert.Contains(errors["findings"], m => m.Contains("street address"));
        Assert.DoesNotContain(errors.Values.SelectMany(m => m), m => m.Contains("ana.lopez"));
    }

    [Fact]
    public void Comments_are_de_identified_and_bounded()
    {
        Assert.True(CaseRules.ValidateComment(new CommentSubmission { Text = "Consider a CT." }).IsValid);
        Assert.Contains("text", CaseRules.ValidateComment(new CommentSubmission { Text = "call 612 345 678" }).ToDictionary().Keys);
        Assert.Contains("text", CaseRules.ValidateComment(new CommentSubmission { Text = new string('x', 4001) }).ToDictionary().Keys);
        Assert.Contains("parentId", CaseRules.ValidateComment(new CommentSubmission { Text = "ok", ParentId = Guid.Empty }).ToDictionary().Keys);
    }
}
