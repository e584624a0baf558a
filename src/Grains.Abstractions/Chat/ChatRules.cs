using HealthActors.Grains.Abstractions.Common;

namespace HealthActors.Grains.Abstractions.Chat;

public static class ChatRules
{
    public const int MaxMessageLength = 4000;
    public const int MaxTitleLength = 200;
    public const int MaxSearchLength = 200;

    public static ValidationErrors ValidateMessage(string? text)
    {
        var e = new ValidationErrors();
        // A message made only of zero-width characters is empty once normalized, which is what is stored.
        text = TextNormalization.Normalize(text);
        if (text is null) e.Add("text", "is required");
        else if (string.IsNullOrWhiteSpace(text)) e.Add("text", "must not be empty or only whitespace");
        else if (text.Length > MaxMessageLength) e.Add("text", $"must be at most {MaxMessageLength} characters");
        else if (ValidationErrors.HasControlCharacters(text, allowNewlines: true)) e.Add("text", "must not contain control characters");
        return e;
    }

    public static ValidationErrors ValidateTitle(string? title)
    {
        var e = new ValidationErrors();
        e.Text("title", title, MaxTitleLength);
        return e;
    }
}
