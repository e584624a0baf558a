using System.Net;
using System.Text.Json.Nodes;
using HealthActors.Grains.Abstractions.Chat;
using Microsoft.AspNetCore.SignalR.Client;

namespace HealthActors.Tests.Processes;

/// <summary>
/// The chat through a real silo process and the Api as an Orleans client: the streamed answer and the
/// paged list cross the gateway, so everything they carry must serialize (in-process hosts would not notice).
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ClientModeChatTests
{
    [Fact]
    public Task Chat_streams_and_lists_through_a_separate_silo() => ProcessCluster.RunAsync(async cluster =>
    {
        cluster.StartSilo();
        var api = await cluster.StartApiAsync(activeSilos: 1);
        var user = await api.Http.RegisterAsync();

        await using var hub = await HubClients.ConnectAsync(new Uri(api.BaseAddress, "/hubs/chat"), user.Tokens.AccessToken);
        var id = await hub.InvokeAsync<Guid>("StartConversation", "Through the gateway");
        var chunks = new List<ChatChunk>();
        await foreach (var c in hub.StreamAsync<ChatChunk>("SendMessage", id, "I have had an itchy rash for a week")) chunks.Add(c);

        // No model is configured for these processes: the offline assistant answers and says so.
        Assert.True(chunks[^1].Final);
        Assert.Equal(AnswerSources.Offline, chunks[^1].Source);
        Assert.Contains("offline", string.Concat(chunks.Select(c => c.Text)));

        var list = await api.Http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Get, "/api/conversations", user.Tokens.AccessToken));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var page = JsonNode.Parse(await list.Content.ReadAsStringAsync())!;
        Assert.Equal(id, page["items"]![0]!["id"]!.GetValue<Guid>());
        Assert.Equal(2, page["items"]![0]!["messageCount"]!.GetValue<int>());
    });
}
