using System.Diagnostics;
using System.Globalization;
using System.Text;
using HealthActors.Grains.Abstractions.Chat;
using HealthActors.RedFlagCorpus;

// Recall and false alarms of the red-flag detector per corpus file and per category over the corpus the unit tests
// use (the original set and the blind holdouts), and what one detection costs.
// Usage: HealthActors.SafetyBench [--out docs/safety.md] [--iterations N]
if (args is ["--try", .. var texts])
{
    foreach (var t in texts) Console.WriteLine($"{t} -> [{string.Join(", ", RedFlags.DetectAll(t))}] folded: {RedFlags.Fold(t)}");
    return 0;
}
// Every corpus line's matches (category and language), without and with an infant's age, one line each: two builds
// of the detector that print the same are equivalent over the corpus, not only equal in recall and false alarms.
if (args is ["--dump"])
{
    foreach (var line in RedFlagCorpusFiles.Emergencies().Concat(RedFlagCorpusFiles.NonUrgent()))
        foreach (var age in new int?[] { null, 30 })
            Console.WriteLine($"{line.File}:{line.LineNumber} age {age?.ToString(CultureInfo.InvariantCulture) ?? "-"} -> " +
                string.Join(", ", RedFlagDetector.Match(line.Text, age).Select(m => $"{m.Kind}/{m.Language}")));
    return 0;
}
var output = Arg("--out");
var iterations = int.Parse(Arg("--iterations") ?? "200", CultureInfo.InvariantCulture);

var emergencies = RedFlagCorpusFiles.Emergencies();
var nonUrgent = RedFlagCorpusFiles.NonUrgent();

var misses = emergencies.Where(e => !RedFlags.DetectAll(e.Text).Contains(e.Category)).ToList();
var falseAlarms = nonUrgent.Select(n => (Line: n, Flags: RedFlags.DetectAll(n.Text))).Where(n => n.Flags.Count > 0).ToList();

var table = new StringBuilder();
// Per file first: the original set was written with the rules, the holdouts blind, so their recall differs in meaning.
table.AppendLine("| File | Lines | Caught / alarms | Rate |");
table.AppendLine("|---|---:|---:|---:|");
foreach (var file in RedFlagCorpusFiles.EmergencyFiles())
{
    var e = emergencies.Count(x => x.File == file);
    var caught = e - misses.Count(x => x.File == file);
    table.AppendLine($"| {file} | {e} | {caught} caught | {Percent(caught, e)} recall |");
}
foreach (var file in RedFlagCorpusFiles.NonUrgentFiles())
{
    var near = nonUrgent.Count(x => x.File == file);
    var alarms = falseAlarms.Count(x => x.Line.File == file);
    table.AppendLine($"| {file} | {near} | {alarms} alarms | {Percent(alarms, near)} false alarms |");
}
table.AppendLine();
table.AppendLine("| Category | Emergencies | Caught | Recall | Near misses | False alarms |");
table.AppendLine("|---|---:|---:|---:|---:|---:|");
foreach (var category in RedFlagCategories.All.Append("none"))
{
    var e = emergencies.Count(x => x.Category == category);
    var caught = e - misses.Count(x => x.Category == category);
    var near = nonUrgent.Count(x => x.Category == category);
    var alarms = falseAlarms.Count(x => x.Line.Category == category);
    if (e == 0 && near == 0) continue;
    table.AppendLine($"| {(category == "none" ? "(plain complaints)" : category)} | {e} | {caught} | {(e == 0 ? "-" : Percent(caught, e))} | {near} | {alarms} |");
}
table.AppendLine($"| **all** | **{emergencies.Count}** | **{emergencies.Count - misses.Count}** | **{Percent(emergencies.Count - misses.Count, emergencies.Count)}** | **{nonUrgent.Count}** | **{falseAlarms.Count} ({Percent(falseAlarms.Count, nonUrgent.Count)})** |");

