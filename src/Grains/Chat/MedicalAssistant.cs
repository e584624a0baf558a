using HealthActors.Grains.Telemetry;
using System.Text;
using HealthActors.Grains.Abstractions.Chat;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using AiMessage = Microsoft.Extensions.AI.ChatMessage;

namespace HealthActors.Grains.Chat;

public sealed record AssistantAnswer(string Text, string Source, bool Degraded);

/// <summary>
/// Calls the configured model with a per-attempt first-token timeout, an overall timeout, a retry for attempts
/// that failed before their first token, and a circuit breaker; when the model is absent or fails the offline
/// assistant answers. Message text is never logged.
/// </summary>
public sealed class MedicalAssistant(
    IOptions<LlmOptions> options,
    ILogger<MedicalAssistant> log,
    TimeProvider time,
    IChatClient? model = null)
{
    private readonly ModelCircuit _circuit = new(options.Value.CircuitFailures, TimeSpan.FromSeconds(options.Value.CircuitOpenSeconds), time);

    public async Task<AssistantAnswer> Answer(IList<AiMessage> prompt, string offlineText, Func<string, ValueTask> onText, CancellationToken ct)
    {
        if (model is null)
        {
            AppMetrics.FellBack("no_model");
            await onText(offlineText);
            return new AssistantAnswer(offlineText, AnswerSources.Offline, Degraded: false);
        }
        if (_circuit.IsOpen)
        {
            AppMetrics.FellBack("circuit_open");
            log.LogWarning("Model circuit is open; the offline assistant answers");
            await onText(offlineText);
            return new AssistantAnswer(offlineText, AnswerSources.Offline, Degraded: true);
        }

        var o = options.Value;
        var chatOptions = new ChatOptions { MaxOutputTokens = o.MaxOutputTokens, Temperature = 0.3f };
        for (var attempt = 0; attempt <= o.Retries; attempt++)
        {
            var text = new StringBuilder();
            using var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            attemptCts.CancelAfter(TimeSpan.FromSeconds(o.FirstTokenTimeoutSeconds));
            var started = time.GetTimestamp();
            try
            {
                await foreach (var update in model.GetStreamingResponseAsync(prompt, chatOptions, attemptCts.Token))
                {
                    var piece = update.Text;
                    if (string.IsNullOrEmpty(piece)) continue;
                    if (text.Length == 0)
                    {
                        var left = TimeSpan.FromSeconds(o.TimeoutSeconds) - time.GetElapsedTime(started);
                        attemptCts.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
                    }
                    text.Append(piece);
                    await onText(piece);
                }
                if (text.Length == 0) throw new InvalidOperationException("The model returned an empty answer.");
                _circuit.Success();
                AppMetrics.ModelCalled(ok: true);
                return new AssistantAnswer(text.ToString(), AnswerSources.Model, Degraded: false);
            }
            catch (Exception e) when (!ct.IsCancellationRequested && e is not OutOfMemoryException)
            {
                _circuit.Failure();
                AppMetrics.ModelCalled(ok: false);
                log.LogWarning("Model attempt {Attempt} failed after {Chars} characters: {Error}", attempt + 1, text.Length, e.GetType().Name);
                if (text.Length > 0)
                {
                    // Half an answer is kept, but flagged: the rest is the offline assistant's word.
                    AppMetrics.FellBack("partial");
                    var note = "\n\n" + offlineText;
                    await onText(note);
                    return new AssistantAnswer(text + note, AnswerSources.Model, Degraded: true);
                }
                if (_circuit.IsOpen) break;
            }
        }
        AppMetrics.FellBack("failed");
        await onText(offlineText);
        return new AssistantAnswer(offlineText, AnswerSources.Offline, Degraded: true);
    }

    /// <summary>
    /// Asks the model to pick the best specialty among the candidates for the symptoms. Null when there is no
    /// model, the circuit is open, it does not answer within the timeout, or it answers something off the list.
    /// </summary>
    public async Task<string?> RefineSpecialty(string symptoms, IReadOnlyList<string> candidates, TimeSpan timeout, CancellationToken ct)
    {
        if (model is null || _circuit.IsOpen) return null;
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(timeout);
            var response = await model.GetResponseAsync(
            [
                new AiMessage(ChatRole.System, "You route patients to a medical specialty. Reply with exactly one name from this list and nothing else: " + string.Join("; ", candidates)),
                new AiMessage(ChatRole.User, symptoms),
            ], new ChatOptions { Temperature = 0f, MaxOutputTokens = 20 }, cts.Token);
            var answer = response.Text?.Trim().TrimEnd('.');
            return candidates.FirstOrDefault(c => string.Equals(c, answer, StringComparison.OrdinalIgnoreCase));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _circuit.Failure();
            log.LogWarning("Orientation refinement by the model failed: {Error}", e.GetType().Name);
            return null;
        }
    }

    /// <summary>Folds older messages into the running summary: by the model when it answers, else extractively.</summary>
    public async Task<string> Summarize(string? previous, IReadOnlyList<Abstractions.Chat.ChatMessage> older, int maxChars, CancellationToken ct)
    {
        if (model is not null && !_circuit.IsOpen)
        {
            try
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                cts.CancelAfter(TimeSpan.FromSeconds(options.Value.TimeoutSeconds));
                var response = await model.GetResponseAsync(PromptBuilder.SummaryPrompt(previous, older, maxChars), new ChatOptions { Temperature = 0f }, cts.Token);
                if (!string.IsNullOrWhiteSpace(response.Text)) return Trim(response.Text.Trim(), maxChars);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _circuit.Failure();
                log.LogWarning("Summary by the model failed, summarizing extractively: {Error}", e.GetType().Name);
            }
        }
        return ExtractiveSummary(previous, older, maxChars);
    }

    public static string ExtractiveSummary(string? previous, IReadOnlyList<Abstractions.Chat.ChatMessage> older, int maxChars)
    {
        var sb = new StringBuilder(previous ?? "");
        foreach (var m in older.Where(m => m.Role == ChatRoles.User))
        {
            var line = m.Content.ReplaceLineEndings(" ").Trim();
            if (line.Length > 160) line = line[..157] + "...";
            if (sb.Length > 0) sb.Append('\n');
            sb.Append("- patient said: ").Append(line);
        }
        return Trim(sb.ToString(), maxChars);
    }

    // The newest facts matter most: when too long, keep the tail.
    private static string Trim(string s, int maxChars) => s.Length <= maxChars ? s : "..." + s[^(maxChars - 3)..];
}

/// <summary>Opens after N consecutive failures and stays open for a while; one success closes it.</summary>
public sealed class ModelCircuit(int failures, TimeSpan openFor, TimeProvider time)
{
    private readonly object _gate = new();
    private int _consecutive;
    private DateTimeOffset _openUntil = DateTimeOffset.MinValue;

    public bool IsOpen { get { lock (_gate) return time.GetUtcNow() < _openUntil; } }

    public void Success() { lock (_gate) { _consecutive = 0; _openUntil = DateTimeOffset.MinValue; } }

    public void Failure()
    {
        lock (_gate)
        {
            if (++_consecutive >= failures)
            {
                _openUntil = time.GetUtcNow() + openFor;
                _consecutive = 0;
            }
        }
    }
}
