using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HealthActors.TestKit;

namespace HealthActors.FaultBench;

/// <summary>
/// One silo or Api node of the run: a fixed name, dll, arguments and ports, so that a restart comes back exactly
/// where the killed process was (as run.sh's supervisor does), and the process of the moment.
/// </summary>
public sealed class Node(string name, string dll, string[] args, Dictionary<string, string?> environment, string logDirectory)
{
    private int _generation;

    public string Name { get; } = name;
    public ChildProcess? Process { get; private set; }
    public Uri? Url { get; init; }
    public bool IsRunning => Process is { HasExited: false };

    /// <summary>Starts the node, or starts it again after it died (its previous process and log are closed first).</summary>
    public async Task StartAsync()
    {
        if (IsRunning) throw new InvalidOperationException($"{Name} is already running.");
        if (Process is not null) await Process.DisposeAsync();
        _generation++;
        Process = ChildProcess.Start(Name, dll, args, environment, Path.Combine(logDirectory, $"{Name}.{_generation}.log"));
    }

    public async Task KillAsync()
    {
        if (Process is not null) await Process.KillAsync();
    }

    /// <summary>SIGSTOP: the process stays, holds its sockets and answers nothing, as a VM paused by its host.</summary>
    public void Freeze() => Signal(SigStop);

    public void Resume() => Signal(SigCont);

    public async Task StopAsync()
    {
        if (Process is null) return;
        Signal(SigCont); // a frozen process cannot act on SIGTERM
        await Process.DisposeAsync();
    }

    private void Signal(int signal)
    {
        if (Process is null || Process.HasExited) return;
        if (kill(Process.Pid, signal) != 0)
            throw new InvalidOperationException($"signal {signal} to {Name} (pid {Process.Pid}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    private const int SigCont = 18;
    private const int SigStop = 19;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}

/// <summary>
/// The process topology run.sh uses, twice over: 2 silos on Redis clustering and PostgreSQL storage, 2 Api nodes as
/// Orleans clients, all on 127.0.0.1 with ports chosen once. A cluster and service id of the run's own.
/// </summary>
public sealed class Topology : IAsyncDisposable
{
    public const int ApiCount = 2;

    public int SiloCount { get; }

    public string ServiceId { get; }
    public string AdminEmail { get; }
    public string AdminPassword { get; }
    public IReadOnlyList<Node> Silos { get; }
    public IReadOnlyList<Node> Apis { get; }

    public Topology(Options o)
    {
        SiloCount = o.Silos;
        var id = Guid.NewGuid().ToString("N")[..10];
        ServiceId = "faults-" + id;
        AdminEmail = $"fault.admin.{id}@bench.example.org";
        AdminPassword = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        var common = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__Postgres"] = o.Postgres,
            ["ConnectionStrings__Redis"] = o.Redis,
            ["Orleans__ClusterId"] = "faults-" + id,
            ["Orleans__ServiceId"] = ServiceId,
            ["Jwt__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
            ["Admin__Email"] = AdminEmail,
            ["Admin__Password"] = AdminPassword,
            // The generator's users act faster than people; the per-user limits are not what is tried here.
            ["RateLimiting__AuthPermitsPerWindow"] = "1000000",
            ["RateLimiting__UserRequestsPerMinute"] = "100000000",
            ["RateLimiting__ModelCallsPerMinute"] = "100000000",
            ["Marketplace__MaxBidsPerDoctorPerMinute"] = "100000",
            ["Catalog__SeedDemo"] = "false",
            ["Api__DataDirectory"] = Path.Combine(o.Logs, "api-data"),
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
            // The log files are read against the run's timeline (requests.csv), so every line carries its time.
            ["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ",
            ["Logging__Console__FormatterOptions__UseUtcTimestamp"] = "true",
            ["Logging__LogLevel__Orleans.Runtime.SiloOptionsLogger"] = "Warning",
            // On a starved machine the silos may take over a minute to start; how long is not what is tried here.
            ["Orleans__ClientConnectTimeoutSeconds"] = "240",
        };
        var silos = new List<Node>();
        for (var i = 1; i <= SiloCount; i++)
        {
            var env = new Dictionary<string, string?>(common)
            {
                ["Orleans__SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
                ["Orleans__GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            };
            silos.Add(new Node($"silo-{i}", o.SiloDll, [], env, o.Logs));
        }
        var apis = new List<Node>();
        for (var i = 1; i <= ApiCount; i++)
        {
            var url = new Uri($"http://127.0.0.1:{FreePort.Next()}");
            apis.Add(new Node($"api-{i}", o.ApiDll, ["--Orleans:Mode=Client", "--urls", url.ToString().TrimEnd('/')], new Dictionary<string, string?>(common), o.Logs) { Url = url });
        }
        Silos = silos;
        Apis = apis;
    }

    public async Task StartAsync(CancellationToken ct)
    {
        foreach (var silo in Silos) await silo.StartAsync();
        foreach (var api in Apis) await api.StartAsync();
        await Task.WhenAll(Apis.Select(a => WaitReadyAsync(a, TimeSpan.FromSeconds(180), ct)));
    }

    /// <summary>
    /// Until the node answers /health/ready with 200 and sees every silo active; a process that exits meanwhile is
    /// reported at once (ChildProcess).
    /// </summary>
    public Task WaitReadyAsync(Node api, TimeSpan timeout, CancellationToken ct) =>
        api.Process!.WaitReadyAsync(new Uri(api.Url!, "/health/ready"), timeout, ct, async response =>
        {
            if (!response.IsSuccessStatusCode) return false;
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct));
            return body?["checks"]?["cluster"]?["description"]?.GetValue<string>() is { } d
                && d.StartsWith($"{SiloCount} active silo", StringComparison.Ordinal);
        });

    /// <summary>Whether every Api node is ready and sees every silo, asked once (for the quiet gap between faults).</summary>
    public async Task<bool> AllReadyAsync(HttpClient http, CancellationToken ct)
    {
        foreach (var api in Apis)
        {
            if (!api.IsRunning) return false;
            try
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                cts.CancelAfter(TimeSpan.FromSeconds(5));
                using var response = await http.GetAsync(new Uri(api.Url!, "/health/ready"), cts.Token);
                if (!response.IsSuccessStatusCode) return false;
                var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(cts.Token));
                if (body?["checks"]?["cluster"]?["description"]?.GetValue<string>() is not { } d
                    || !d.StartsWith($"{SiloCount} active silo", StringComparison.Ordinal))
                    return false;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
            {
                return false;
            }
        }
        return Silos.All(s => s.IsRunning);
    }

    /// <summary>
    /// The error lines every process logged, read back from the log files (a 500 logged by an Api node carries its
    /// exception). The lines start with their time, so ChildProcess's own error filter does not see them.
    /// </summary>
    public static IEnumerable<(string Log, string Line)> ErrorLines(string logDirectory) =>
        Directory.EnumerateFiles(logDirectory, "*.log").Order().SelectMany(file => File.ReadLines(file)
            .Where(l => l.Contains(" fail: ", StringComparison.Ordinal) || l.Contains(" crit: ", StringComparison.Ordinal))
            .Select(l => (Path.GetFileName(file), l)));

    /// <summary>SIGTERM to the Apis, then to the silos (SIGKILL after the grace of ChildProcess).</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Apis.Select(a => a.StopAsync()));
        await Task.WhenAll(Silos.Select(s => s.StopAsync()));
    }
}
