using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;

namespace HealthActors.Tests.Processes;

/// <summary>
/// One real silo or Api process started with <c>dotnet</c>, its recent output kept for failure messages.
/// </summary>
public sealed class ChildProcess
{
    private const int KeptLines = 300;

    // A test host that dies between start and dispose (blame-hang, Ctrl-C) still takes its children with it.
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    static ChildProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var p in Running.Values)
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } catch (Win32Exception) { }
    };

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    public string Name { get; }
    public int Pid { get; private set; }
    public bool HasExited => _process.HasExited;
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public static ChildProcess Start(string name, string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        if (!File.Exists(dll))
            throw new FileNotFoundException($"{dll} is missing: build the solution in Debug first (test.sh does).", dll);
        var info = new ProcessStartInfo(DotnetHost(), [dll, .. args])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The test host's own hosting settings must not leak into the child.
        foreach (var key in new[] { "ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS" })
            info.Environment.Remove(key);
        foreach (var (key, value) in environment) info.Environment[key] = value;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(name, process);
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

    /// <summary>
    /// SIGTERM, as an orchestrator would send, then up to <paramref name="grace"/> to exit; a process still
    /// running after that is SIGKILLed. True when it exited by itself.
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan grace)
    {
        if (_process.HasExited) return true;
        try
        {
            // Process.Kill is SIGKILL on Unix and .NET has no API that sends another signal.
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", Pid.ToString()])
            {
                UseShellExecute = false,
                RedirectStandardError = true,
            })!;
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await kill.WaitForExitAsync(cts.Token);
        }
        catch (Exception e) when (e is Win32Exception or OperationCanceledException)
        {
            Keep($"[test] could not send SIGTERM: {e.Message}");
        }
        if (await WaitForExitAsync(grace)) return true;
        Keep($"[test] still running {grace.TotalSeconds:0} s after SIGTERM: killing");
        await KillAsync();
        return false;
    }

    /// <summary>SIGKILL: the process gets no chance to leave the cluster or flush anything.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        try { _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { } // it exited meanwhile
        if (!await WaitForExitAsync(TimeSpan.FromSeconds(15)))
            throw new TimeoutException($"{Name} (pid {Pid}) survived SIGKILL for 15 s");
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

    public string ExitDescription => _process.HasExited ? $"exited with code {_process.ExitCode}" : "running";

    public string Output => $"----- {Name} (pid {Pid}, {ExitDescription}, last {KeptLines} lines) -----\n" + string.Join('\n', _lines);

    private void Keep(string? line)
    {
        if (line is null) return;
        _lines.Enqueue($"{DateTime.Now:HH:mm:ss.fff} {line}");
        while (_lines.Count > KeptLines) _lines.TryDequeue(out _);
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
