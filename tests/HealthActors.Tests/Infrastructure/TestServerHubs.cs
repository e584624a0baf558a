using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace HealthActors.Tests.Infrastructure;

public static class TestServerHubs
{
    /// <summary>A real SignalR client over the in-process server's WebSockets (<see cref="HubClients"/>), started.</summary>
    public static Task<HubConnection> ConnectHubAsync(this WebApplicationFactory<Program> factory, string path, string? accessToken,
        HubWireProtocol protocol = HubWireProtocol.Json)
    {
        var server = factory.Server;
        return HubClients.ConnectAsync(new Uri(server.BaseAddress, path), accessToken,
            (uri, ct) => server.CreateWebSocketClient().ConnectAsync(uri, ct), protocol: protocol);
    }

    /// <summary>
    /// Opens a real SignalR client on a hub and reports when the server closes it. The server may refuse a
    /// connection right after the handshake, so the close is watched from before the start.
    /// </summary>
    public static async Task<HealthActors.Tests.Api.WatchedConnection> OpenWatchedAsync(this WebApplicationFactory<Program> factory, string path, string accessToken)
    {
        var server = factory.Server;
        var connection = HubClients.Build(new Uri(server.BaseAddress, path), () => accessToken,
            (uri, ct) => server.CreateWebSocketClient().ConnectAsync(uri, ct));
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Closed += e => { closed.TrySetResult(e); return Task.CompletedTask; };
        try
        {
            await connection.StartAsync();
        }
        catch (Exception e)
        {
            closed.TrySetResult(e);
        }
        return new HealthActors.Tests.Api.WatchedConnection(connection, closed.Task);
    }
}
