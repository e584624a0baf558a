using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace HealthActors.TestKit;

/// <summary>
/// A built silo or Api dll run as a child process with <c>dotnet</c>: its environment and arguments, a readiness
/// wait, its recent output kept for failure messages (and, when asked, every line in a log file), SIGTERM with a
/// grace period, SIGKILL. The one launcher of the tests and the benches.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private const int KeptLines = 300;
    private const int KeptErrors = 100;

    // A host that dies between start and dispose (blame-hang, Ctrl-C, an unhandled exception) still takes its children with it.
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    static ChildProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var p in Running.Values)
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } catch (Win32Exception) { }
    };

    /// <summary>The host's own hosting settings, which must not leak into the child.</summary>
    private static readonly string[] NeverInherited = ["ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS"];

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    // Error lines kept apart from the tail: a 500 logged early in a long test would otherwise be pushed out of it.
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly StreamWriter? _log;
    private readonly Lock _logGate = new();

    public string Name { get; }
    public int Pid { get; private set; }
    /// <summary>The file every output line is written to, when one was given.</summary>
    public string? LogPath { get; }
    public bool HasExited => _process.HasExited;
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    private ChildProcess(string name, Process process, string? logPath)
    {
        Name = name;
        _process = process;
        LogPath = logPath;
        if (logPath is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
            _log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        }
    }

    /// <param name="environment">Set on top of this process's environment; a null value removes an inherited variable.</param>
    /// <param name="logPath">Also write every output line to this file (the kept tail is in memory either way).</param>
    public static ChildProcess Start(string name, string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string?> environment, string? logPath = null)
    {
        if (!File.Exists(dll))
            throw new FileNotFoundException($"{dll} is missing: build the solution first (dotnet build HealthActors.sln -c {Repository.Configuration}).", dll);
        var info = new ProcessStartInfo(DotnetHost(), [dll, .. args])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var key in NeverInherited) info.Environment.Remove(key);
        foreach (var (key, value) in environment)
        {
            if (value is null) info.Environment.Remove(key);
            else info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(name, process, logPath);
        process.OutputDataReceived += (_, e) => child.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => child.Keep(e.Data is null ? null : "[stderr] " + e.Data);
        process.Start();
        var pid = child.Pid = process.Id;
        Running[pid] = process;
        process.Exited += (_, _) => Running.TryRemove(pid, out _);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Processor time the process has used so far (zero once it has gone).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            try { _process.Refresh(); return _process.TotalProcessorTime; }
            catch (InvalidOperationException) { return TimeSpan.Zero; }
        }
    }

    /// <summary>
    /// Polls <paramref name="url"/> until it answers 2xx (or <paramref name="isReady"/> says so); fails at once, with
    /// the output, when the process exits, and with the last answer after <paramref name="timeout"/>.
    /// </summary>
    public async Task WaitReadyAsync(Uri url, TimeSpan timeout, CancellationToken ct = default, Func<HttpResponseMessage, Task<bool>>? isReady = null)
    {
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var clock = Stopwatch.StartNew();
        var last = "no answer yet";
        while (clock.Elapsed < timeout)
        {
            if (HasExited) throw new InvalidOperationException($"{Name} exited during start-up.\n{Output}");
            try
            {
                using var response = await probe.GetAsync(url, ct);
                if (isReady is null ? response.IsSuccessStatusCode : await isReady(response)) return;
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}";
            }
            catch (HttpRequestException e) { last = e.Message; }
            catch (TaskCanceledException e) when (!ct.IsCancellationRequested) { last = e.Message; }
            await Task.Delay(250, ct);
        }
        throw new TimeoutException($"{Name} was not ready at {url} within {timeout.TotalSeconds:0} s; last answer: {last}\n{Output}");
    }

    /// <summary>
    /// SIGTERM, as an orchestrator would send, then up to <paramref name="grace"/> to exit; a process still
    /// running after that is SIGKILLed. True when it exited by itself.
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan grace)
    {
        if (_process.HasExited) return true;
        // Process.Kill is SIGKILL on Unix and .NET has no API that sends another signal.
        if (OperatingSystem.IsWindows() || kill(Pid, SigTerm) != 0)
            Keep($"[launcher] could not send SIGTERM (errno {Marshal.GetLastPInvokeError()})");
        else if (await WaitForExitAsync(grace))
            return true;
        else
            Keep($"[launcher] still running {grace.TotalSeconds:0} s after SIGTERM: killing");
        await KillAsync();
        return false;
    }

    /// <summary>SIGKILL: the process gets no chance to leave the cluster or flush anything.</summary>
    public async Task KillAsync()
    {
        Kill();
        if (!await WaitForExitAsync(TimeSpan.FromSeconds(15)))
            throw new TimeoutException($"{Name} (pid {Pid}) survived SIGKILL for 15 s");
    }

    /// <summary>SIGKILL without waiting, for the paths that cannot await (Ctrl-C, process exit).</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { } // it exited meanwhile
        catch (Win32Exception) { }
    }

    private async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException) { return _process.HasExited; }
    }

    /// <summary>The kept tail of the output, oldest first.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>The last <paramref name="count"/> kept lines.</summary>
    public string Tail(int count = 30) => string.Join('\n', _lines.Skip(Math.Max(0, _lines.Count - count)));

    public string ExitDescription => _process.HasExited ? $"exited with code {_process.ExitCode}" : "running";

    /// <summary>Every error or critical log line (and unhandled-exception output) so far, oldest first, up to 100.</summary>
    public IReadOnlyList<string> ErrorLines => [.. _errors];

    public string Output => (_errors.IsEmpty ? "" : $"----- {Name}: errors logged ({_errors.Count}, oldest first) -----\n" + string.Join('\n', _errors) + "\n")
        + $"----- {Name} (pid {Pid}, {ExitDescription}, last {KeptLines} lines{(LogPath is null ? "" : ", all in " + LogPath)}) -----\n"
        + string.Join('\n', _lines);

    /// <summary>
    /// The console logger's simple format starts an entry with its level ("fail: ", "crit: "); the runtime writes an
    /// unhandled exception to stderr.
    /// </summary>
    public static bool IsErrorLine(string line) =>
        line.StartsWith("fail: ", StringComparison.Ordinal) || line.StartsWith("crit: ", StringComparison.Ordinal)
        || line.StartsWith("[stderr] Unhandled exception", StringComparison.Ordinal);

    private void Keep(string? line)
    {
        if (line is null) return;
        var stamped = $"{DateTime.Now:HH:mm:ss.fff} {line}";
        _lines.Enqueue(stamped);
        while (_lines.Count > KeptLines) _lines.TryDequeue(out _);
        if (IsErrorLine(line) && _errors.Count < KeptErrors) _errors.Enqueue(stamped);
        if (_log is null) return;
        lock (_logGate)
        {
            try { _log.WriteLine(line); }
            catch (ObjectDisposedException) { }
        }
    }

    /// <summary>Stops the process (SIGTERM, then SIGKILL after 10 s) and closes its log.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        if (_log is not null) lock (_logGate) _log.Dispose();
        _process.Dispose();
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private const int SigTerm = 15;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
