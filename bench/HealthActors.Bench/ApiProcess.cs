using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace HealthActors.Bench;

/// <summary>
/// The real Api as a child process, embedded silo, real PostgreSQL and Redis: the product as deployed, not a
/// test host. Its output goes to a log file so a failed start can be shown.
/// </summary>
internal sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly object _logGate = new();
    private int _stopped;

    public Uri BaseAddress { get; }
    public string ClusterId { get; }
    public string ServiceId { get; }
    public string LogPath { get; }

    private ApiProcess(Process process, StreamWriter log, string logPath, Uri baseAddress, string clusterId, string serviceId)
    {
        _process = process;
        _log = log;
        LogPath = logPath;
        BaseAddress = baseAddress;
        ClusterId = clusterId;
        ServiceId = serviceId;
    }

    /// <summary>
    /// <paramref name="settings"/> are environment variables for what the bench at hand needs (a model, an admin);
    /// they are applied last and win.
    /// </summary>
    public static ApiProcess Start(string apiDll, string postgres, string redis, string logPath, IReadOnlyDictionary<string, string> settings)
    {
        if (!File.Exists(apiDll))
            throw new FileNotFoundException($"The Api is not built: {apiDll} (run dotnet build HealthActors.sln -c Release).");

        var runId = Guid.NewGuid().ToString("N")[..12];
        // A fresh cluster per run: a silo left over from a killed run must never be taken for a live peer.
        var clusterId = "bench-" + runId;
        var serviceId = "bench-" + runId;
        var httpPort = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{httpPort}/");

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(apiDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(apiDll);
        foreach (var arg in new[]
                 {
                     "--Orleans:Mode=Embedded",
                     "--Orleans:ClusterId=" + clusterId,
                     "--Orleans:ServiceId=" + serviceId,
                     "--Orleans:SiloPort=" + FreePort(),
                     "--Orleans:GatewayPort=" + FreePort(),
                     "--urls", baseAddress.ToString().TrimEnd('/'),
                     "--Api:DataDirectory=" + Path.GetDirectoryName(logPath),
                 })
            start.ArgumentList.Add(arg);

        var env = start.Environment;
        env["ConnectionStrings__Postgres"] = postgres;
        env["ConnectionStrings__Redis"] = redis;
        env["Jwt__SigningKey"] = RandomKey(48);
        // Registration is rate limited per address and every bench user comes from 127.0.0.1.
        env["RateLimiting__AuthPermitsPerWindow"] = "1000000";
        // A bench account books, bids or chats far faster than a person; the per-user limits are not what is measured.
        env["RateLimiting__UserRequestsPerMinute"] = "100000000";
        env["RateLimiting__ModelCallsPerMinute"] = "100000000";
        env["Logging__LogLevel__Default"] = "Warning";
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["DOTNET_ENVIRONMENT"] = "Production";
        // An admin from the caller's environment would add a slow password hash to the start and nothing to the bench;
        // a bench that needs one brings its own in the settings.
        env.Remove("Admin__Email");
        env.Remove("Admin__Password");
        foreach (var (key, value) in settings) env[key] = value;

        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        var process = new Process { StartInfo = start };
        var api = new ApiProcess(process, log, logPath, baseAddress, clusterId, serviceId);
        process.OutputDataReceived += (_, e) => api.Write(e.Data);
        process.ErrorDataReceived += (_, e) => api.Write(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return api;
    }

    public TimeSpan CpuTime
    {
        get
        {
            try { _process.Refresh(); return _process.TotalProcessorTime; }
            catch (InvalidOperationException) { return TimeSpan.Zero; }
        }
    }

    public async Task WaitReadyAsync(HttpClient http, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var last = "no answer";
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"The Api exited during start-up (code {_process.ExitCode}); log:\n{Tail()}");
            try
            {
                using var response = await http.GetAsync(new Uri(BaseAddress, "/health/ready"), ct);
                if (response.IsSuccessStatusCode) return;
                last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}";
            }
            catch (HttpRequestException e) { last = e.Message; }
            await Task.Delay(250, ct);
        }
        throw new TimeoutException($"The Api was not ready after {timeout.TotalSeconds:0} s ({last}); log:\n{Tail()}");
    }

    public string Tail(int lines = 30)
    {
        lock (_logGate) _log.Flush();
        try
        {
            using var reader = new StreamReader(new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
        }
        catch (IOException e) { return $"(log unreadable: {e.Message})"; }
    }

    /// <summary>
    /// SIGTERM first, so the silo leaves the cluster and closes its connections; killed if it has not gone
    /// within the grace period. Safe to call more than once and from any thread.
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        try
        {
            if (_process.HasExited) return;
            if (!OperatingSystem.IsWindows() && kill(_process.Id, SigTerm) == 0)
            {
                using var cts = new CancellationTokenSource(grace);
                try { await _process.WaitForExitAsync(cts.Token); return; }
                catch (OperationCanceledException) { }
            }
            KillNow();
        }
        catch (InvalidOperationException) { }
    }

    /// <summary>For the paths that cannot wait (process exit): no child may outlive the bench.</summary>
    public void KillNow()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { }
    }

    private void Write(string? line)
    {
        if (line is null) return;
        lock (_logGate)
        {
            try { _log.WriteLine(line); }
            catch (ObjectDisposedException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(20));
        lock (_logGate) _log.Dispose();
        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RandomKey(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return RandomNumberGenerator.GetString(alphabet, length);
    }

    private const int SigTerm = 15;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
