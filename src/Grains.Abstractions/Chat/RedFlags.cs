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
        // Kept for callers without a profile: the language of the text and the generic emergency wording.
        return RedFlagGuidance.For(match, null, null);
    }
}
