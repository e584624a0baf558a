using HealthActors.Grains.Abstractions.Chat;
using HealthActors.RedFlagCorpus;

namespace HealthActors.UnitTests;

/// <summary>The red-flag detector held to its corpus (RedFlagCorpus/*.txt): every emergency caught with its category, few false alarms.</summary>
public sealed class RedFlagCorpusTests
{
    public static TheoryData<string> EmergencyFiles() => new(RedFlagCorpusFiles.EmergencyFiles());

    public static TheoryData<string> NonUrgentFiles() => new(RedFlagCorpusFiles.NonUrgentFiles());

    [Fact]
    public void The_corpus_covers_every_category_in_both_languages_with_enough_phrasings()
    {
        // The original set and the blind holdouts are all loaded: a holdout dropped by a renamed file would
        // otherwise pass unnoticed.
        Assert.Contains("emergencies.txt", RedFlagCorpusFiles.EmergencyFiles());
        Assert.Contains("holdout-emergencies.txt", RedFlagCorpusFiles.EmergencyFiles());
        Assert.Contains("holdout-nonurgent.txt", RedFlagCorpusFiles.NonUrgentFiles());
        var emergencies = RedFlagCorpusFiles.Emergencies();
        Assert.True(emergencies.Count >= 300, $"{emergencies.Count} emergencies");
        Assert.True(RedFlagCorpusFiles.NonUrgent().Count >= 100);
        foreach (var category in RedFlagCategories.All)
            Assert.True(emergencies.Count(e => e.Category == category) >= 15, category);
        Assert.Empty(emergencies.Select(e => e.Category).Except(RedFlagCategories.All));
        Assert.Empty(RedFlagCorpusFiles.NonUrgent().Select(n => n.Category).Except(RedFlagCategories.All.Append("none")));
    }

    [Theory]
    [MemberData(nameof(EmergencyFiles))]
    public void Every_emergency_in_the_file_is_detected_with_its_category(string file)
    {
        var lines = RedFlagCorpusFiles.File(file);
        Assert.NotEmpty(lines);
        var misses = lines
            .Where(e => RedFlags.Detect(e.Text) is null || !RedFlags.DetectAll(e.Text).Contains(e.Category))
            .Select(e => $"{file}:{e.LineNumber}: {e.Category} | {e.Text} -> [{string.Join(", ", RedFlags.DetectAll(e.Text))}]")
            .ToList();
        Assert.True(misses.Count == 0, $"{misses.Count} of {lines.Count} emergencies missed:\n" + string.Join("\n", misses));
    }

    [Theory]
    [MemberData(nameof(NonUrgentFiles))]
    public void At_most_five_percent_of_the_non_urgent_complaints_in_the_file_raise_an_alarm(string file)
    {
        var nonUrgent = RedFlagCorpusFiles.File(file);
        Assert.NotEmpty(nonUrgent);
        var alarms = nonUrgent.Where(n => RedFlags.DetectAll(n.Text).Count > 0)
            .Select(n => $"{file}:{n.LineNumber}: {n.Category} | {n.Text} -> [{string.Join(", ", RedFlags.DetectAll(n.Text))}]")
            .ToList();
        Assert.True(alarms.Count <= nonUrgent.Count * 0.05, $"{alarms.Count} false alarms of {nonUrgent.Count}:\n" + string.Join("\n", alarms));
    }

    [Theory]
    [InlineData("I'm 30 weeks pregnant and bleeding a lot", "pregnancy", "bleeding")]
    [InlineData("estoy embarazada de 20 semanas y sangro mucho", "pregnancy", "bleeding")]
    [InlineData("stung by a bee and now I can't breathe, my throat is closing", "anaphylaxis", "breathing")]
    [InlineData("my daughter is slurring her words and I found my empty oxy bottle, I think she took them all", "overdose", "stroke")]
    public void The_answer_leads_with_the_most_specific_category(string text, string lead, string alsoFound)
    {
        var all = RedFlags.DetectAll(text);
        Assert.Contains(alsoFound, all);
        Assert.Equal(lead, all[0]);
        Assert.Equal(lead, RedFlags.Detect(text)!.Kind);
    }

