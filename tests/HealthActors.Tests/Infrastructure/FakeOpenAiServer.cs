using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HealthActors.Tests.Infrastructure;

/// <summary>What the fake model does with one request.</summary>
public sealed record FakeReply(string Text, TimeSpan DelayBeforeFirstChunk = default, int FailWithStatus = 0, TimeSpan DelayBetweenChunks = default);

/// <summary>
/// A small OpenAI-compatible server on loopback (POST /v1/chat/completions, streaming and not), so the real
/// OpenAI SDK and Microsoft.Extensions.AI path run in tests. It records every request body it receives.
/// </summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    public ConcurrentQueue<JsonObject> Requests { get; } = new();
    /// <summary>Decides the reply for each request; by default echoes a fixed answer in several chunks.</summary>
    public Func<JsonObject, Task<FakeReply>> Behavior { get; set; } = _ => Task.FromResult(new FakeReply(DefaultAnswer));
    public const string DefaultAnswer = "Rest, drink fluids and see a general practitioner if it lasts more than three days.";
    public string BaseUrl { get; }

    private FakeOpenAiServer(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public static async Task<FakeOpenAiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeOpenAiServer? self = null;
        app.MapPost("/v1/chat/completions", async (HttpContext http) =>
        {
            var body = (await JsonNode.ParseAsync(http.Request.Body))!.AsObject();
            self!.Requests.Enqueue(body);
            var reply = await self.Behavior(body);
            if (reply.DelayBeforeFirstChunk > TimeSpan.Zero) await Task.Delay(reply.DelayBeforeFirstChunk, http.RequestAborted);
            if (reply.FailWithStatus != 0)
            {
                http.Response.StatusCode = reply.FailWithStatus;
                await http.Response.WriteAsJsonAsync(new { error = new { message = "fake failure", type = "server_error" } });
                return;
            }
            var model = body["model"]?.GetValue<string>() ?? "fake";
            if (body["stream"]?.GetValue<bool>() == true)
            {
                http.Response.ContentType = "text/event-stream";
                var pieces = Split(reply.Text);
                for (var i = 0; i < pieces.Count; i++)
                {
                    var delta = i == 0 ? new JsonObject { ["role"] = "assistant", ["content"] = pieces[i] } : new JsonObject { ["content"] = pieces[i] };
                    await WriteEvent(http, Chunk(model, delta, null));
                    if (reply.DelayBetweenChunks > TimeSpan.Zero) await Task.Delay(reply.DelayBetweenChunks, http.RequestAborted);
                }
                await WriteEvent(http, Chunk(model, new JsonObject(), "stop"));
                await http.Response.WriteAsync("data: [DONE]\n\n");
                return;
            }
            await http.Response.WriteAsJsonAsync(new JsonObject
            {
                ["id"] = "chatcmpl-fake", ["object"] = "chat.completion", ["created"] = 1_700_000_000, ["model"] = model,
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0, ["finish_reason"] = "stop",
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = reply.Text },
                }),
                ["usage"] = new JsonObject { ["prompt_tokens"] = 10, ["completion_tokens"] = 10, ["total_tokens"] = 20 },
            });
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new FakeOpenAiServer(app, address.TrimEnd('/') + "/v1");
        return self;
    }

    /// <summary>Every message text the model was sent, across all requests.</summary>
    public IEnumerable<string> AllPromptText() => Requests.SelectMany(r => r["messages"]!.AsArray().Select(m => m!["content"]?.ToString() ?? ""));

    private static List<string> Split(string text)
    {
        var words = text.Split(' ');
        return words.Select((w, i) => i < words.Length - 1 ? w + " " : w).ToList();
    }

    private static JsonObject Chunk(string model, JsonObject delta, string? finish) => new()
    {
        ["id"] = "chatcmpl-fake", ["object"] = "chat.completion.chunk", ["created"] = 1_700_000_000, ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
    };

    private static async Task WriteEvent(HttpContext http, JsonObject payload)
    {
        await http.Response.WriteAsync("data: " + payload.ToJsonString() + "\n\n");
        await http.Response.Body.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
