using System.ComponentModel;
using System.Diagnostics;
using System.Net.Sockets;

namespace HealthActors.TestKit;

/// <summary>
/// A redis-server of a test's own on a free loopback port, for faults the shared one must never suffer (stopping
/// it would break every other test). Append-only with fsync on every write, in a folder of its own, so that
/// <see cref="Restart"/> brings back what was written, as a production Redis with AOF would.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ha-redis-" + Guid.NewGuid().ToString("N"));
    private Process? _process;

    public int Port { get; } = FreePort.Next();
    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false";
    public bool IsRunning => _process is { HasExited: false };

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer();
        Directory.CreateDirectory(server._directory);
        await server.Restart();
        return server;
    }

    /// <summary>Starts it again on the same port and data; waits until it answers.</summary>
    public async Task Restart()
    {
        if (IsRunning) throw new InvalidOperationException("Redis is already running.");
        var info = new ProcessStartInfo("redis-server",
            ["--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", _directory, "--appendonly", "yes",
             "--appendfsync", "always", "--save", "", "--daemonize", "no", "--protected-mode", "yes"])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await Poll.Until(Answers, TimeSpan.FromSeconds(15), () => $"redis-server on port {Port} did not answer PING");
    }

    /// <summary>SIGKILL, as a crash or a lost host; every acknowledged write is already in the append-only file.</summary>
    public async Task Kill()
    {
        if (_process is null || _process.HasExited) return;
        try { _process.Kill(); } catch (InvalidOperationException) { } catch (Win32Exception) { }
        await _process.WaitForExitAsync();
    }

    private async Task<bool> Answers()
    {
        if (_process is { HasExited: true }) throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode}.");
        try
        {
            using var tcp = new TcpClient();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await tcp.ConnectAsync("127.0.0.1", Port, cts.Token);
            var stream = tcp.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cts.Token);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, cts.Token);
            return System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Kill();
        _process?.Dispose();
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { /* a file still held open: the temp folder is cleaned some other day */ }
    }
}