    [Fact]
    public void Where_a_corpus_line_matches_several_categories_its_own_mostly_leads()
    {
        // Lines written for one category that also match another: the answer's guidance is the first one's. A few
        // leads differ and are still the right action (a stiff neck after a thunderclap headache leads with
        // meningitis): 7 of 50 today, against 33 of 50 when the lead was the knowledge base's listing order. The bound
        // catches an order change that would send many answers back to the general categories.
        var several = RedFlagCorpusFiles.Emergencies().Select(e => (e, all: RedFlags.DetectAll(e.Text))).Where(x => x.all.Count > 1).ToList();
        var otherLead = several.Where(x => x.all[0] != x.e.Category).Select(x => $"{x.e.Category} -> [{string.Join(", ", x.all)}] {x.e.Text}").ToList();
        Assert.True(several.Count > 20, $"{several.Count} lines match several categories");
        Assert.True(otherLead.Count <= several.Count / 6, $"{otherLead.Count} of {several.Count} lead with another category:\n" + string.Join("\n", otherLead));
    }

    [Theory]
    [InlineData("no chest pain")]
    [InlineData("denies chest pain")]
    [InlineData("sin dificultad para respirar")]
    [InlineData("no me falta el aire")]
    [InlineData("had chest pain last year, it was checked and fine")]
    public void A_denial_is_not_an_alarm(string text) => Assert.Null(RedFlags.Detect(text));

    [Theory]
    [InlineData("no puedo respirar", "breathing")]
    [InlineData("can't breathe", "breathing")]
    [InlineData("cant breath", "breathing")]
    [InlineData("he is not breathing", "breathing")]
    [InlineData("had chest pain last year and now it is back", "chest-pain")]
    [InlineData("no fever but chest pain", "chest-pain")]
    public void A_negation_that_is_the_symptom_itself_is_an_alarm(string text, string category) =>
        Assert.Contains(category, RedFlags.DetectAll(text));

    [Theory]
    [InlineData("mild chest pain when I cough with this cold")]
    [InlineData("un poco de dolor en el pecho al toser, leve")]
    [InlineData("pulled a muscle in my chest lifting boxes, it hurts when I twist")]
    [InlineData("in the movie a guy clutched his chest with crushing pain")]
    [InlineData("my uncle had a stroke back in 2004")]
    [InlineData("she had a seizure when she was 3, she is 10 now and fine")]
    [InlineData("tengo ganas de vivir y no pienso en hacerme dano")]
    [InlineData("I need a new prescription for my epipen")]
    [InlineData("quiero desaparecer del trabajo un rato")]
    [InlineData("i dont see the point of this new diet")]
    [InlineData("I'm not short of breath at all")]
    [InlineData("my 4mo has a fever")]
    public void A_mild_past_fictional_or_benign_mention_is_not_an_alarm(string text) => Assert.Empty(RedFlags.DetectAll(text));

    [Theory]
    [InlineData("mild chest pain but it is spreading to my arm and I am sweating", "chest-pain")]
    [InlineData("un poco de sangre pero no para de salir a chorros", "bleeding")]
    [InlineData("I was watching a movie and suddenly my chest is crushing", "chest-pain")]
    [InlineData("had a stroke in 2019 and now my face is drooping again", "stroke")]
    [InlineData("he used his epipen and his throat still feels tight", "anaphylaxis")]
    [InlineData("me tome 15 comprimidos de clonazepam", "overdose")]
    [InlineData("my nephew drank some dishwasher liquid", "overdose")]
    [InlineData("found him on the bathroom floor, not breathing or moving", "unconscious")]
    [InlineData("honestly i dont see the point of living anymore", "suicide")]
    [InlineData("siento que soy una carga para mi familia", "suicide")]
    [InlineData("ya no le veo sentido a la vida", "suicide")]
    [InlineData("a pain in the very middle of my chest, heavy", "chest-pain")]
    [InlineData("el bebe no se mueve desde ayer, 36 semanas", "pregnancy")]
    [InlineData("hi sorry its late, my neighbour just phoned: her dad is on the floor not moving and not answering", "unconscious")]
    [InlineData("my 2mo has 38.1", "infant-fever")]
    [InlineData("mi bebe de 3sem tiene fiebre", "infant-fever")]
    [InlineData("voy a tomarme todo el frasco", "suicide")]
    public void Severity_or_a_present_event_keeps_the_alarm(string text, string category) =>
        Assert.Contains(category, RedFlags.DetectAll(text));

