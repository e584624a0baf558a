using System.Globalization;
using System.Text;

namespace HealthActors.Bench;

/// <summary>
/// One line per headline number of a scenario, appended to the file named by <c>HA_BENCH_SUMMARY</c> (bench/run-all.sh
/// sets it; a bench run on its own writes none). The other bench programs append the same tab-separated line
/// themselves. <c>summary</c> mode turns the file into the table at the top of docs/benchmarks.md.
/// </summary>
internal static class Summary
{
    public const string Variable = "HA_BENCH_SUMMARY";

    /// <param name="ratio">ours over the baseline, or whatever the scenario's headline comparison is</param>
    /// <param name="target">the issue-15 target the number answers to, or empty</param>
    /// <param name="verdict">met / not met / a short remark</param>
    public static void Add(string scenario, string measure, string ours, string baseline, string ratio, string target, string verdict)
    {
        var path = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(path)) return;
        var line = string.Join('\t', new[] { scenario, measure, ours, baseline, ratio, target, verdict }
            .Select(v => v.Replace('\t', ' ').Replace('\n', ' ').Replace("|", "\\|", StringComparison.Ordinal)));
        File.AppendAllText(path, line + "\n");
    }

    public static string Verdict(bool met) => met ? "met" : "**not met**";

    /// <summary>bench/run-all.sh's last step: the collected lines as one table, printed and written into the doc.</summary>
    public static int Render(string[] args, string root)
    {
        string? Arg(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }
        var input = Arg("--in");
        if (input is null || !File.Exists(input))
        {
            Console.Error.WriteLine("usage: HealthActors.Bench summary --in FILE [--out docs/benchmarks.md] [--command TEXT] [--ran TEXT] [--failed TEXT] [--load-before X] [--note TEXT] [--no-doc]");
            return 2;
        }
        var output = Arg("--out") ?? Path.Combine(root, "docs", "benchmarks.md");
        var sb = new StringBuilder();
        sb.AppendLine(Markdown.MeasuredLine(DateTimeOffset.UtcNow, Arg("--note"), Arg("--load-before"), Markdown.LoadAverage()));
        sb.AppendLine();
        if (Arg("--command") is { } command) sb.AppendLine(Markdown.ReproduceBlock(command));
        if (Arg("--ran") is { Length: > 0 } ran) sb.AppendLine($"Scenarios run: {ran}.");
        if (Arg("--failed") is { Length: > 0 } failed) sb.AppendLine($"Scenarios that failed or were skipped (no numbers below): {failed}.");
        sb.AppendLine();
        sb.AppendLine("| scenario | measure | ours | baseline | ours/baseline | issue-15 target | target |");
        sb.AppendLine("|---|---|---:|---:|---:|---|---|");
        foreach (var line in File.ReadAllLines(input).Where(l => l.Length > 0))
        {
            var f = line.Split('\t');
            if (f.Length < 7) continue;
            sb.AppendLine($"| {string.Join(" | ", f.Take(7))} |");
        }
        var block = Begin + "\n" + sb.ToString().TrimEnd() + "\n" + End;
        Console.WriteLine();
        Console.WriteLine(block);
        if (!args.Contains("--no-doc"))
        {
            Markdown.WriteBlock(output, Begin, End, "Summary", block);
            Console.WriteLine($"[bench] summary written to {output}");
        }
        return 0;
    }

    private const string Begin = "<!-- bench:summary:begin (written by bench/run-all.sh; edits between these markers are overwritten) -->";
    private const string End = "<!-- bench:summary:end -->";

    public static string F(double v, int decimals) => Markdown.N(v, decimals);
    public static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
