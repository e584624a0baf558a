namespace HealthActors.Grains.Abstractions.Common;

/// <summary>Collects validation failures keyed by the JSON path of the offending field (camelCase).</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
    }

    public IDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);

    public void ThrowIfInvalid()
    {
        if (!IsValid) throw new DomainValidationException(ToDictionary());
    }

    /// <summary>
    /// Checks a free-text field (required or not, length, no control characters) after
    /// <see cref="TextNormalization.Normalize"/> and trimming, and returns that normalized value: the one to store.
    /// </summary>
    public string? Text(string field, string? value, int maxLength, bool required = false, bool multiline = false)
    {
        if (value is null)
        {
            if (required) Add(field, "is required");
            return null;
        }
        var trimmed = TextNormalization.Normalize(value).Trim();
        if (trimmed.Length == 0)
        {
            if (required) Add(field, "must not be empty");
            return null;
        }
        if (trimmed.Length > maxLength) Add(field, $"must be at most {maxLength} characters");
        if (HasControlCharacters(trimmed, multiline)) Add(field, "must not contain control characters");
        return trimmed;
    }

    /// <summary>
    /// A person's name: like <see cref="Text"/>, but invisible and formatting characters (zero-width, bidi
    /// controls, soft hyphen) are refused rather than removed, so a name shows exactly what was typed.
    /// </summary>
    public string? Name(string field, string? value, int maxLength, bool required = true)
    {
        if (value is not null && TextNormalization.HasFormatOrControlCharacters(value))
        {
            Add(field, InvisibleCharacters);
            return null;
        }
        return Text(field, value, maxLength, required);
    }

    public const string InvisibleCharacters = "must not contain invisible, formatting or control characters";

    public static bool HasControlCharacters(string value, bool allowNewlines = false)
    {
        foreach (var c in value)
        {
            if (allowNewlines && (c == '\n' || c == '\r' || c == '\t')) continue;
            if (char.IsControl(c) || c is '\u2028' or '\u2029' or '\uFEFF') return true;
        }
        return false;
    }
}

/// <summary>Raised by a grain when input that reached it breaks a rule; the Api turns it into a 400.</summary>
[GenerateSerializer, Alias("ha.common.DomainValidationException")]
public sealed class DomainValidationException : Exception
{
    public DomainValidationException(IDictionary<string, string[]> errors)
        : base("One or more fields are invalid: " + string.Join(", ", errors.Keys))
    {
        Errors = new Dictionary<string, string[]>(errors);
    }

    [Id(0)]
    public Dictionary<string, string[]> Errors { get; init; }
}
