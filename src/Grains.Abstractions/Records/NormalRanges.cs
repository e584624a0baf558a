namespace HealthActors.Grains.Abstractions.Records;

/// <summary>A normal adult resting range, bounds included, in the unit insights report (glucose in mg/dL).</summary>
public sealed record NormalRange(string Type, string Component, decimal Low, decimal High);

/// <summary>
/// The one definition of "outside the normal range" for insights; the PostgreSQL query receives these same values
/// as parameters. Sources, for a healthy adult at rest:
/// - heart rate 60–100 bpm: American Heart Association, "All About Heart Rate (Pulse)".
/// - blood pressure: 2018 ESC/ESH guidelines call &lt; 130 / &lt; 85 mmHg "normal" (above is high-normal or
///   hypertension); below 90 / 60 is the usual hypotension cut-off. mmHg is read in whole numbers, so the
///   included upper bounds are 129 and 84.
/// - SpO2 95–100 %: below 95 % at sea level is the common threshold for hypoxaemia (WHO pulse oximetry manual).
/// - temperature 36.1–37.8 °C: the usual oral range; 37.8 and above is counted as fever in most triage scales, so
///   37.8 itself is the last normal value here.
/// - respiratory rate 12–20 /min: adult resting range used by NEWS2 (Royal College of Physicians).
/// - glucose 70–140 mg/dL: fasting 70–99 and two hours after a meal below 140 (American Diabetes Association);
///   readings carry no meal context, so the wider band is used. mmol/L readings are converted with
///   <see cref="HealthRecordRules.GlucoseMgPerMmol"/> before the comparison.
/// Weight has no range: a normal weight depends on height.
/// </summary>
public static class NormalRanges
{
    public static readonly IReadOnlyList<NormalRange> All =
    [
        new("heart-rate", "value", 60, 100),
        new("blood-pressure", "systolic", 90, 129),
        new("blood-pressure", "diastolic", 60, 84),
        new("spo2", "value", 95, 100),
        new("temperature", "value", 36.1m, 37.8m),
        new("respiratory-rate", "value", 12, 20),
        new("glucose", "value", 70, 140),
    ];

    public static NormalRange? For(string type, string component) =>
        All.FirstOrDefault(r => r.Type == type && r.Component == component);

    public static bool IsOutside(NormalRange range, decimal value) => value < range.Low || value > range.High;

    /// <summary>The unit a vital is reported in by insights.</summary>
    public static string UnitOf(string type) => type switch
    {
        "blood-pressure" => "mmHg",
        "heart-rate" => "bpm",
        "glucose" => "mg/dL",
        "temperature" => "°C",
        "spo2" => "%",
        "weight" => "kg",
        "respiratory-rate" => "/min",
        _ => "",
    };
}
