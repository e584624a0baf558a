using System.Text;
using HealthActors.Grains.Abstractions.Chat;
using System.Globalization;
using System.Text.Json;
using HealthActors.Grains.Abstractions.Patients;
using HealthActors.Grains.Abstractions.Records;
using AiMessage = Microsoft.Extensions.AI.ChatMessage;
using AiRole = Microsoft.Extensions.AI.ChatRole;

namespace HealthActors.Grains.Chat;

public static class PromptBuilder
{
    /// <summary>
    /// How the model flags an emergency the rules missed: the grain strips it, puts the emergency guidance first
    /// and records the category "model". A fixed token rather than free text, so a reply merely mentioning
    /// emergencies is not taken for one.
    /// </summary>
    public const string EmergencyMarker = "[EMERGENCY]";

    public const string SystemPrompt =
        "You are HealthActors' careful health assistant. You give general health information, not medical care. " +
        "Never state a diagnosis; describe possibilities in plain words and say what kind of professional to see and how soon. " +
        "Suggest professional care whenever symptoms are significant, persistent or worsening. " +
        "Never recommend, and warn against, any drug or product the patient is allergic to or that clashes with their conditions or current medications. " +
        "If the message may describe a medical emergency or a risk of suicide or self-harm, begin your reply with " + EmergencyMarker + " exactly, then tell them to call emergency services now. " +
        "Be brief and kind.";

    public static IList<AiMessage> Build(PatientProfile? profile, string? summary, IReadOnlyList<ChatMessage> window, string language, DateOnly today,
        IReadOnlyList<HealthRecord>? latestVitals = null)
    {
        var messages = new List<AiMessage>
        {
            new(AiRole.System, SystemPrompt + (language == "es"
                ? " Answer in Spanish (the patient's language)."
                : " Answer in the patient's language (English unless they write in another).")),
            new(AiRole.System, PatientContext(profile, today) + Vitals(latestVitals)),
        };
        if (!string.IsNullOrWhiteSpace(summary))
            messages.Add(new AiMessage(AiRole.System, "Summary of the earlier conversation:\n" + summary));
        foreach (var m in window)
            messages.Add(new AiMessage(m.Role == ChatRoles.Assistant ? AiRole.Assistant : AiRole.User, m.Content));
        return messages;
    }

    public static string PatientContext(PatientProfile? p, DateOnly today)
    {
        if (p is null) return "Patient context: no medical profile on file.";
        var sb = new StringBuilder("Patient context:");
        if (p.BirthDate is { } bd)
        {
            var age = today.Year - bd.Year - (today < bd.AddYears(today.Year - bd.Year) ? 1 : 0);
            sb.Append(" age ").Append(age).Append(';');
        }
        if (p.Sex is not null) sb.Append(" sex ").Append(p.Sex).Append(';');
        sb.Append(" allergies: ").Append(List(p.Allergies)).Append(';');
        sb.Append(" conditions: ").Append(List(p.Conditions)).Append(';');
        sb.Append(" current medications: ").Append(p.Medications is { Length: > 0 } meds
            ? string.Join(", ", meds.Select(m => string.Join(" ", new[] { m.Name, m.Dose, m.Frequency }.Where(s => !string.IsNullOrWhiteSpace(s)))))
            : "none recorded").Append('.');
        return sb.ToString();
    }

    public static IList<AiMessage> SummaryPrompt(string? previous, IReadOnlyList<ChatMessage> older, int maxChars)
    {
        var sb = new StringBuilder();
        if (!string.IsNullOrWhiteSpace(previous)) sb.Append("Summary so far:\n").Append(previous).Append("\n\n");
        sb.Append("New messages:\n");
        foreach (var m in older) sb.Append(m.Role).Append(": ").Append(m.Content).Append('\n');
        return
        [
            new(AiRole.System, $"Update the summary of a patient's health conversation. Keep symptoms, dates, advice given and open questions. At most {maxChars} characters. Reply with the summary only."),
            new(AiRole.User, sb.ToString()),
        ];
    }

    /// <summary>" Latest vitals: blood-pressure systolic 130 diastolic 85 (2026-12-01); ..." or nothing.</summary>
    public static string Vitals(IReadOnlyList<HealthRecord>? latest)
    {
        if (latest is not { Count: > 0 }) return "";
        var readings = latest.Select(r =>
        {
            // The payload is the record's own canonical JSON: numbers and short unit strings, never free text.
            using var doc = JsonDocument.Parse(r.Payload);
            var values = doc.RootElement.ValueKind == JsonValueKind.Object
                ? string.Join(" ", doc.RootElement.EnumerateObject().Select(p => $"{p.Name} {p.Value}"))
                : "";
            return $"{r.Type} {values} ({r.RecordedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)})";
        });
        return " Latest vitals the patient recorded: " + string.Join("; ", readings) + ".";
    }

    private static string List(string[]? items) => items is { Length: > 0 } ? string.Join(", ", items) : "none recorded";
}
