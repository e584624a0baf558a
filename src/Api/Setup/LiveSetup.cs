using System.Text.Json.Serialization;
using HealthActors.Api.Hubs;
using Microsoft.AspNetCore.SignalR;

namespace HealthActors.Api.Setup;

public static class LiveSetup
{
    /// <summary>SignalR, the relays that forward grain events to the connections held here, and the per-user connection rules.</summary>
    public static IServiceCollection AddHealthActorsLive(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<LiveOptions>().Bind(config.GetSection(LiveOptions.Section));
        services.AddSingleton<NotificationRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<NotificationRelay>());
        services.AddSingleton<AuctionRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<AuctionRelay>());
        services.AddSingleton<ConsultationRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<ConsultationRelay>());
        services.AddSingleton<CaseRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<CaseRelay>());

        services.AddOptions<HubConnectionOptions>().Bind(config.GetSection(HubConnectionOptions.Section));
        services.AddSingleton<HubSessions>();
        services.AddSingleton<HubSessionFilter>();
        services.AddHostedService<HubSessionSweep>();

        services.AddSingleton<IUserIdProvider, SubjectUserIdProvider>();
        services.AddSignalR(o =>
            {
                o.MaximumReceiveMessageSize = 32 * 1024;
                o.AddFilter<HubSessionFilter>();
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase)))
            // Offered beside JSON (each client picks one at the handshake; the web app stays on JSON): binary frames
            // are smaller and cheaper to write and to parse for a client following a hot auction.
            .AddMessagePackProtocol();
        return services;
    }

    public static WebApplication MapHealthActorsHubs(this WebApplication app)
    {
        // A WebSocket outlives the token it was opened with unless told otherwise: closing it when the token
        // expires makes the client come back with a fresh one, so a connection never holds more than a token would.
        static void UntilTokenExpiry(Microsoft.AspNetCore.Http.Connections.HttpConnectionDispatcherOptions o) => o.CloseOnAuthenticationExpiration = true;
        app.MapHub<ChatHub>("/hubs/chat", UntilTokenExpiry);
        app.MapHub<MarketplaceHub>("/hubs/marketplace", UntilTokenExpiry);
        app.MapHub<NotificationHub>("/hubs/notifications", UntilTokenExpiry);
        app.MapHub<ConsultationHub>("/hubs/consultations", UntilTokenExpiry);
        app.MapHub<CaseHub>("/hubs/cases", UntilTokenExpiry);
        return app;
    }
}
