using System.Text.RegularExpressions;
using HealthActors.Grains.Abstractions.Chat;

namespace HealthActors.Grains.Chat;

public sealed record TriageSuggestion(string Specialty, string SpecialtyEs, string Urgency);

/// <summary>
/// The answer when no model is configured or the model fails: says plainly that it is offline and gives
/// triage-level guidance only (which specialty, how soon), never a diagnosis or a drug.
/// </summary>
public static class OfflineAssistant
{
    private static readonly (Regex Pattern, TriageSuggestion Suggestion)[] Rules =
    [
        (R(@"\b(rash|itch|acne|mole|skin|eczema|psoriasis)|\b(piel|erupcion|picazon|granos|lunar|sarpullido|eccema)"), new("dermatology", "dermatología", "within a few weeks")),
        (R(@"\b(palpitation|heart|blood pressure|hypertension)|\b(palpitaciones|corazon|presion arterial|hipertension)"), new("cardiology", "cardiología", "within a few days")),
        (R(@"\b(cough|asthma|wheez|bronch)|\b(tos|asma|silbido|bronquitis)"), new("pulmonology", "neumonología", "within a few days")),
        (R(@"\b(stomach|abdominal|belly|diarrh|constipat|nausea|vomit|heartburn|reflux)|\b(estomago|abdomen|panza|diarrea|estrenimiento|nauseas|vomitos|acidez|reflujo)"), new("gastroenterology", "gastroenterología", "within a few days")),
        (R(@"\b(headache|migraine|dizz|numb|tingl|memory)|\b(dolor de cabeza|cefalea|migrana|mareo|hormigueo|memoria)"), new("neurology", "neurología", "within a week")),
        (R(@"\b(anxi|depress|panic|insomnia|sleep|stress)|\b(ansiedad|depresion|panico|insomnio|dormir|estres)"), new("psychiatry", "psiquiatría", "within a week")),
        (R(@"\b(joint|knee|back pain|shoulder|sprain|fracture|bone)|\b(articulacion|rodilla|dolor de espalda|hombro|esguince|fractura|hueso)"), new("traumatology", "traumatología", "within a week")),
        (R(@"\b(period|menstrua|pregnan|vaginal|contracept)|\b(menstruacion|regla|embaraz|vaginal|anticonceptivo)"), new("gynecology", "ginecología", "within a week")),
        (R(@"\b(urine|urinat|kidney|bladder|prostate)|\b(orina|orinar|rinon|vejiga|prostata)"), new("urology", "urología", "within a week")),
        (R(@"\b(ear|throat|sinus|nose|tonsil|hearing)|\b(oido|garganta|sinusitis|nariz|amigdala|audicion)"), new("otolaryngology", "otorrinolaringología", "within a few days")),
        (R(@"\b(eye|vision|sight)|\b(ojo|vision|vista)"), new("ophthalmology", "oftalmología", "within a few days")),
        (R(@"\b(thyroid|diabet|sugar|weight gain|hormone)|\b(tiroides|diabet|azucar|aumento de peso|hormona)"), new("endocrinology", "endocrinología", "within a few weeks")),
        (R(@"\b(child|baby|infant|toddler)|\b(hijo|hija|bebe|nino|nina)"), new("pediatrics", "pediatría", "within a few days")),
    ];

    private static readonly TriageSuggestion General = new("general practice", "medicina general", "within a few days");

    private static Regex R(string p) => new(p, RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromMilliseconds(200));

    public static TriageSuggestion Triage(string text)
    {
        var folded = RedFlags.Fold(text);
        foreach (var (pattern, suggestion) in Rules)
            if (pattern.IsMatch(folded)) return suggestion;
        return General;
    }

    public static string Answer(string text, string language)
    {
        var t = Triage(text);
        return language == "es"
            ? $"Ahora mismo estoy funcionando sin conexión con el modelo de IA, así que solo puedo darte una orientación básica. Por lo que contás, lo más indicado sería consultar con {t.SpecialtyEs} ({Urgency(t.Urgency, es: true)}). Si los síntomas empeoran o aparece algo nuevo y grave, buscá atención médica de inmediato. Esto no es un diagnóstico."
            : $"I am running offline right now (the AI model is not available), so I can only give basic orientation. From what you describe, the right place to start is {t.Specialty} ({t.Urgency}). If symptoms get worse or something new and severe appears, seek medical care at once. This is not a diagnosis.";
    }

    private static string Urgency(string en, bool es) => !es ? en : en switch
    {
        "within a few days" => "en los próximos días",
        "within a week" => "dentro de una semana",
        "within a few weeks" => "en las próximas semanas",
        _ => en,
    };

    /// <summary>Spanish when the profile says so, else a guess from the message itself.</summary>
    public static string Language(string text, string? preferred)
    {
        if (preferred is { Length: >= 2 }) return preferred[..2].ToLowerInvariant() == "es" ? "es" : "en";
        var lower = " " + text.ToLowerInvariant() + " ";
        var score = 0;
        foreach (var c in lower) if ("áéíóúñ¿¡".Contains(c)) score += 2;
        foreach (var w in new[] { " el ", " la ", " los ", " que ", " tengo ", " me ", " duele ", " dolor ", " estoy ", " hola ", " mi ", " con ", " por ", " y " })
            if (lower.Contains(w)) score++;
        foreach (var w in new[] { " the ", " i ", " my ", " have ", " is ", " and ", " hello ", " with ", " pain " })
            if (lower.Contains(w)) score--;
        return score > 0 ? "es" : "en";
    }
}
