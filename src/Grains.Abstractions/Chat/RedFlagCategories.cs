namespace HealthActors.Grains.Abstractions.Chat;

/// <summary>
/// The red-flag categories, as triage protocols group emergencies. The ids are stable: they are stored with
/// conversations and orientations and sent to clients (older ids kept their names).
/// </summary>
public static class RedFlagCategories
{
    public const string AcuteCoronarySyndrome = "chest-pain";
    public const string BreathingDifficulty = "breathing";
    public const string Stroke = "stroke";
    public const string Anaphylaxis = "anaphylaxis";
    /// <summary>Severe bleeding, vomiting or coughing blood included.</summary>
    public const string SevereBleeding = "bleeding";
    /// <summary>Bleeding or pain in pregnancy.</summary>
    public const string Pregnancy = "pregnancy";
    /// <summary>Loss of consciousness and seizures.</summary>
    public const string Unconscious = "unconscious";
    public const string ThunderclapHeadache = "thunderclap-headache";
    public const string Meningitis = "meningitis";
    /// <summary>Fever in an infant under 3 months.</summary>
    public const string InfantFever = "infant-fever";
    /// <summary>Suicidal thoughts and self-harm.</summary>
    public const string Suicide = "suicide";
    /// <summary>Overdose and poisoning.</summary>
    public const string Overdose = "overdose";
    /// <summary>Major trauma, and head injury with confusion.</summary>
    public const string Trauma = "trauma";
    public const string Sepsis = "sepsis";
    public const string AcuteAbdomen = "acute-abdomen";

    public static readonly IReadOnlyList<string> All =
    [
        AcuteCoronarySyndrome, BreathingDifficulty, Stroke, Anaphylaxis, SevereBleeding, Pregnancy, Unconscious,
        ThunderclapHeadache, Meningitis, InfantFever, Suicide, Overdose, Trauma, Sepsis, AcuteAbdomen,
    ];

    /// <summary>
    /// When one message matches several categories, the answer carries the guidance of the first: so the one whose
    /// advice is most particular to the situation leads ("pregnant and bleeding" is a pregnancy emergency, a sting with
    /// breathing trouble anaphylaxis, pills and slurred speech an overdose with poison control), and the general ones
    /// (bleeding, breathing) come last. Every category's answer sends the person to emergency care; the order only
    /// chooses which specific advice comes with it.
    /// </summary>
    public static readonly IReadOnlyList<string> MostSpecificFirst =
    [
        InfantFever, Pregnancy, Anaphylaxis, Overdose, Meningitis, Stroke, Unconscious, Trauma, ThunderclapHeadache,
        AcuteCoronarySyndrome, SevereBleeding, Suicide, Sepsis, AcuteAbdomen, BreathingDifficulty,
    ];
}
