using System.Text.RegularExpressions;
using HealthActors.Grains.Abstractions.Chat;

namespace HealthActors.Grains.Catalog;

/// <summary>
/// Symptoms -> specialty by weighted terms in English and Spanish (matched on folded text: lower case, no
/// accents). Each specialty's score is the sum of its matched weights; confidence is its share of all scores,
/// damped when the evidence is thin.
/// </summary>
public static class SymptomRules
{
    public const string Fallback = "General practice";
    public const string EmergencyMedicine = "Emergency medicine";

    private static readonly (string Specialty, (string Term, double Weight)[] Terms)[] Table =
    [
        ("Cardiology", [("palpitation", 3), ("heart", 2), ("blood pressure", 3), ("hypertension", 3), ("chest", 2), ("palpitaciones", 3), ("corazon", 2), ("presion alta", 3), ("presion arterial", 3), ("hipertension", 3), ("pecho", 2), ("arritmia", 3), ("arrhythmia", 3)]),
        ("Dermatology", [("rash", 3), ("itch", 2), ("acne", 3), ("mole", 3), ("skin", 2), ("eczema", 3), ("psoriasis", 3), ("hair loss", 2), ("piel", 2), ("erupcion", 3), ("picazon", 2), ("granos", 2), ("lunar", 3), ("sarpullido", 3), ("eccema", 3), ("caida del pelo", 2)]),
        ("Pulmonology", [("cough", 2), ("asthma", 3), ("wheez", 3), ("bronch", 3), ("short of breath", 2), ("tos", 2), ("asma", 3), ("silbido", 2), ("bronquitis", 3), ("falta de aire", 2)]),
        ("Gastroenterology", [("stomach", 3), ("abdominal", 3), ("belly", 2), ("diarrh", 3), ("constipat", 3), ("nausea", 2), ("vomit", 2), ("heartburn", 3), ("reflux", 3), ("estomago", 3), ("abdomen", 3), ("panza", 2), ("diarrea", 3), ("estrenimiento", 3), ("nauseas", 2), ("vomito", 2), ("acidez", 3), ("reflujo", 3)]),
        ("Neurology", [("headache", 3), ("migraine", 3), ("dizz", 2), ("numb", 2), ("tingl", 2), ("memory", 2), ("seizure", 3), ("dolor de cabeza", 3), ("cefalea", 3), ("migrana", 3), ("mareo", 2), ("hormigueo", 2), ("memoria", 2)]),
        ("Psychiatry", [("anxi", 3), ("depress", 3), ("panic", 3), ("insomnia", 2), ("sleep", 1), ("stress", 2), ("ansiedad", 3), ("depresion", 3), ("panico", 3), ("insomnio", 2), ("dormir", 1), ("estres", 2), ("triste", 2), ("sad", 2)]),
        ("Traumatology", [("joint", 2), ("knee", 3), ("back pain", 3), ("shoulder", 3), ("sprain", 3), ("fracture", 3), ("bone", 2), ("ankle", 3), ("articulacion", 2), ("rodilla", 3), ("dolor de espalda", 3), ("hombro", 3), ("esguince", 3), ("fractura", 3), ("hueso", 2), ("tobillo", 3)]),
        ("Gynecology", [("period", 2), ("menstrua", 3), ("pregnan", 3), ("vaginal", 3), ("contracept", 3), ("menstruacion", 3), ("regla", 2), ("embaraz", 3), ("anticonceptivo", 3)]),
        ("Urology", [("urine", 3), ("urinat", 3), ("kidney", 2), ("bladder", 3), ("prostate", 3), ("orina", 3), ("orinar", 3), ("rinon", 2), ("vejiga", 3), ("prostata", 3)]),
        ("Otolaryngology", [("ear", 3), ("throat", 3), ("sinus", 3), ("nose", 2), ("tonsil", 3), ("hearing", 3), ("oido", 3), ("garganta", 3), ("sinusitis", 3), ("nariz", 2), ("amigdala", 3), ("audicion", 3)]),
        ("Ophthalmology", [("eye", 3), ("vision", 3), ("sight", 2), ("blurry", 2), ("ojo", 3), ("vista", 2), ("borrosa", 2)]),
        ("Endocrinology", [("thyroid", 3), ("diabet", 3), ("blood sugar", 3), ("weight gain", 2), ("hormone", 2), ("tiroides", 3), ("azucar", 2), ("aumento de peso", 2), ("hormona", 2)]),
        ("Pediatrics", [("my child", 3), ("my son", 2), ("my daughter", 2), ("baby", 3), ("infant", 3), ("toddler", 3), ("mi hijo", 2), ("mi hija", 2), ("bebe", 3), ("nino", 2), ("nina", 2)]),
        ("General practice", [("fever", 2), ("cold", 2), ("flu", 2), ("tired", 1), ("fatigue", 1), ("fiebre", 2), ("resfrio", 2), ("gripe", 2), ("cansancio", 1), ("checkup", 3), ("chequeo", 3)]),
    ];

    private static readonly (string Specialty, (Regex Pattern, double Weight)[] Terms)[] Compiled = Table
        .Select(t => (t.Specialty, t.Terms.Select(x => (new Regex(@"\b" + Regex.Escape(x.Term), RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromMilliseconds(200)), x.Weight)).ToArray()))
        .ToArray();

    public static IReadOnlyList<string> Specialties { get; } = Table.Select(t => t.Specialty).Append(EmergencyMedicine).ToList();

    public sealed record Scored(string Specialty, double Confidence);

    public static IReadOnlyList<Scored> Score(string symptoms, int? age = null)
    {
        var folded = RedFlags.Fold(symptoms);
        var scores = Compiled
            .Select(s => (s.Specialty, Score: s.Terms.Where(t => t.Pattern.IsMatch(folded)).Sum(t => t.Weight)))
            .Where(s => s.Score > 0)
            .ToDictionary(s => s.Specialty, s => s.Score);
        if (age is < 14) scores["Pediatrics"] = scores.GetValueOrDefault("Pediatrics") + 3;
        var total = scores.Values.Sum();
        if (total == 0) return [new Scored(Fallback, 0.3)];
        // Thin evidence (one weak term) should not look certain: damp by how much was matched.
        var damping = Math.Min(1.0, total / 6.0);
        return scores.OrderByDescending(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal)
            .Select(s => new Scored(s.Key, Math.Round(s.Value / total * (0.5 + 0.5 * damping), 2)))
            .ToList();
    }
}
