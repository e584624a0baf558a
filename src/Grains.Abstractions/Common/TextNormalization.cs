using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace HealthActors.Grains.Abstractions.Common;

/// <summary>
/// One canonical form for free text, applied before it is validated, stored or matched against clinical rules.
/// Pasted text often carries characters that look like nothing or like a space ("chest\u00a0pain",
/// "c\u200bhest pain"); left in place they make a rule miss an emergency that a reader sees plainly.
/// </summary>
public static class TextNormalization
{
    /// <summary>
    /// Unicode NFKC (full-width and compatibility forms fold to their plain letters), every space separator
    /// becomes U+0020, and zero-width, bidirectional-control and soft-hyphen characters are removed.
    /// Newlines and tabs are kept; trimming is the caller's choice.
    /// </summary>
    [return: NotNullIfNotNull(nameof(text))]
    public static string? Normalize(string? text)
    {
        if (text is null) return null;
        if (IsPlainAscii(text)) return text;
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (IsInvisible(c)) continue;
            sb.Append(IsSpaceSeparator(c) ? ' ' : c);
        }
        // NFKC last: removing a joiner can bring a letter and its combining mark together, to be composed here.
        return sb.ToString().Normalize(NormalizationForm.FormKC);
    }

    /// <summary>Zero-width characters, bidirectional embeddings, overrides and isolates, word joiners, BOM, soft hyphen.</summary>
    public static bool IsInvisible(char c) => c is
        >= '\u200B' and <= '\u200F'
        or >= '\u202A' and <= '\u202E'
        or >= '\u2060' and <= '\u2064'
        or >= '\u2066' and <= '\u2069'
        or '\uFEFF'
        or '\u00AD';

    /// <summary>No-break, en/em/thin/hair, narrow no-break, medium mathematical and ideographic spaces (Unicode Zs).</summary>
    public static bool IsSpaceSeparator(char c) => c != ' ' && CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.SpaceSeparator;

    /// <summary>
    /// True when the text holds format characters (Unicode Cf: zero-width, bidi controls, soft hyphen ...) or
    /// control characters. Identifiers such as emails and names refuse these rather than have them silently
    /// removed: an address or a name that differs from what the user sees is a spoofing tool.
    /// </summary>
    public static bool HasFormatOrControlCharacters(string text)
    {
        foreach (var c in text)
            if (char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format) return true;
        return false;
    }

    private static bool IsPlainAscii(string text)
    {
        foreach (var c in text)
            if (c > '\u007E') return false;
        return true;
    }
}
