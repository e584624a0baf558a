using System.ClientModel;
using System.ClientModel.Primitives;
using Azure.AI.OpenAI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenAI;

namespace HealthActors.Grains.Chat;

public static class ChatServices
{
    public static IServiceCollection AddHealthActorsChat(this IServiceCollection services, IConfiguration config, bool usesPostgres)
    {
        services.AddOptions<LlmOptions>().Bind(config.GetSection(LlmOptions.Section));
        services.AddOptions<ConversationOptions>().Bind(config.GetSection(ConversationOptions.Section));
        if (usesPostgres) services.TryAddSingleton<IChatStore, PostgresChatStore>();
        else services.TryAddSingleton<IChatStore, InMemoryChatStore>();
        services.TryAddSingleton(sp => new MedicalAssistant(
            sp.GetRequiredService<IOptions<LlmOptions>>(),
            sp.GetRequiredService<ILogger<MedicalAssistant>>(),
            sp.GetRequiredService<TimeProvider>(),
            CreateModel(sp.GetRequiredService<IOptions<LlmOptions>>().Value, sp.GetRequiredService<ILogger<MedicalAssistant>>())));
        return services;
    }

    /// <summary>The configured model as an <see cref="IChatClient"/>, or null for the offline assistant.</summary>
    public static IChatClient? CreateModel(LlmOptions o, ILogger log)
    {
        if (o.IsOffline)
        {
            log.LogInformation("LLM provider: offline assistant (no model configured)");
            return null;
        }
        if (string.IsNullOrWhiteSpace(o.Endpoint) || string.IsNullOrWhiteSpace(o.Model))
            throw new InvalidOperationException($"Llm:Provider={o.Provider} needs Llm:Endpoint and Llm:Model.");

        // Our own retry, timeouts and circuit breaker govern; the SDK must not retry behind them.
        var noRetry = new ClientRetryPolicy(maxRetries: 0);
        var timeout = TimeSpan.FromSeconds(o.TimeoutSeconds);
        IChatClient client;
        if (string.Equals(o.Provider, "AzureOpenAI", StringComparison.OrdinalIgnoreCase))
        {
            var azure = new AzureOpenAIClient(new Uri(o.Endpoint), new ApiKeyCredential(o.ApiKey ?? ""),
                new AzureOpenAIClientOptions { RetryPolicy = noRetry, NetworkTimeout = timeout });
            client = azure.GetChatClient(o.Model).AsIChatClient();
        }
        else if (string.Equals(o.Provider, "OpenAI", StringComparison.OrdinalIgnoreCase))
        {
            var openAi = new OpenAIClient(new ApiKeyCredential(string.IsNullOrEmpty(o.ApiKey) ? "no-key" : o.ApiKey),
                new OpenAIClientOptions { Endpoint = new Uri(o.Endpoint), RetryPolicy = noRetry, NetworkTimeout = timeout });
            client = openAi.GetChatClient(o.Model).AsIChatClient();
        }
        else
        {
            throw new InvalidOperationException($"Unknown Llm:Provider '{o.Provider}': use Offline, OpenAI or AzureOpenAI.");
        }
        log.LogInformation("LLM provider: {Provider} model {Model}", o.Provider, o.Model);
        return client;
    }
}
