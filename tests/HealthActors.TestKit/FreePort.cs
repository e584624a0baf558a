using System.Net;
using System.Net.Sockets;

namespace HealthActors.TestKit;

public static class FreePort
{
    /// <summary>
    /// A loopback port nobody listens on right now. The OS hands it out and it is released at once, so another
    /// process could take it before the caller binds it; on loopback in a test run that race is rare enough.
    /// </summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
