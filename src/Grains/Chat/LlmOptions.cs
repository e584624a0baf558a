namespace HealthActors.Grains.Chat;

/// <summary>Configuration section "Llm".</summary>
public sealed class LlmOptions
{
    public const string Section = "Llm";

    /// <summary>Offline (default), OpenAI (any OpenAI-compatible endpoint) or AzureOpenAI.</summary>
    public string Provider { get; set; } = "Offline";
    /// <summary>Base URL: e.g. http://127.0.0.1:11434/v1 for Ollama; the Azure resource URL for AzureOpenAI.</summary>
    public string? Endpoint { get; set; }
    /// <summary>Model name (OpenAI-compatible) or deployment name (Azure OpenAI).</summary>
    public string? Model { get; set; }
    public string? ApiKey { get; set; }
    /// <summary>How long to wait for the first token before giving up on an attempt.</summary>
    public double FirstTokenTimeoutSeconds { get; set; } = 20;
    /// <summary>How long a whole answer may take.</summary>
    public double TimeoutSeconds { get; set; } = 90;
    /// <summary>Extra attempts when an attempt fails before its first token.</summary>
    public int Retries { get; set; } = 1;
    /// <summary>Consecutive failures that open the circuit, and how long it stays open.</summary>
    public int CircuitFailures { get; set; } = 3;
    public double CircuitOpenSeconds { get; set; } = 30;
    public int MaxOutputTokens { get; set; } = 800;
    /// <summary>How long symptom orientation waits for the model's refinement before answering from the rules alone.</summary>
    public double OrientationTimeoutSeconds { get; set; } = 5;

    public bool IsOffline => string.Equals(Provider, "Offline", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Configuration section "Chat".</summary>
public sealed class ConversationOptions
{
    public const string Section = "Chat";
    /// <summary>Messages kept verbatim in the prompt; older ones are folded into the summary.</summary>
    public int WindowSize { get; set; } = 20;
    /// <summary>
    /// How many messages may leave the window before they are folded into the summary in one refresh; until then the
    /// prompt keeps them verbatim. 1 refreshes after every turn once the window is full.
    /// </summary>
    public int SummaryEvery { get; set; } = 10;
    public int SummaryMaxChars { get; set; } = 2000;
}
