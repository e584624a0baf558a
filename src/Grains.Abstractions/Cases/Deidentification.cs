using System.Text.RegularExpressions;
using HealthActors.Grains.Abstractions.Common;

namespace HealthActors.Grains.Abstractions.Cases;

/// <summary>The kinds of direct identifier a clinical case must not carry.</summary>
public enum IdentifierKind
{
    Email,
    Phone,
    NationalId,
    StreetAddress,
    DateOfBirth,
}

/// <summary>
/// Where an identifier was found: a span of the <em>normalized</em> text (<see cref="TextNormalization.Normalize"/>),
/// never the matched characters themselves, so a finding can be logged or returned without leaking what it found.
/// </summary>
public readonly record struct IdentifierFound(IdentifierKind Kind, int Start, int Length)
{
    public string KindName => Deidentification.KindName(Kind);
}

/// <summary>
/// Finds direct identifiers (emails, phone numbers, national ids, street addresses, dates of birth) in English
/// and Spanish free text, so a clinical case can be refused before it is stored. Tuned against clinical text
/// that looks alike (doses, lab values, blood pressure, ages and age bands, ICD codes, scores, years): formats
/// with a check digit or letter (Spanish DNI/NIE, Chilean RUT, UK NHS number, Mexican CURP) are only reported
/// when it is right, and a date only counts when birth wording leads it. Names of people are not detected.
/// </summary>
public static partial class Deidentification
{
    public const string RemoveIdentifiers = "remove identifiers";