    [Theory]
    [InlineData("my boss is going to give me a heart attack with these deadlines")]
    [InlineData("you nearly gave me a stroke jumping out like that")]
    [InlineData("me vas a dar un infarto con tus bromas")]
    [InlineData("i bent my knee the wrong way doing yoga, a bit sore")]
    [InlineData("me cuesta un poco respirar por la nariz con este resfriado")]
    [InlineData("mi bebe tiene un ano y medio y tiene fiebre")]
    [InlineData("it burns when i pee, i think it is a uti")]
    [InlineData("she held the baby to her chest and sang")]
    [InlineData("that movie gave me a stroke it was so bad")]
    [InlineData("i took half a tylenol for my headache")]
    [InlineData("my legs feel stiff and shaky after the marathon")]
    [InlineData("i cant wait for this week to be over")]
    public void A_figure_of_speech_or_a_near_miss_of_the_third_batch_is_not_an_alarm(string text) =>
        Assert.Empty(RedFlags.DetectAll(text));

    [Theory]
    [InlineData("i think im having a heart attack", "chest-pain")]
    [InlineData("creo que me esta dando un infarto", "chest-pain")]
    [InlineData("a mi papa le dio un infarto", "chest-pain")]
    [InlineData("siento que me va a dar un infarto", "chest-pain")]
    [InlineData("le cuesta respirar desde anoche y el nene tiene un poco de mocos", "breathing")]
    [InlineData("mi bebe tiene mes y medio y tiene fiebre", "infant-fever")]
    [InlineData("my baby is a month and a half old and has a temp of 38.3", "infant-fever")]
    [InlineData("our twenty day old has a fever", "infant-fever")]
    [InlineData("mi nena de cuarenta dias tiene calentura", "infant-fever")]
    [InlineData("mi bebe tiene tres semanitas y esta calentito", "infant-fever")]
    [InlineData("fell off his bike and his arm is bent the wrong way", "trauma")]
    [InlineData("se cayo de la moto y tiene el tobillo girado al reves", "trauma")]
    [InlineData("grandma has pneumonia and now her fingers are blue and she's burning up", "sepsis")]
    [InlineData("mi padre tiene infeccion de orina y la presion muy baja", "sepsis")]
    [InlineData("my uncle is clutching his chest on the sofa", "chest-pain")]
    [InlineData("the headache came on in seconds, like a gunshot", "thunderclap-headache")]
    [InlineData("fainted in the kitchen and she still cant open her eyes", "unconscious")]
    [InlineData("spat up some dark red blood after coughing", "bleeding")]
    [InlineData("my chest feels like its in a vice and it goes up into my neck", "chest-pain")]
    [InlineData("mi padre se quedo tieso temblando y echando espuma", "unconscious")]
    [InlineData("mi hijo tiene fiebre y le duele el cuello no lo puede mover y vomita", "meningitis")]
    [InlineData("i just want it all to stop forever", "suicide")]
    [InlineData("ya no puedo mas con la vida quiero irme para siempre", "suicide")]
    [InlineData("my brother texted me that he wont be around much longer", "suicide")]
    [InlineData("mi hija se bebio media botella de jarabe para la tos", "overdose")]
    [InlineData("grandpa took his warfarin three times today by mistake", "overdose")]
    [InlineData("he came off his motorbike at speed and isnt making sense", "trauma")]
    public void Phrasings_generalised_after_the_third_blind_batch_are_alarms(string text, string category) =>
        Assert.Contains(category, RedFlags.DetectAll(text));

    [Theory]
    [InlineData(30, "infant-fever")]
    [InlineData(89, "infant-fever")]
    public void Fever_in_an_infant_under_three_months_by_profile_age_is_an_emergency(int ageInDays, string category)
    {
        Assert.Equal(category, RedFlags.Detect("she has a fever", ageInDays)?.Kind);
        Assert.Equal("es", RedFlags.Detect("tiene fiebre desde anoche", ageInDays)?.Language);
        Assert.Contains(category, RedFlags.DetectAll("tiene fiebre", ageInDays));
    }

    [Fact]
    public void Fever_at_three_months_or_older_or_with_no_age_is_not_infant_fever()
    {
        Assert.Null(RedFlags.Detect("she has a fever", 90));
        Assert.Null(RedFlags.Detect("she has a fever"));
        // The age said in the text is the patient's, not the account holder's profile age.
        Assert.Null(RedFlags.Detect("my 3 year old has a fever", 20));
        Assert.Equal("infant-fever", RedFlags.Detect("my 6 week old has a fever", 12000)?.Kind);
    }

    [Fact]
    public void Matches_carry_the_language_of_the_expression()
    {
        Assert.Equal(new RedFlagMatch("chest-pain", "es"), RedFlags.Detect("me duele el pecho"));
        Assert.Equal(new RedFlagMatch("chest-pain", "en"), RedFlags.Detect("my chest hurts"));
    }
}
