using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HealthActors.Grains.Chat;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HealthActors.Bench;

public sealed record PlainChatRequest(string? Text);

/// <summary>
/// The bench's own Kestrel on loopback with two roles: a zero-latency OpenAI-compatible model
/// (POST /v1/chat/completions) that both paths call, and the baseline (POST /plain/chat) that calls that model
/// through the product's IChatClient with nothing else in between.
/// </summary>
internal sealed class LocalServer : IAsyncDisposable
{
    /// <summary>About 30 tokens, streamed word by word like a real provider would.</summary>
    public const string Answer =
        "Rest, drink plenty of fluids and take paracetamol if the headache bothers you. " +
        "If it lasts more than three days or gets worse, please see a general practitioner.";

    public static readonly byte[] AnswerUtf8 = Encoding.UTF8.GetBytes(Answer);

    // Built once: the model must cost as close to nothing as possible, so that what is measured is the backend.
    private static readonly byte[] StreamBody = BuildStreamBody();
    private static readonly byte[] CompletionBody = BuildCompletionBody();
    private static readonly byte[] StreamFlag = "\"stream\":true"u8.ToArray();

    private readonly WebApplication _app;
    private long _streamingRequests;
    private long _completionRequests;
    private long _streamingTicks;

    public Uri BaseAddress { get; }
    public string ModelEndpoint => new Uri(BaseAddress, "/v1").ToString();
    public long StreamingRequests => Interlocked.Read(ref _streamingRequests);
    /// <summary>Non-streaming calls: in the product only the rolling summary makes them.</summary>
    public long CompletionRequests => Interlocked.Read(ref _completionRequests);
    /// <summary>Stopwatch ticks the model spent on streaming requests, from the request's start to its last byte
    /// written: what the open-loop scenario subtracts to get the backend's own time.</summary>
    public long StreamingTicks => Interlocked.Read(ref _streamingTicks);

    private LocalServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public static async Task<LocalServer> StartAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        LocalServer? self = null;
        IChatClient? plainModel = null;
        var chatOptions = new ChatOptions { MaxOutputTokens = new LlmOptions().MaxOutputTokens, Temperature = 0.3f };

        app.MapPost("/v1/chat/completions", async http =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var streaming = await BodyContains(http.Request.BodyReader, StreamFlag);
            if (streaming)
            {
                Interlocked.Increment(ref self!._streamingRequests);
                http.Response.ContentType = "text/event-stream";
                await http.Response.Body.WriteAsync(StreamBody);
                Interlocked.Add(ref self._streamingTicks, System.Diagnostics.Stopwatch.GetTimestamp() - started);
            }
            else
            {
                Interlocked.Increment(ref self!._completionRequests);
                http.Response.ContentType = "application/json";
                await http.Response.Body.WriteAsync(CompletionBody);
            }
        });

        app.MapPost("/plain/chat", async (HttpContext http, PlainChatRequest body) =>
        {
            if (string.IsNullOrWhiteSpace(body.Text)) { http.Response.StatusCode = 400; return; }
            List<Microsoft.Extensions.AI.ChatMessage> prompt =
            [
                new(ChatRole.System, PromptBuilder.SystemPrompt),
                new(ChatRole.User, body.Text),
            ];
            http.Response.ContentType = "text/plain; charset=utf-8";
            await foreach (var update in plainModel!.GetStreamingResponseAsync(prompt, chatOptions, http.RequestAborted))
            {
                var piece = update.Text;
                if (string.IsNullOrEmpty(piece)) continue;
                // Flushed per piece, as a streaming endpoint must: the hub sends a message per chunk too.
                await http.Response.WriteAsync(piece, http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
            }
        });

        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new LocalServer(app, new Uri(address.TrimEnd('/') + "/"));
        // Only now is the model's address known; same factory and options as the product (ChatServices.CreateModel).
        plainModel = ChatServices.CreateModel(
            new LlmOptions { Provider = "OpenAI", Endpoint = self.ModelEndpoint, Model = "bench" }, NullLogger.Instance)!;
        return self;
    }

    private static async Task<bool> BodyContains(PipeReader reader, byte[] needle)
    {
        while (true)
        {
            var read = await reader.ReadAsync();
            if (!read.IsCompleted)
            {
                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                continue;
            }
            var buffer = read.Buffer;
            var found = buffer.IsSingleSegment
                ? buffer.FirstSpan.IndexOf(needle) >= 0
                : buffer.ToArray().AsSpan().IndexOf(needle) >= 0;
            reader.AdvanceTo(buffer.End);
            return found;
        }
    }

    private static byte[] BuildStreamBody()
    {
        var sb = new StringBuilder();
        var words = Answer.Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            var piece = i < words.Length - 1 ? words[i] + " " : words[i];
            var delta = i == 0 ? new JsonObject { ["role"] = "assistant", ["content"] = piece } : new JsonObject { ["content"] = piece };
            sb.Append("data: ").Append(Chunk(delta, null).ToJsonString()).Append("\n\n");
        }
        sb.Append("data: ").Append(Chunk(new JsonObject(), "stop").ToJsonString()).Append("\n\n");
        sb.Append("data: [DONE]\n\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static JsonObject Chunk(JsonObject delta, string? finish) => new()
    {
        ["id"] = "chatcmpl-bench", ["object"] = "chat.completion.chunk", ["created"] = 1_700_000_000, ["model"] = "bench",
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
    };

    private static byte[] BuildCompletionBody() => JsonSerializer.SerializeToUtf8Bytes(new JsonObject
    {
        ["id"] = "chatcmpl-bench", ["object"] = "chat.completion", ["created"] = 1_700_000_000, ["model"] = "bench",
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0, ["finish_reason"] = "stop",
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = Answer },
        }),
        ["usage"] = new JsonObject { ["prompt_tokens"] = 100, ["completion_tokens"] = 30, ["total_tokens"] = 130 },
    });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
