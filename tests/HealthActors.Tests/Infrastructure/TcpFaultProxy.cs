using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace HealthActors.Tests.Infrastructure;

/// <summary>
/// A loopback TCP forwarder put between a host under test and a shared service (PostgreSQL), so that a test can
/// break the connection as a restart would, without touching the service others use: <see cref="Cut"/> resets every
/// open connection and refuses new ones until <see cref="Restore"/>.
/// </summary>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private volatile bool _refusing;

    public TcpFaultProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener.Start();
        _accepting = Task.Run(AcceptLoop);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted and refused since the start, to show that a test really went through the proxy.</summary>
    public int Accepted { get; private set; }
    public int Refused { get; private set; }

    /// <summary>Resets every forwarded connection and refuses new ones, as a database that went down does.</summary>
    public void Cut()
    {
        _refusing = true;
        foreach (var socket in _open.Keys) Reset(socket);
    }

    public void Restore() => _refusing = false;

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptSocketAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            if (_refusing)
            {
                Refused++;
                Reset(client);
                continue;
            }
            Accepted++;
            _ = Task.Run(() => Forward(client));
        }
    }

    private async Task Forward(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _open[client] = 0;
        _open[server] = 0;
        try
        {
            await server.ConnectAsync(_targetHost, _targetPort, _stop.Token);
            // Either direction ending (or a Cut resetting both sockets) ends the pair.
            await Task.WhenAny(Pipe(client, server), Pipe(server, client));
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or IOException) { }
        finally
        {
            Reset(client);
            Reset(server);
        }
    }

    private async Task Pipe(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (n == 0) return;
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException) { }
    }

    /// <summary>Closes with RST rather than FIN: the peer sees "connection reset", as when a server process dies.</summary>
    private void Reset(Socket socket)
    {
        _open.TryRemove(socket, out _);
        try { socket.LingerState = new LingerOption(true, 0); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        socket.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var socket in _open.Keys) Reset(socket);
        try { await _accepting; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
