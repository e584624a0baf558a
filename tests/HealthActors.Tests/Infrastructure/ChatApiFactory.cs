using System.Collections.Concurrent;
using HealthActors.Grains.Abstractions.Chat;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HealthActors.Tests.Infrastructure;

/// <summary>The Api wired to a fake OpenAI-compatible model on loopback, with every log line captured.</summary>
public class ChatApiFactory : ApiFactory, IAsyncLifetime
{
    public FakeOpenAiServer Model { get; private set; } = null!;
    public ConcurrentQueue<string> Logs { get; } = new();

    public async Task InitializeAsync() => Model = await FakeOpenAiServer.StartAsync();

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await Model.DisposeAsync();
    }

    protected override IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Llm:Provider"] = "OpenAI",
        ["Llm:Endpoint"] = Model.BaseUrl,
        ["Llm:Model"] = "fake-medical-model",
        ["Llm:ApiKey"] = "test-key",
        ["Llm:FirstTokenTimeoutSeconds"] = "1.5",
        ["Llm:TimeoutSeconds"] = "10",
        ["Llm:CircuitFailures"] = "1000",
        ["Chat:WindowSize"] = "20",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(l => l.AddProvider(new CapturingLoggerProvider(Logs)));
    }

    /// <summary>A real SignalR client over WebSockets, sending the token in the query string as browsers do.</summary>
    public Task<HubConnection> ConnectChatAsync(string? accessToken) => this.ConnectHubAsync("/hubs/chat", accessToken);

    public sealed class CapturingLoggerProvider(ConcurrentQueue<string> sink) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Capturing(categoryName, sink);
        public void Dispose() { }

        private sealed class Capturing(string category, ConcurrentQueue<string> sink) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel)) sink.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
            }
        }
    }
}

public static class ChatHubExtensions
{
    public static async Task<List<ChatChunk>> SendAsync(this HubConnection hub, Guid conversationId, string text, CancellationToken ct = default)
    {
        var chunks = new List<ChatChunk>();
        await foreach (var c in hub.StreamAsync<ChatChunk>("SendMessage", conversationId, text, ct)) chunks.Add(c);
        return chunks;
    }

    public static string Text(this IEnumerable<ChatChunk> chunks) => string.Concat(chunks.Where(c => !c.Final).Select(c => c.Text));
}