    public static string KindName(IdentifierKind kind) => kind switch
    {
        IdentifierKind.Email => "email",
        IdentifierKind.Phone => "phone",
        IdentifierKind.NationalId => "national-id",
        IdentifierKind.StreetAddress => "street-address",
        IdentifierKind.DateOfBirth => "date-of-birth",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The message for a field holding this kind; it names the kind, never the identifier.</summary>
    public static string Message(IdentifierKind kind) => kind switch
    {
        IdentifierKind.Email => "looks like an email address: " + RemoveIdentifiers,
        IdentifierKind.Phone => "looks like a phone number: " + RemoveIdentifiers,
        IdentifierKind.NationalId => "looks like a national id number: " + RemoveIdentifiers,
        IdentifierKind.StreetAddress => "looks like a street address: " + RemoveIdentifiers,
        IdentifierKind.DateOfBirth => "looks like a date of birth: " + RemoveIdentifiers,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// The identifiers in <paramref name="text"/>, in order of position, without overlaps. Spans index the text
    /// after <see cref="TextNormalization.Normalize"/> (which is the form a grain stores).
    /// </summary>
    public static IReadOnlyList<IdentifierFound> Find(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var normalized = TextNormalization.Normalize(text);
        var found = new List<IdentifierFound>();
        // Order matters where formats overlap: a date after "born" is a date of birth even though its digits could
        // pass for something else, and a checked national id beats a phone-shaped reading of the same digits.
        foreach (var detector in Detectors)
        {
            for (var m = detector.Pattern.Match(normalized); m.Success; m = m.NextMatch())
            {
                if (detector.Accept is not null && !detector.Accept(m)) continue;
                if (Overlaps(found, m.Index, m.Length)) continue;
                found.Add(new IdentifierFound(detector.Kind, m.Index, m.Length));
            }
        }
        found.Sort((a, b) => a.Start.CompareTo(b.Start));
        return found;
    }

    /// <summary>
    /// Adds one error per kind found in the field to <paramref name="errors"/>, keyed by <paramref name="field"/>.
    /// Returns true when the field is free of identifiers.
    /// </summary>
    public static bool Check(ValidationErrors errors, string field, string? text)
    {
        var found = Find(text);
        if (found.Count == 0) return true;
        foreach (var kind in found.Select(f => f.Kind).Distinct().Order())
            errors.Add(field, Message(kind));
        return false;
    }

    /// <summary>Checks each named field (a case's title, history, findings, tags[i] ...).</summary>
    public static bool CheckAll(ValidationErrors errors, IEnumerable<KeyValuePair<string, string?>> fields)
    {
        var clean = true;
        foreach (var (field, text) in fields)
            clean &= Check(errors, field, text);
        return clean;
    }

    private static bool Overlaps(List<IdentifierFound> found, int start, int length)
    {
        foreach (var f in found)
            if (start < f.Start + f.Length && f.Start < start + length) return true;
        return false;
    }

    private sealed record Detector(IdentifierKind Kind, Regex Pattern, Func<Match, bool>? Accept = null);

    private static readonly Detector[] Detectors =
    [
        new(IdentifierKind.Email, PlainEmail()),
        new(IdentifierKind.Email, BracketedEmail()),
        new(IdentifierKind.Email, SpelledEmail()),
        new(IdentifierKind.DateOfBirth, DateOfBirth()),
        new(IdentifierKind.NationalId, LabelledId(), m => DigitCount(m.Groups["id"].Value) >= 5),
        new(IdentifierKind.NationalId, ChileanRut(), IsValidRut),
        new(IdentifierKind.NationalId, MexicanCurp(), m => IsValidCurp(m.Value)),
        new(IdentifierKind.NationalId, SpanishDni(), IsValidDni),
        new(IdentifierKind.NationalId, SpanishNie(), IsValidNie),
        new(IdentifierKind.NationalId, UsSsn(), IsValidSsn),
        new(IdentifierKind.NationalId, ArgentineDni()),
        new(IdentifierKind.NationalId, NhsNumber(), m => IsValidNhs(m.Value)),
        new(IdentifierKind.Phone, InternationalPhone(), m => DigitCount(m.Value) is >= 8 and <= 15),
        new(IdentifierKind.Phone, AmericasPhone(), m => DigitCount(m.Value) is 10 or 11),
        new(IdentifierKind.Phone, SpanishPhone()),
        new(IdentifierKind.StreetAddress, EnglishAddress()),
        new(IdentifierKind.StreetAddress, SpanishAddress()),
    ];

    private const RegexOptions Ci = RegexOptions.CultureInvariant | RegexOptions.IgnoreCase;
    private const RegexOptions Cs = RegexOptions.CultureInvariant;

    // A number that stands alone: not glued to a word, a decimal, a ratio (140/90) or a unit (7.2%).
    private const string NumStart = @"(?<![\w.,/+\-])";
    private const string NumEnd = @"(?![\w/%]|[.,]\d)";

    private const string Tld = @"(?:com|net|org|edu|gov|es|ar|mx|cl|co|uk|us|io|info|me|eu)";

    [GeneratedRegex(@"[\w.+\-]+\s?@\s?[\w\-]+(?:\.[\w\-]+)*\.[a-z]{2,}", Ci)]
    private static partial Regex PlainEmail();

    // "ana [at] gmail [dot] com", "ana (arroba) hotmail.com": bracketed spellings are never clinical prose.
    [GeneratedRegex(@"[\w.+\-]+\s*[(\[{<]\s*(?:at|arroba|@)\s*[)\]}>]\s*[\w\-]+(?:\s*[(\[{<]?\s*(?:dot|punto|\.)\s*[)\]}>]?\s*[a-z]{2,})+", Ci)]
    private static partial Regex BracketedEmail();

    // "ana at gmail dot com", "ana arroba hotmail.com": the bare word "at" needs a real top-level domain at the
    // end, or "pain at rest.Then" and "at clinic dot matrix" would count.
    [GeneratedRegex(@"(?<![\w.])[\w.+\-]+\s+(?:at|arroba)\s+[\w\-]+(?:(?:\s+(?:dot|punto)\s+[\w\-]+)*\s+(?:dot|punto)\s+" + Tld + @"|(?:\.[\w\-]+)*\." + Tld + @")(?!\w)", Ci)]
    private static partial Regex SpelledEmail();

    private const string Month =
        @"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?" +
        @"|enero|febrero|marzo|abril|mayo|junio|julio|agosto|se(?:p)?tiembre|octubre|noviembre|diciembre)";

    // A date counts as a date of birth only when birth wording leads it: admission dates, "in 2019" and bare
    // years are the timeline of the case.
    [GeneratedRegex(
        @"(?<!\p{L})(?:born|date\s+of\s+birth|birth\s*date|birthday|d\.?\s?o\.?\s?b\.?|fecha\s+de\s+nacimiento|f\.\s?(?:de\s+)?nac\.?|nacid[oa]s?|naci[óo]|nacimiento)(?!\p{L})" +
        @"[\s:,(\-]*(?:(?:on|the|in|el|en|d[ií]a|is|was|of|:)[\s:,]+){0,3}" +
        @"(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})(?!\d)" +
        @"|\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}(?!\d)" +
        @"|\d{1,2}(?:st|nd|rd|th|º)?\s+(?:of\s+|de\s+)?" + Month + @"\.?,?\s+(?:of\s+|de\s+|del\s+)?\d{2,4}(?!\d)" +
        @"|" + Month + @"\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}(?!\d)" +
        @"|" + Month + @"\.?\s+(?:of\s+|de\s+|del\s+)?\d{4}(?!\d))", Ci)]
    private static partial Regex DateOfBirth();

    [GeneratedRegex(
        @"(?<!\p{L})(?:DNI|D\.N\.I\.|NIE|NIF|CURP|RUT|RUN|SSN|NHS\s+(?:number|no\.?|num\.?)|passport(?:\s+(?:number|no\.?))?|pasaporte|c[ée]dula|documento(?:\s+de\s+identidad)?|social\s+security(?:\s+number)?)(?!\p{L})" +
        @"[\s:#.]*(?:n[º°o.]+\s*)?(?<id>[A-Z0-9](?:[A-Z0-9]|[.\- ](?=[A-Z0-9])){4,16})(?!\w)", Ci)]
    private static partial Regex LabelledId();

    [GeneratedRegex(NumStart + @"(?<num>\d{1,2}(?:\.\d{3}){2}|\d{7,8})-(?<dv>[\dkK])(?!\w)", Cs)]
    private static partial Regex ChileanRut();

    [GeneratedRegex(
        @"(?<!\w)[A-Z][AEIOUX][A-Z]{2}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[HMX]" +
        @"(?:AS|BC|BS|CC|CL|CM|CS|CH|DF|DG|GT|GR|HG|JC|MC|MN|MS|NT|NL|OC|PL|QT|QR|SP|SL|SR|TC|TS|TL|VZ|YN|ZS|NE)" +
        @"[B-DF-HJ-NP-TV-Z]{3}[A-Z\d]\d(?!\w)", Cs)]
    private static partial Regex MexicanCurp();

    [GeneratedRegex(NumStart + @"(?<num>\d{8})[\s\-]?(?<letter>[A-Za-z])(?!\w)", Cs)]
    private static partial Regex SpanishDni();

    [GeneratedRegex(@"(?<!\w)(?<prefix>[XYZxyz])[\s\-]?(?<num>\d{7})[\s\-]?(?<letter>[A-Za-z])(?!\w)", Cs)]
    private static partial Regex SpanishNie();

    [GeneratedRegex(NumStart + @"(?<area>\d{3})([\- ])(?<group>\d{2})\1(?<serial>\d{4})" + NumEnd, Cs)]
    private static partial Regex UsSsn();

    // Argentine DNI 12.345.678. A one-digit first group is a lab count (hematíes 4.500.000) far more often than
    // an old seven-digit DNI, which is then only found with its label ("DNI 5.123.456"); counts with a unit are
    // never ids.
    [GeneratedRegex(NumStart + @"[1-9]\d\.\d{3}\.\d{3}(?![\w/%\-]|[.,]\d|\s*(?:/|x\s*10|mm|µ|u[lL]\b|c[ée]l|cells))", Cs)]
    private static partial Regex ArgentineDni();

    [GeneratedRegex(NumStart + @"\d{3}([ \-]?)\d{3}\1\d{4}" + NumEnd, Cs)]
    private static partial Regex NhsNumber();

    [GeneratedRegex(@"(?<![\w+])\+\d{1,3}(?:[ .\-]?\(?\d{1,4}\)?){2,6}" + NumEnd, Cs)]
    private static partial Regex InternationalPhone();

    // US (555) 123-4567, Argentina 11 5555-0199, Mexico 55 1234 5678: ten digits ending in a group of four.
    [GeneratedRegex(NumStart + @"(?:\(\d{2,4}\)|\d{2,4})[ .\-]?\d{3,4}[ .\-]\d{4}" + NumEnd, Cs)]
    private static partial Regex AmericasPhone();

    // Spain: nine digits, mobiles 6/7 and landlines 8/9, grouped 3-2-2-2, 3-3-3, 2-3-2-2 or not at all.
    [GeneratedRegex(NumStart + @"(?:[6-9]\d{2}(?:[ .\-]?\d{2}){3}|[6-9]\d{2}[ .\-]\d{3}[ .\-]\d{3}|[89]\d[ .\-]\d{3}[ .\-]\d{2}[ .\-]\d{2})" + NumEnd, Cs)]
    private static partial Regex SpanishPhone();

    // "123 Main Street", "45 Elm Ave Apt 3": a house number, capitalized name words, a street type.
    [GeneratedRegex(
        NumStart + @"\d{1,5}[A-Za-z]?\s+(?:\p{Lu}[\p{L}'.\-]*\s+){1,4}" +
        @"(?i:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|court|ct|place|terrace|way|close|crescent|square|highway|hwy|parkway|pkwy)\b\.?" +
        @"(?:,?\s+(?i:apt|apartment|suite|ste|unit|flat)\.?\s*#?\s*\w{1,5}|,?\s+#\s*\w{1,5})?", Cs)]
    private static partial Regex EnglishAddress();

    // "Calle Mayor 5", "C/ Alcalá 23, 2ºB", "Av. Corrientes 1234", "Avenida de la Constitución 12". NFKC has
    // already turned the ordinal indicator of "2ºB" into a plain "o", hence [ºoa] for the floor.
    [GeneratedRegex(
        @"(?<!\p{L})(?:(?i:calle|avenida|avda\.?|av\.|paseo|plaza|pza\.|ronda|camino|carrera|calzada|pasaje|traves[ií]a|carretera|jir[óo]n|r[úu]a)\s+|[Cc]/\s*)" +
        @"(?:(?i:de|del|la|las|los|el|y)\s+|\p{Lu}[\p{L}'.\-]+,?\s+){1,6}(?:n[º°o.]+\s*)?\d{1,5}(?![\d/%]|[.,]\d)" +
        @"(?:,?\s*\d{1,2}\s*[º°ªoa]\s*[A-Za-z]?(?!\w))?", Cs)]
    private static partial Regex SpanishAddress();

    private static int DigitCount(string s)
    {
        var n = 0;
        foreach (var c in s)
            if (char.IsAsciiDigit(c)) n++;
        return n;
    }

    private const string DniLetters = "TRWAGMYFPDXBNJZSQVHLCKE";

    private static bool IsValidDni(Match m) =>
        char.ToUpperInvariant(m.Groups["letter"].Value[0]) == DniLetters[int.Parse(m.Groups["num"].Value) % 23];

    private static bool IsValidNie(Match m)
    {
        var prefix = char.ToUpperInvariant(m.Groups["prefix"].Value[0]) - 'X';
        var number = prefix * 10_000_000 + int.Parse(m.Groups["num"].Value);
        return char.ToUpperInvariant(m.Groups["letter"].Value[0]) == DniLetters[number % 23];
    }

    // Never-issued SSN ranges are not SSNs: this keeps "123-00-4567"-shaped references out.
    private static bool IsValidSsn(Match m)
    {
        var area = int.Parse(m.Groups["area"].Value);
        return area is not (0 or 666) && area < 900 && m.Groups["group"].Value != "00" && m.Groups["serial"].Value != "0000";
    }

    private static bool IsValidRut(Match m)
    {
        var digits = m.Groups["num"].Value.Replace(".", "", StringComparison.Ordinal);
        int sum = 0, factor = 2;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            sum += (digits[i] - '0') * factor;
            factor = factor == 7 ? 2 : factor + 1;
        }
        var dv = 11 - sum % 11;
        var expected = dv switch { 11 => '0', 10 => 'K', _ => (char)('0' + dv) };
        return char.ToUpperInvariant(m.Groups["dv"].Value[0]) == expected;
    }

    private static bool IsValidNhs(string value)
    {
        Span<int> d = stackalloc int[10];
        var n = 0;
        foreach (var c in value)
            if (char.IsAsciiDigit(c)) d[n++] = c - '0';
        var sum = 0;
        for (var i = 0; i < 9; i++) sum += d[i] * (10 - i);
        var check = 11 - sum % 11;
        if (check == 11) check = 0;
        return check != 10 && check == d[9];
    }

    private const string CurpAlphabet = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ";

    private static bool IsValidCurp(string curp)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++) sum += CurpAlphabet.IndexOf(curp[i], StringComparison.Ordinal) * (18 - i);
        return (10 - sum % 10) % 10 == curp[17] - '0';
    }
}
