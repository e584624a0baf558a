using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HealthActors.Grains.Abstractions.Patients;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace HealthActors.Tests.Processes;

/// <summary>
/// The process tests start silos that join the shared Redis and bind ports; they run on their own, after
/// the in-process tests, so that failure detection timings are not skewed by a saturated machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessCollection
{
    public const string Name = "Processes";
}

public sealed record SiloProcess(int Number, int SiloPort, int GatewayPort, ChildProcess Process);

public sealed record ApiProcess(Uri BaseAddress, HttpClient Http, ChildProcess Process);

/// <summary>
/// A cluster of real processes as run.sh starts them (silo dlls on Redis clustering and PostgreSQL storage,
/// the Api dll as an Orleans client), on loopback with free ports and a cluster/service id of its own.
/// Everything it starts is stopped when it is disposed, whatever the test did.
/// </summary>
/// <param name="redis">Redis for membership and reminders; the shared one unless a test brings its own (to stop it).</param>
public sealed partial class ProcessCluster(string? redis = null) : IAsyncDisposable
{
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);

    private readonly List<ChildProcess> _started = [];
    private readonly List<SiloProcess> _silos = [];
    private readonly List<HttpClient> _clients = [];
    private readonly List<ApiProcess> _apis = [];
    private IHost? _observer;
    private int _siloNumber;

    public string ClusterId { get; } = TestEnvironment.UniqueId("proc");
    public string ServiceId { get; } = TestEnvironment.UniqueId("procsvc");
    public string Redis { get; } = redis ?? TestEnvironment.Redis;

    /// <summary>Silos started and not yet stopped or killed through this cluster.</summary>
    public IReadOnlyList<SiloProcess> Silos => _silos;
    /// <summary>The first Api process; <see cref="StartAnotherApiAsync"/> adds more.</summary>
    public ApiProcess? Api { get; private set; }
    public IReadOnlyList<ApiProcess> Apis => _apis;


    /// <summary>
    /// Runs <paramref name="test"/> against a new cluster; any failure carries the processes' output, and
    /// every process is stopped afterwards.
    /// </summary>
    public static async Task RunAsync(Func<ProcessCluster, Task> test, string? redis = null)
    {
        await using var cluster = new ProcessCluster(redis);
        try
        {
            await test(cluster);
        }
        catch (Exception e)
        {
            throw new ProcessTestException(e, cluster.Diagnostics());
        }
    }

    /// <param name="settings">Extra configuration for this silo only, as environment variables (Booking__HoldSeconds=...).</param>
    public SiloProcess StartSilo(IReadOnlyDictionary<string, string>? settings = null)
    {
        var number = ++_siloNumber;
        var siloPort = TestEnvironment.FreePort();
        var gatewayPort = TestEnvironment.FreePort();
        var env = CommonEnvironment();
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) env[key] = value;
        env["Orleans__SiloPort"] = siloPort.ToString();
        env["Orleans__GatewayPort"] = gatewayPort.ToString();
        var silo = new SiloProcess(number, siloPort, gatewayPort, Launch($"silo-{number}", Repository.SiloDll, [], env));
        _silos.Add(silo);
        return silo;
    }

    /// <summary>Starts the Api as a client of this cluster and waits until it is ready and sees <paramref name="activeSilos"/> silos.</summary>
    /// <param name="settings">Extra configuration for this Api only, as environment variables.</param>
    /// <param name="timeout">How long it may take to be ready (<see cref="ReadyTimeout"/> by default).</param>
    public async Task<ApiProcess> StartApiAsync(int activeSilos, IReadOnlyDictionary<string, string>? settings = null, TimeSpan? timeout = null)
    {
        if (Api is not null && !Api.Process.HasExited)
            throw new InvalidOperationException("The Api is already running.");
        Api = LaunchApi(_apis.Count == 0 ? "api" : $"api-{_apis.Count + 1}", settings);
        await WaitForActiveSilosAsync(activeSilos, timeout);
        return Api;
    }

    /// <summary>One more Api process next to <see cref="Api"/>, so that requests can enter the cluster through different nodes.</summary>
    public async Task<ApiProcess> StartAnotherApiAsync(int activeSilos)
    {
        if (Api is null || Api.Process.HasExited) throw new InvalidOperationException("Start the first Api with StartApiAsync.");
        var api = LaunchApi($"api-{_apis.Count + 1}");
        await WaitForActiveSilosAsync(activeSilos, api: api);
        return api;
    }

    private ApiProcess LaunchApi(string name, IReadOnlyDictionary<string, string>? settings = null)
    {
        var url = new Uri($"http://127.0.0.1:{TestEnvironment.FreePort()}");
        var env = CommonEnvironment();
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) env[key] = value;
        // Watch registrations renewed every 2 s rather than 20: a relay whose grain moved catches up within a test's patience.
        env["Live__RenewSeconds"] = "2";
        var process = Launch(name, Repository.ApiDll, ["--Orleans:Mode=Client", "--urls", url.ToString().TrimEnd('/')], env);
        var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(40) };
        _clients.Add(http);
        var api = new ApiProcess(url, http, process);
        _apis.Add(api);
        return api;
    }

    /// <summary>
    /// Polls /health/ready until it answers 200 with exactly <paramref name="count"/> active silos in the
    /// membership table. Fails early when a process has died.
    /// </summary>
    public async Task WaitForActiveSilosAsync(int count, TimeSpan? timeout = null, ApiProcess? api = null)
    {
        api ??= Api ?? throw new InvalidOperationException("Start the Api first.");
        var clock = Stopwatch.StartNew();
        var last = "no answer yet";
        while (clock.Elapsed < (timeout ?? ReadyTimeout))
        {
            if (api.Process.HasExited) throw new InvalidOperationException($"{api.Process.Name} exited during start-up.");
            if (_silos.FirstOrDefault(s => s.Process.HasExited) is { } dead)
                throw new InvalidOperationException($"{dead.Process.Name} exited unexpectedly.");
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                var response = await api.Http.GetAsync("/health/ready", cts.Token);
                var body = await response.Content.ReadAsStringAsync(cts.Token);
                last = $"{(int)response.StatusCode} {body}";
                var description = JsonNode.Parse(body)?["checks"]?["cluster"]?["description"]?.GetValue<string>();
                if (response.StatusCode == HttpStatusCode.OK && description is not null
                    && ActiveSilos().Match(description) is { Success: true } m && int.Parse(m.Groups[1].Value) == count)
                    return;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
            {
                last = e.GetType().Name + ": " + e.Message;
            }
            await Task.Delay(500);
        }
        throw new TimeoutException($"{api.Process.Name} did not report {count} active silo(s) within {(timeout ?? ReadyTimeout).TotalSeconds:0} s; last answer: {last}");
    }

    /// <summary>
    /// Waits until the Api's Orleans client lists the gateways of all <paramref name="silos"/> as live, read
    /// from its gateway manager's log. Membership alone does not say so: the client re-reads the gateway
    /// list from Redis on its own schedule, and until then it cannot fail over to a silo it has not seen.
    /// </summary>
    public async Task WaitUntilApiKnowsGatewaysAsync(IReadOnlyCollection<SiloProcess> silos, TimeSpan timeout, ApiProcess? api = null)
    {
        api ??= Api ?? throw new InvalidOperationException("Start the Api first.");
        var clock = Stopwatch.StartNew();
        string? last = null;
        while (clock.Elapsed < timeout)
        {
            last = api.Process.Lines.LastOrDefault(l => l.Contains("Orleans.Messaging.GatewayManager")
                && (l.Contains("live gateways:") || l.Contains("gateways: '")));
            var listed = last?[(last.LastIndexOf("gateways:", StringComparison.Ordinal))..];
            if (listed is not null && silos.All(s => listed.Contains($":{s.GatewayPort}:")))
                return;
            await Task.Delay(250);
        }
        throw new TimeoutException($"{api.Process.Name} did not list the gateways of {string.Join(", ", silos.Select(s => $"silo-{s.Number} (:{s.GatewayPort})"))} "
            + $"within {timeout.TotalSeconds:0} s; its last gateway list: {last ?? "none logged"}");
    }

    /// <summary>
    /// SIGTERM to the Apis and then to every silo. Returns what did not go cleanly (needed SIGKILL, or an
    /// exit code other than 0 from any process this cluster ever started); empty when all went well.
    /// </summary>
    public async Task<IReadOnlyList<string>> StopAllAsync()
    {
        var unclean = new List<string>();
        var apis = _apis.Where(a => !a.Process.HasExited).ToArray();
        var apisStopped = await Task.WhenAll(apis.Select(a => a.Process.StopAsync(StopGrace)));
        for (var i = 0; i < apis.Length; i++)
            if (!apisStopped[i]) unclean.Add($"{apis[i].Process.Name} needed SIGKILL");
        _apis.Clear();
        Api = null;
        var silos = _silos.ToArray();
        var stopped = await Task.WhenAll(silos.Select(s => s.Process.StopAsync(StopGrace)));
        for (var i = 0; i < silos.Length; i++)
            if (!stopped[i]) unclean.Add($"{silos[i].Process.Name} needed SIGKILL");
        _silos.Clear();
        unclean.AddRange(_started.Where(p => p.ExitCode != 0).Select(p => $"{p.Name} {p.ExitDescription}"));
        return unclean;
    }

    /// <summary>Graceful stop of one silo; true when it exited by itself within the grace period.</summary>
    public async Task<bool> StopSiloAsync(SiloProcess silo)
    {
        _silos.Remove(silo);
        return await silo.Process.StopAsync(StopGrace);
    }

    /// <summary>SIGKILL of one silo: it leaves its membership entry and its activations behind.</summary>
    public async Task KillSiloAsync(SiloProcess silo)
    {
        _silos.Remove(silo);
        await silo.Process.KillAsync();
    }

    /// <summary>SIGKILL of an Api process; <see cref="StartApiAsync"/> may then start a new one.</summary>
    public async Task KillApiAsync(ApiProcess api)
    {
        _apis.Remove(api);
        if (Api == api) Api = null;
        await api.Process.KillAsync();
    }

    /// <summary>Which silo hosts each patient grain right now (null: not active anywhere).</summary>
    public Task<Dictionary<Guid, SiloProcess?>> PatientGrainHostsAsync(IEnumerable<Guid> patientIds) =>
        GrainHostsAsync<IPatientGrain>(patientIds);

    /// <summary>
    /// Which silo hosts each <typeparamref name="TGrain"/> grain right now (null: not active anywhere), asked
    /// of the cluster by a separate Orleans client of the test's own, so the Api is not involved.
    /// </summary>
    public async Task<Dictionary<Guid, SiloProcess?>> GrainHostsAsync<TGrain>(IEnumerable<Guid> ids) where TGrain : IGrainWithGuidKey
    {
        var client = (await Observer()).Services.GetRequiredService<IClusterClient>();
        var management = client.GetGrain<IManagementGrain>(0);
        var hosts = new Dictionary<Guid, SiloProcess?>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        foreach (var id in ids)
        {
            while (true)
            {
                try
                {
                    var address = await management.GetActivationAddress(client.GetGrain<TGrain>(id));
                    hosts[id] = address is null ? null : _silos.FirstOrDefault(s => s.SiloPort == address.Endpoint.Port);
                    break;
                }
                // This client learns of new gateways only by polling Redis: after the ones it knew have gone,
                // a call or two can fail before it has found the others.
                catch (Exception e) when (DateTime.UtcNow < deadline
                    && e is Orleans.Runtime.Messaging.ConnectionFailedException or SiloUnavailableException or OrleansMessageRejectionException)
                {
                    await Task.Delay(500);
                }
            }
        }
        return hosts;
    }

    private async Task<IHost> Observer()
    {
        if (_observer is not null) return _observer;
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = ClusterId;
                o.ServiceId = ServiceId;
            });
            client.UseRedisClustering(Redis);
        });
        var host = builder.Build();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.StartAsync(cts.Token);
        return _observer = host;
    }

    /// <summary>The output of every process this cluster started, for failure messages.</summary>
    public string Diagnostics() =>
        $"cluster {ClusterId} / service {ServiceId}\n" + string.Join("\n", _started.Select(p => p.Output));

    public async ValueTask DisposeAsync()
    {
        if (_observer is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await _observer.StopAsync(cts.Token); } catch (Exception) { /* the cluster may be gone already */ }
            _observer.Dispose();
        }
        foreach (var http in _clients) http.Dispose();
        // Short grace: a test that got here by failing should not wait long for a wedged process.
        await Task.WhenAll(_started.Select(async p =>
        {
            try { await p.StopAsync(TimeSpan.FromSeconds(10)); }
            catch (Exception) { /* StopAsync already escalated to SIGKILL; nothing more can be done here */ }
        }));
    }

    private ChildProcess Launch(string name, string dll, string[] args, Dictionary<string, string?> env)
    {
        var process = ChildProcess.Start(name, dll, args, env);
        _started.Add(process);
        return process;
    }

    private Dictionary<string, string?> CommonEnvironment() => new()
    {
        ["ConnectionStrings__Postgres"] = TestEnvironment.Postgres,
        ["ConnectionStrings__Redis"] = Redis,
        ["Orleans__ClusterId"] = ClusterId,
        ["Orleans__ServiceId"] = ServiceId,
        ["Jwt__SigningKey"] = TestEnvironment.JwtKey,
        ["Admin__Email"] = ApiFactory.AdminEmail,
        ["Admin__Password"] = ApiFactory.AdminPassword,
        ["RateLimiting__AuthPermitsPerWindow"] = "100000",
        ["RateLimiting__UserRequestsPerMinute"] = "1000000",
        ["RateLimiting__ModelCallsPerMinute"] = "1000000",
        ["DOTNET_ENVIRONMENT"] = "Testing",
        ["ASPNETCORE_ENVIRONMENT"] = "Testing",
        // One line per log entry, so that the kept tail of the output reads in order.
        ["Logging__Console__FormatterName"] = "simple",
        ["Logging__Console__FormatterOptions__SingleLine"] = "true",
        // The Api's view of the gateways, for WaitUntilApiKnowsGatewaysAsync (one line per list refresh).
        ["Logging__LogLevel__Orleans.Messaging.GatewayManager"] = "Debug",
        // Its dump of every option would push the interesting lines out of the kept tail.
        ["Logging__LogLevel__Orleans.Runtime.SiloOptionsLogger"] = "Warning",
    };

    [GeneratedRegex(@"^(\d+) active silo")]
    private static partial Regex ActiveSilos();
}

public sealed class ProcessTestException(Exception inner, string diagnostics)
    : Exception(inner.Message + "\n\n" + diagnostics, inner);
