using HealthActors.Grains.Abstractions.Chat;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Catalog;

namespace HealthActors.UnitTests;

public sealed class TextNormalizationTests
{
    public static TheoryData<string> DisguisedChestPain =>
    [
        "chest\u00a0pain",          // no-break space, common in pasted text
        "c\u200bhest pain",         // zero-width space inside the word
        "chest\u2003pain",          // em space
        "chest\u202fpain",          // narrow no-break space
        "chest\u3000pain",          // ideographic space
        "ch\u00adest pain",         // soft hyphen
        "\u202echest pain\u202c",   // right-to-left override
        "che\u2060st p\ufeffain",   // word joiner and BOM
        "ｃｈｅｓｔ ｐａｉｎ",          // full-width letters (NFKC)
        "chest \n  pain",           // a line break and a run of spaces
    ];

    [Theory]
    [MemberData(nameof(DisguisedChestPain))]
    public void Disguised_chest_pain_is_a_red_flag_like_plain_chest_pain(string text)
    {
        Assert.Equal("chest-pain", RedFlags.Detect(text)?.Kind);
        Assert.Equal("chest-pain", RedFlags.Detect("I have " + text + " since this morning")?.Kind);
    }

    [Theory]
    [MemberData(nameof(DisguisedChestPain))]
    public void Orientation_rules_score_disguised_text_like_plain_text(string text) =>
        Assert.Equal(SymptomRules.Score("chest pain"), SymptomRules.Score(text));

    [Theory]
    [InlineData("ana\u00a0garcía", "ana garcía")]
    [InlineData("a\u200bb\u200cc\u200dd\u200ee\u200ff", "abcdef")]
    [InlineData("x\u202ay\u202bz\u202d\u202e", "xyz")]
    [InlineData("x\u2061y\u2062z\u2063\u2064\u2066\u2067\u2068\u2069", "xyz")]
    [InlineData("\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u205f", "            ")]
    [InlineData("ﬁle Ⅳ ２", "file IV 2")] // compatibility forms fold to plain letters and digits
    [InlineData("Tome\u0301", "Tomé")] // composed
    [InlineData("line one\nline two\ttab", "line one\nline two\ttab")]
    [InlineData("plain ascii", "plain ascii")]
    public void Normalize(string input, string expected) => Assert.Equal(expected, TextNormalization.Normalize(input));

    [Fact]
    public void Normalize_keeps_null() => Assert.Null(TextNormalization.Normalize(null));

    [Fact]
    public void Free_text_fields_return_the_normalized_value_to_store()
    {
        var e = new ValidationErrors();
        Assert.Equal("peanut allergy", e.Text("note", "  pea\u200bnut\u00a0allergy ", 100));
        // Length counts what is stored, not the invisible characters around it.
        Assert.Equal("abc", e.Text("short", "a\u200bb\u200bc", 3));
        Assert.True(e.IsValid);
        Assert.Null(e.Text("blank", "\u200b\u00a0", 10, required: true));
        Assert.Equal(["blank"], e.ToDictionary().Keys);
    }

    [Theory]
    [InlineData("Ana\u200bGarcía")]
    [InlineData("Ana\u202eaícraG")]
    [InlineData("Ana\u00adGarcía")]
    [InlineData("Ana\u0007")]
    public void Names_refuse_invisible_and_formatting_characters(string name)
    {
        var e = new ValidationErrors();
        e.Name("firstName", name, 100);
        Assert.Equal([ValidationErrors.InvisibleCharacters], e.ToDictionary()["firstName"]);
    }

    [Fact]
    public void Names_accept_a_no_break_space_as_a_plain_space()
    {
        var e = new ValidationErrors();
        Assert.Equal("Ana García", e.Name("name", "Ana\u00a0García", 100));
        Assert.True(e.IsValid);
    }

    [Theory]
    [InlineData("ana\u200b@example.org")]
    [InlineData("ana@exam\u200dple.org")]
    [InlineData("\ufeffana@example.org")]
    [InlineData("ana\u00a0@example.org")]
    public void Emails_with_invisible_characters_or_odd_spaces_are_refused(string email)
    {
        Assert.False(CredentialRules.IsEmail(email));
        var e = new ValidationErrors();
        CredentialRules.ValidateEmail(e, email);
        Assert.True(e.ToDictionary().ContainsKey("email"));
    }

    [Fact]
    public void Chat_messages_of_only_invisible_characters_are_empty() =>
        Assert.False(ChatRules.ValidateMessage("\u200b\u200b\ufeff").IsValid);
}
