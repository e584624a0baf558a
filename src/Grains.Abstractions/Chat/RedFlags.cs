using System.Globalization;
using System.Text;
using HealthActors.Grains.Abstractions.Common;

namespace HealthActors.Grains.Abstractions.Chat;

public sealed record RedFlagMatch(string Kind, string Language);

/// <summary>
/// Emergency expressions in English and Spanish (<see cref="RedFlagKnowledge"/>, matched by
/// <see cref="RedFlagDetector"/>) on normalized, lower-cased text with accents removed, before any model is called. Deliberately broad: a false alarm costs a paragraph, a miss can cost a life.
/// Plain rules with no Orleans in them, so the Api's model-call budget can exempt emergencies without
/// reaching into the grains.
/// </summary>
public static partial class RedFlags
{
    /// <summary>The first red flag in the text (see <see cref="RedFlagDetector"/>), or null.</summary>
    public static RedFlagMatch? Detect(string text) => Detect(text, ageInDays: null);

    /// <summary>
    /// As <see cref="Detect(string)"/>, with the patient's age when known: fever under 3 months is a red flag of its
    /// own. An age said in the text ("my 2 month old") takes precedence over the profile's.
    /// </summary>
    public static RedFlagMatch? Detect(string text, int? ageInDays)
    {
        var all = RedFlagDetector.Match(text, ageInDays);
        return all.Count == 0 ? null : all[0];
    }

    public static IReadOnlyList<string> DetectAll(string text) => DetectAll(text, ageInDays: null);

    public static IReadOnlyList<string> DetectAll(string text, int? ageInDays) =>
        RedFlagDetector.Match(text, ageInDays).Select(m => m.Kind).ToList();

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
        var es = match.Language == "es";
        var specific = (match.Kind, es) switch
        {
            ("suicide", false) => "You are not alone. If you might act on these thoughts, call your local emergency number now, or a suicide and crisis line (988 in the US and Canada; 024 in Spain; 135 in Argentina). Stay with someone you trust.",
            ("suicide", true) => "No estás solo/a. Si podés llegar a actuar sobre estos pensamientos, llamá ya al número de emergencias local o a una línea de crisis (024 en España, 135 en Argentina, 988 en EE. UU.). Quedate con alguien de confianza.",
            ("anaphylaxis", false) => "If you have an epinephrine auto-injector, use it now, then call emergency services.",
            ("anaphylaxis", true) => "Si tenés un autoinyector de adrenalina, usalo ahora y llamá a emergencias.",
            ("overdose", false) => "Call emergency services or poison control now. Do not make yourself vomit unless told to.",
            ("overdose", true) => "Llamá ya a emergencias o al centro de toxicología. No provoques el vómito salvo que te lo indiquen.",
            ("bleeding", false) => "Press firmly on the wound with a clean cloth and keep pressing while you call emergency services.",
            ("bleeding", true) => "Presioná firme la herida con un paño limpio y no sueltes mientras llamás a emergencias.",
            ("stroke", false) => "Note the time the symptoms started; every minute matters for stroke treatment.",
            ("stroke", true) => "Anotá la hora en que empezaron los síntomas: en un ACV cada minuto cuenta.",
            (_, false) => "Do not drive yourself. Sit or lie down and unlock the door if you are alone.",
            (_, true) => "No manejes. Sentate o acostate y, si estás solo/a, dejá la puerta sin llave.",
        };
        return es
            ? "⚠️ Esto puede ser una emergencia. Llamá ahora al número de emergencias (112 en Europa, 911 en América) o andá a la guardia más cercana. " + specific + " Este asistente no puede evaluar emergencias."
            : "⚠️ This may be a medical emergency. Call your local emergency number now (911 in the Americas, 112 in Europe) or go to the nearest emergency department. " + specific + " This assistant cannot assess emergencies.";
    }
}
