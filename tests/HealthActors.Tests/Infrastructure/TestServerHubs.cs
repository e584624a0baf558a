using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace HealthActors.Tests.Infrastructure;

public static class TestServerHubs
{
    /// <summary>A real SignalR client over the in-process server's WebSockets (<see cref="HubClients"/>), started.</summary>
    public static Task<HubConnection> ConnectHubAsync(this WebApplicationFactory<Program> factory, string path, string? accessToken)
    {
        var server = factory.Server;
        return HubClients.ConnectAsync(new Uri(server.BaseAddress, path), accessToken,
            (uri, ct) => server.CreateWebSocketClient().ConnectAsync(uri, ct));
    }
}
