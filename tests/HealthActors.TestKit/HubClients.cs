using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace HealthActors.TestKit;

/// <summary>The hub protocol a client speaks; the Api offers both, JSON is what the web app uses.</summary>
public enum HubWireProtocol
{
    Json,
    /// <summary>SignalR's binary MessagePack protocol (Microsoft.AspNetCore.SignalR.Protocols.MessagePack).</summary>
    MessagePack,
}

/// <summary>
/// The one way tests and benches connect to a hub: WebSockets only, the server's JSON conventions (or MessagePack),
/// the access token in the <c>access_token</c> query string as browsers send it.
/// </summary>
public static class HubClients
{
    /// <summary>
    /// What the Api's hub protocol does on top of the web defaults: enums as camel-case strings. A client without
    /// it cannot bind any event carrying an enum and drops it silently.
    /// </summary>
    public static void UseServerConventions(JsonSerializerOptions options) =>
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));

    /// <summary>Opens a WebSocket to a URI; the in-process test server supplies one of its own.</summary>
    public delegate Task<WebSocket> WebSocketConnector(Uri uri, CancellationToken ct);

    /// <param name="hubUrl">The hub's absolute URL (base address + /hubs/...).</param>
    /// <param name="accessToken">Read at each (re)connect, so a refreshed token is used; null or returning null: anonymous.</param>
    /// <param name="connector">For an in-process server (TestServer.CreateWebSocketClient); null: a real network connection.</param>
    /// <param name="configure">Anything else a caller needs (reconnect policy, timeouts).</param>
    /// <param name="protocol">JSON (the default) or MessagePack.</param>
    public static HubConnection Build(Uri hubUrl, Func<string?>? accessToken = null, WebSocketConnector? connector = null, Action<IHubConnectionBuilder>? configure = null,
        HubWireProtocol protocol = HubWireProtocol.Json)
    {
        var builder = new HubConnectionBuilder()
            .WithUrl(hubUrl, o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                if (connector is null)
                {
                    if (accessToken is not null) o.AccessTokenProvider = () => Task.FromResult(accessToken());
                    return;
                }
                // A custom WebSocket factory bypasses the access token provider, so the token goes on the URI here.
                o.WebSocketFactory = async (context, ct) =>
                {
                    var token = accessToken?.Invoke();
                    var uri = token is null ? context.Uri
                        : new Uri(context.Uri + (context.Uri.Query.Length > 0 ? "&" : "?") + "access_token=" + Uri.EscapeDataString(token));
                    return await connector(uri, ct);
                };
            });
        // One protocol only: the connection speaks the last one registered, so JSON is not added under MessagePack.
        if (protocol == HubWireProtocol.MessagePack) builder.AddMessagePackProtocol();
        else builder.AddJsonProtocol(o => UseServerConventions(o.PayloadSerializerOptions));
        configure?.Invoke(builder);
        return builder.Build();
    }

    /// <summary><see cref="Build"/> with a fixed token, started.</summary>
    public static async Task<HubConnection> ConnectAsync(Uri hubUrl, string? accessToken, WebSocketConnector? connector = null, CancellationToken ct = default,
        HubWireProtocol protocol = HubWireProtocol.Json)
    {
        var connection = Build(hubUrl, accessToken is null ? null : () => accessToken, connector, protocol: protocol);
        try
        {
            await connection.StartAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
