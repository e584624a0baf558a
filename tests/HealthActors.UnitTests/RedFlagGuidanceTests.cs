using HealthActors.Grains.Abstractions.Chat;
using HealthActors.Grains.Abstractions.Patients;
using HealthActors.Grains.Chat;

namespace HealthActors.UnitTests;

public sealed class RedFlagGuidanceTests
{
    private static string For(string kind, string language, string? country, string textLanguage = "en") =>
        RedFlagGuidance.For(new RedFlagMatch(kind, textLanguage), language, country);

    [Fact]
    public void Every_category_has_its_own_answer_in_both_languages_and_says_the_assistant_cannot_assess()
    {
        foreach (var language in new[] { "en", "es" })
        {
            var answers = RedFlagCategories.All.Select(k => For(k, language, "ES")).ToList();
            Assert.Equal(answers.Count, answers.Distinct().Count());
            Assert.All(answers, a => Assert.Contains(language == "es" ? "Este asistente no puede evaluar emergencias" : "This assistant cannot assess emergencies", a));
            Assert.All(answers, a => Assert.Contains("112", a));
        }
    }

    [Theory]
    [InlineData("chest-pain", "aspirin", "not allergic")]
    [InlineData("chest-pain", "Do not drive", "aspirin")]
    [InlineData("stroke", "time the symptoms started", "ambulance")]
    [InlineData("anaphylaxis", "epinephrine", "auto-injector")]
    [InlineData("bleeding", "Press firmly", "cloth")]
    [InlineData("pregnancy", "pregnancy", "do not wait")]
    [InlineData("unconscious", "recovery position", "do not put anything in their mouth")]
    [InlineData("thunderclap-headache", "worst of your life", "now")]
    [InlineData("meningitis", "glass", "do not fade")]
    [InlineData("infant-fever", "under 3 months", "even if the baby seems well")]
    [InlineData("overdose", "Do not make the person vomit", "poison control")]
    [InlineData("trauma", "head", "confusion")]
    [InlineData("sepsis", "sepsis", "confusion")]
    [InlineData("acute-abdomen", "belly", "Eat and drink nothing")]
    [InlineData("breathing", "Sit upright", "inhaler")]
    public void The_answer_says_what_to_do_for_the_category(string kind, string one, string other)
    {
        var answer = For(kind, "en", null);
        Assert.Contains(one, answer);
        Assert.Contains(other, answer);
    }

    [Theory]
    [InlineData("US", "911")]
    [InlineData("CA", "911")]
    [InlineData("MX", "911")]
    [InlineData("AR", "107")]
    [InlineData("ES", "112")]
    [InlineData("FR", "112")]
    [InlineData("DE", "112")]
    [InlineData("GB", "999")]
    [InlineData("CO", "123")]
    [InlineData("CL", "131")]
    [InlineData("PE", "106")]
    [InlineData("UY", "911")]
    [InlineData("AU", "000")]
    [InlineData("NZ", "111")]
    [InlineData("IN", "112")]
    public void The_emergency_number_is_the_countrys(string country, string number)
    {
        Assert.Contains(number, For("chest-pain", "en", country));
        Assert.Contains(number, For("chest-pain", "es", country));
    }

    [Fact]
    public void A_country_without_a_known_number_or_none_gets_the_generic_wording_not_a_guess()
    {
        foreach (var country in new string?[] { null, "JP", "" })
        {
            Assert.Contains("your local emergency number (112 or 911 in most countries)", For("stroke", "en", country));
            Assert.Contains("número de emergencias de tu país", For("stroke", "es", country));
            Assert.Contains("your local poison control centre", For("overdose", "en", country));
        }
    }

    [Theory]
    [InlineData("US", "988")]
    [InlineData("CA", "988")]
    [InlineData("ES", "024")]
    [InlineData("AR", "135")]
    [InlineData("MX", "800 911 2000")]
    [InlineData("GB", "116 123")]
    public void Suicidal_thoughts_get_the_countrys_crisis_line_and_words_before_numbers(string country, string line)
    {
        var en = For("suicide", "en", country);
        Assert.Contains(line, en);
        Assert.StartsWith("Thank you for saying this; you do not have to go through it alone", en);
        Assert.True(en.IndexOf("alone", StringComparison.Ordinal) < en.IndexOf(line, StringComparison.Ordinal));
        Assert.Contains("stay with someone you trust", en);
        Assert.Contains(line, For("suicide", "es", country));
        Assert.StartsWith("Gracias por contarlo", For("suicide", "es", country));
    }

