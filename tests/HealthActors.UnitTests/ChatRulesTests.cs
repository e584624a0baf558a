using HealthActors.Grains.Abstractions.Chat;
using HealthActors.Grains.Abstractions.Patients;
using HealthActors.Grains.Chat;
using Microsoft.Extensions.Time.Testing;

namespace HealthActors.UnitTests;

public sealed class ChatRulesTests
{
    [Theory]
    [InlineData("I have chest pain when I climb stairs", "chest-pain")]
    [InlineData("Tengo un dolor en el pecho muy fuerte", "chest-pain")]
    [InlineData("I can’t breathe properly", "breathing")]
    [InlineData("me falta el aire", "breathing")]
    [InlineData("his face is drooping and he has slurred speech", "stroke")]
    [InlineData("creo que es un ACV", "stroke")]
    [InlineData("the cut has heavy bleeding that won't stop", "bleeding")]
    [InlineData("no para de sangrar", "bleeding")]
    [InlineData("I keep thinking about suicide", "suicide")]
    [InlineData("Quiero quitarme la vida", "suicide")]
    [InlineData("I took too many pills", "overdose")]
    [InlineData("tomé demasiadas pastillas", "overdose")]
    [InlineData("my throat is closing after eating peanuts", "anaphylaxis")]
    [InlineData("se me cierra la garganta", "anaphylaxis")]
    public void Red_flags_are_detected_in_English_and_Spanish(string text, string kind) =>
        Assert.Equal(kind, RedFlags.Detect(text)?.Kind);

    [Theory]
    [InlineData("I have a mild headache since yesterday")]
    [InlineData("Me duele un poco la rodilla")]
    [InlineData("What foods help with digestion?")]
    public void Ordinary_messages_are_not_flagged(string text) => Assert.Null(RedFlags.Detect(text));

    [Fact]
    public void Guidance_is_in_the_language_of_the_message()
    {
        Assert.Contains("emergencias", RedFlags.Guidance(RedFlags.Detect("me ahogo")!));
        Assert.Contains("emergency", RedFlags.Guidance(RedFlags.Detect("I can't breathe")!));
    }

    [Theory]
    [InlineData("Hola, tengo tos desde ayer", null, "es")]
    [InlineData("I have had a cough since yesterday", null, "en")]
    [InlineData("I have had a cough since yesterday", "es-AR", "es")]
    public void Language_comes_from_the_profile_or_the_message(string text, string? preferred, string expected) =>
        Assert.Equal(expected, OfflineAssistant.Language(text, preferred));

    [Theory]
    [InlineData("I have an itchy rash", "dermatology")]
    [InlineData("me duele el estómago y tengo náuseas", "gastroenterology")]
    [InlineData("feeling a bit off", "general practice")]
    public void Offline_triage_names_a_specialty(string text, string specialty) =>
        Assert.Equal(specialty, OfflineAssistant.Triage(text).Specialty);

    [Fact]
    public void Prompt_carries_age_allergies_conditions_medications_summary_and_window()
    {
        var profile = new PatientProfile
        {
            BirthDate = new DateOnly(1990, 11, 27), Sex = "female", Allergies = ["penicillin"], Conditions = ["asthma"],
            Medications = [new Medication { Name = "salbutamol", Dose = "100 mcg" }],
        };
        var window = new[] { new ChatMessage(Guid.NewGuid(), Guid.NewGuid(), 5, ChatRoles.User, "sore throat", DateTimeOffset.UtcNow, null, false) };
        var prompt = PromptBuilder.Build(profile, "earlier: fever", window, "es", new DateOnly(2026, 11, 26));
        var all = string.Join("\n", prompt.Select(m => m.Text));
        Assert.Contains("age 35", all);
        Assert.Contains("penicillin", all);
        Assert.Contains("asthma", all);
        Assert.Contains("salbutamol 100 mcg", all);
        Assert.Contains("earlier: fever", all);
        Assert.Contains("Spanish", all);
        Assert.Equal("sore throat", prompt[^1].Text);
    }

    [Fact]
    public void Prompt_carries_the_latest_vitals_the_patient_recorded_and_nothing_when_there_are_none()
    {
        var at = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        var vitals = new[]
        {
            new HealthActors.Grains.Abstractions.Records.HealthRecord(Guid.NewGuid(), "vitals", "blood-pressure", at, """{"systolic":150,"diastolic":95}""", null, at, 1),
            new HealthActors.Grains.Abstractions.Records.HealthRecord(Guid.NewGuid(), "vitals", "heart-rate", at, """{"value":88}""", null, at, 1),
        };
        var with = string.Join("\n", PromptBuilder.Build(null, null, [], "en", new DateOnly(2026, 12, 3), vitals).Select(m => m.Text));
        Assert.Contains("blood-pressure systolic 150 diastolic 95 (2026-12-01)", with);
        Assert.Contains("heart-rate value 88", with);
        var without = string.Join("\n", PromptBuilder.Build(null, null, [], "en", new DateOnly(2026, 12, 3)).Select(m => m.Text));
        Assert.DoesNotContain("vitals", without);
    }

    [Fact]
    public void Circuit_opens_after_consecutive_failures_and_closes_after_the_pause()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var circuit = new ModelCircuit(3, TimeSpan.FromSeconds(30), time);
        circuit.Failure(); circuit.Failure();
        Assert.False(circuit.IsOpen);
        circuit.Failure();
        Assert.True(circuit.IsOpen);
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.False(circuit.IsOpen);
    }

    [Fact]
    public void Message_rules()
    {
        Assert.True(ChatRules.ValidateMessage("line one\nline two\ttabbed").IsValid);
        Assert.False(ChatRules.ValidateMessage(null).IsValid);
        Assert.False(ChatRules.ValidateMessage(new string('x', 4001)).IsValid);
        Assert.True(ChatRules.ValidateMessage(new string('x', 4000)).IsValid);
    }
}