// Warm up (JIT, the detector's static tables), then time every message separately for the percentiles.
var all = emergencies.Concat(nonUrgent).Select(x => x.Text).ToArray();
foreach (var text in all) RedFlags.DetectAll(text);
var samples = new double[all.Length * iterations];
var n = 0;
for (var i = 0; i < iterations; i++)
    foreach (var text in all)
    {
        var start = Stopwatch.GetTimestamp();
        RedFlags.DetectAll(text);
        samples[n++] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }
Array.Sort(samples);
var mean = samples.Average();
var p50 = samples[samples.Length / 2];
var p99 = samples[(int)(samples.Length * 0.99)];
var cost = $"Detection cost per message ({all.Length} messages x {iterations} iterations, one thread, {Environment.ProcessorCount} cores, .NET {Environment.Version}): " +
           $"mean {mean.ToString("0.0", CultureInfo.InvariantCulture)} µs, p50 {p50.ToString("0.0", CultureInfo.InvariantCulture)} µs, p99 {p99.ToString("0.0", CultureInfo.InvariantCulture)} µs.";

// The longest message chat accepts (4000 characters): ordinary text, and the same word over and over (every
// word a hit for the rules, the worst case for the matcher).
static string Cap(string text) => text.Length > 4000 ? text[..4000] : text;
var longPlain = Cap(string.Join(". ", Enumerable.Repeat(string.Join(". ", nonUrgent.Select(x => x.Text)), 10)));
var longHits = Cap(string.Concat(Enumerable.Repeat("no chest pain ", 400)));
var longCost = string.Join(", ", new[] { ("ordinary text", longPlain), ("'no chest pain' repeated", longHits) }.Select(l =>
{
    RedFlags.DetectAll(l.Item2);
    var start = Stopwatch.GetTimestamp();
    const int reps = 20;
    for (var i = 0; i < reps; i++) RedFlags.DetectAll(l.Item2);
    return $"{l.Item1} {(Stopwatch.GetElapsedTime(start).TotalMicroseconds / reps).ToString("0", CultureInfo.InvariantCulture)} µs";
}));
cost += $" A 4000-character message (the chat limit): {longCost}.";

Console.WriteLine(table);
Console.WriteLine(cost);
foreach (var m in misses) Console.WriteLine($"MISS   {m.File}:{m.LineNumber} {m.Category}: {m.Text}   -> [{string.Join(", ", RedFlags.DetectAll(m.Text))}]");
foreach (var f in falseAlarms) Console.WriteLine($"ALARM  {f.Line.File}:{f.Line.LineNumber} {f.Line.Category}: {f.Line.Text}   -> [{string.Join(", ", f.Flags)}]");

// bench/run-all.sh's summary line (HA_BENCH_SUMMARY; the format HealthActors.Bench's Summary reads).
if (Environment.GetEnvironmentVariable("HA_BENCH_SUMMARY") is { Length: > 0 } summaryPath)
    File.AppendAllText(summaryPath, string.Join('\t', "red-flag detector",
        $"recall over {emergencies.Count} emergencies, false alarms over {nonUrgent.Count} near misses, cost per message",
        $"{Percent(emergencies.Count - misses.Count, emergencies.Count)} recall, {Percent(falseAlarms.Count, nonUrgent.Count)} false alarms, p99 {p99.ToString("0.0", CultureInfo.InvariantCulture)} µs",
        "", "", "", "") + "\n");

if (output is not null)
{
    var doc = File.ReadAllText(output);
    const string begin = "<!-- safety-bench:begin -->", end = "<!-- safety-bench:end -->";
    var from = doc.IndexOf(begin, StringComparison.Ordinal);
    var to = doc.IndexOf(end, StringComparison.Ordinal);
    if (from < 0 || to < from) throw new InvalidOperationException($"{output} has no {begin} ... {end} block");
    var block = begin + "\n" + table + "\n" + cost + "\n" + end;
    File.WriteAllText(output, doc[..from] + block + doc[(to + end.Length)..]);
    Console.WriteLine($"wrote {output}");
}
return misses.Count == 0 ? 0 : 1;

string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static string Percent(int part, int whole) => (100.0 * part / whole).ToString("0.0", CultureInfo.InvariantCulture) + "%";