    [Fact]
    public void Spain_in_Spanish_gives_024_and_112_and_no_other_countrys_line()
    {
        var answer = For("suicide", "es", "ES", textLanguage: "es");
        Assert.Contains("024", answer);
        Assert.Contains("112", answer);
        Assert.DoesNotContain("988", answer);
        Assert.DoesNotContain("911", answer);
    }

    [Theory]
    [InlineData("US", "1-800-222-1222")]
    [InlineData("ES", "91 562 04 20")]
    [InlineData("AR", "0800-333-0160")]
    [InlineData("MX", "800 009 2800")]
    public void Poisoning_gets_the_countrys_poison_control(string country, string number) =>
        Assert.Contains(number, For("overdose", "en", country));

    [Theory]
    [InlineData("es-AR", "en", "es")]
    [InlineData("en-US", "es", "en")]
    [InlineData(null, "es", "es")]
    [InlineData("fr", "es", "es")]
    [InlineData("fr", "en", "en")]
    public void The_profiles_language_wins_over_the_texts_when_it_is_one_we_answer_in(string? preferred, string text, string expected) =>
        Assert.Equal(expected, RedFlagGuidance.Language(preferred, text));

    [Fact]
    public void The_country_code_is_read_in_any_case()
    {
        Assert.Contains("024", For("suicide", "es", "es"));
        Assert.True(CountryCodes.IsValid("es"));
        Assert.False(CountryCodes.IsValid("XX"));
        Assert.False(CountryCodes.IsValid("ESP"));
        Assert.Equal(249, CountryCodes.All.Count);
    }

    [Fact]
    public void The_old_entry_point_forwards_with_the_texts_language()
    {
        Assert.Contains("emergencias", RedFlags.Guidance(new RedFlagMatch("breathing", "es")));
        Assert.Contains("This assistant cannot assess emergencies", RedFlags.Guidance(new RedFlagMatch("breathing", "en")));
    }

    [Fact]
    public void The_profile_rules_name_a_bad_country_and_store_a_good_one_in_upper_case()
    {
        var today = new DateOnly(2026, 1, 1);
        Assert.Contains("country", PatientProfileRules.Validate(new PatientProfile { FirstName = "A", LastName = "B", Country = "ZZ" }, today).ToDictionary().Keys);
        var ok = new PatientProfile { FirstName = "A", LastName = "B", Country = "ar" };
        Assert.True(PatientProfileRules.Validate(ok, today).IsValid);
        Assert.Equal("AR", PatientProfileRules.Normalize(ok).Country);
    }
}

public sealed class EmergencyMarkerTests
{
    private const string Guidance = "GUIDANCE";

    private static (string Text, EmergencyMarker Marker) Run(params string[] pieces)
    {
        var marker = new EmergencyMarker(Guidance);
        var text = string.Concat(pieces.SelectMany(marker.Accept)) + string.Concat(marker.Flush());
        Assert.Equal(text, marker.Emitted);
        return (text, marker);
    }

    [Fact]
    public void A_marker_split_across_pieces_is_replaced_by_the_guidance()
    {
        var (text, marker) = Run("[EMER", "GENCY", "] Go", " now.");
        Assert.True(marker.Fired);
        Assert.Equal(Guidance + "\n\nGo now.", text);
    }

    [Fact]
    public void A_reply_without_the_marker_streams_unchanged()
    {
        var (text, marker) = Run("[Note] ", "rest ", "well.");
        Assert.False(marker.Fired);
        Assert.Equal("[Note] rest well.", text);
    }

    [Fact]
    public void A_short_reply_that_could_have_been_the_marker_is_still_sent()
    {
        var (text, marker) = Run("[EM");
        Assert.False(marker.Fired);
        Assert.Equal("[EM", text);
    }

    [Fact]
    public void The_marker_alone_is_the_guidance()
    {
        var (text, marker) = Run("[EMERGENCY]");
        Assert.True(marker.Fired);
        Assert.Equal(Guidance, text);
    }

    [Fact]
    public void The_marker_later_in_the_reply_is_not_an_emergency_flag()
    {
        var (text, marker) = Run("Fine. ", "[EMERGENCY]");
        Assert.False(marker.Fired);
        Assert.Equal("Fine. [EMERGENCY]", text);
    }
}
