using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using HealthActors.Grains.Abstractions.Common;

namespace HealthActors.Grains.Abstractions.Chat;

public sealed record RedFlagMatch(string Kind, string Language);

/// <summary>
/// Emergency phrases in English and Spanish, matched on normalized, lower-cased text with accents removed,
/// before any model is called. Deliberately broad: a false alarm costs a paragraph, a miss can cost a life.
/// Plain rules with no Orleans in them, so the Api's model-call budget can exempt emergencies without
/// reaching into the grains.
/// </summary>
public static partial class RedFlags
{
    private static readonly (string Kind, string Language, Regex Pattern)[] Rules =
    [
        ("chest-pain", "en", R(@"\bchest (pain|pressure|tightness)|pain in (my|the) chest|heart attack")),
        ("chest-pain", "es", R(@"dolor (en el |de )?pecho|opresion (en el )?pecho|presion en el pecho|infarto|ataque (al|cardiaco|de corazon)")),
        ("breathing", "en", R(@"can'?t breathe|cannot breathe|can not breathe|unable to breathe|struggling to breathe|short(ness)? of breath|choking")),
        ("breathing", "es", R(@"no puedo respirar|me ahogo|me falta el aire|falta de aire|dificultad para respirar|me estoy ahogando")),
        ("stroke", "en", R(@"\bstroke\b|face (is )?droop|slurred speech|one side of (my|the|his|her) (body|face)|sudden (numbness|weakness)|can'?t move (my|one) (arm|leg)")),
        ("stroke", "es", R(@"\bacv\b|derrame cerebral|ictus|cara (torcida|caida)|no puedo hablar bien|habla arrastrada|perdi la fuerza|no puedo mover (el|la|mi) (brazo|pierna)")),
        ("bleeding", "en", R(@"(severe|heavy|uncontrolled|won'?t stop) bleeding|bleeding (heavily|a lot|won'?t stop)|vomiting blood|coughing (up )?blood")),
        ("bleeding", "es", R(@"sangrado (abundante|intenso|que no para)|sangra mucho|no para de sangrar|hemorragia|vomito sangre|vomitando sangre|tos con sangre")),
        ("suicide", "en", R(@"suicid|kill myself|end my life|want to die|don'?t want to live|self[- ]harm|hurt myself")),
        ("suicide", "es", R(@"suicid|matarme|quitarme la vida|quiero morir(me)?|no quiero vivir|hacerme dano|autolesion")),
        ("overdose", "en", R(@"overdos|took too many (pills|tablets)|swallowed (a bottle|too many)|poisoned")),
        ("overdose", "es", R(@"sobredosis|tome demasiad[ao]s (pastillas|comprimidos)|me envenene|intoxicacion")),
        ("anaphylaxis", "en", R(@"anaphyla|throat (is )?(closing|swelling)|tongue (is )?swelling|swollen (throat|tongue)|allergic reaction.*(breath|throat)")),
        ("anaphylaxis", "es", R(@"anafila|se me cierra la garganta|garganta (hinchada|cerrada)|lengua hinchada|reaccion alergica grave")),
        ("unconscious", "en", R(@"unconscious|passed out and|not breathing|no pulse|seizure|convulsion")),
        ("unconscious", "es", R(@"inconsciente|no respira|sin pulso|convulsion|desmayo y no")),
    ];

    private static Regex R(string pattern) => new(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromMilliseconds(200));

    public static RedFlagMatch? Detect(string text)
    {
        var folded = Fold(text);
        foreach (var (kind, language, pattern) in Rules)
            if (pattern.IsMatch(folded)) return new RedFlagMatch(kind, language);
        return null;
    }

    public static IReadOnlyList<string> DetectAll(string text)
    {
        var folded = Fold(text);
        return Rules.Where(r => r.Pattern.IsMatch(folded)).Select(r => r.Kind).Distinct().ToList();
    }

    /// <summary>
    /// <see cref="TextNormalization.Normalize"/>d, lower case, accents stripped, curly apostrophes straightened and
    /// every run of white space one space: "Tomé" -> "tome", "can’t" -> "can't", "chest\u00a0\n pain" -> "chest pain".
    /// </summary>
    public static string Fold(string text)
    {
        var normalized = TextNormalization.Normalize(text).ToLowerInvariant().Replace('\u2019', '\'').Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(normalized.Length);
        var space = false;
        foreach (var c in normalized)
        {
            if (char.IsWhiteSpace(c)) { space = true; continue; }
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            if (space && sb.Length > 0) sb.Append(' ');
            space = false;
            sb.Append(c);
        }
        return sb.ToString();
    }

    public static string Guidance(RedFlagMatch match)
    {
        // Kept for callers without a profile: the language of the text and the generic emergency wording.
        return RedFlagGuidance.For(match, null, null);
    }
}
