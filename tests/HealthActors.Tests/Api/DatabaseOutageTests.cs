using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using HealthActors.Tests.Processes;
using Npgsql;
using Xunit.Abstractions;

namespace HealthActors.Tests.Api;

/// <summary>The embedded Api with every PostgreSQL connection routed through a <see cref="TcpFaultProxy"/> of its own.</summary>
public sealed class DatabaseOutageFactory : ApiFactory
{
    public TcpFaultProxy Proxy { get; }

    public DatabaseOutageFactory()
    {
        var target = new NpgsqlConnectionStringBuilder(TestEnvironment.Postgres);
        Proxy = new TcpFaultProxy(target.Host ?? "127.0.0.1", target.Port);
    }

    protected override IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["ConnectionStrings:Postgres"] = new NpgsqlConnectionStringBuilder(TestEnvironment.Postgres)
        {
            Host = "127.0.0.1",
            Port = Proxy.Port,
            Timeout = 3,
        }.ConnectionString,
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Proxy.DisposeAsync();
    }
}

public sealed class DatabaseOutageTests(DatabaseOutageFactory factory, ITestOutputHelper output) : IClassFixture<DatabaseOutageFactory>
{
    private const string ProfileUrl = "/api/patients/me/profile";
    private const int Writers = 3;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(2.5);
    private static readonly TimeSpan RecoveryWindow = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task While_the_database_is_cut_writes_answer_503_with_Retry_After_and_afterwards_no_acknowledged_write_is_lost()
    {
        var http = factory.CreateClient();
        var users = new TestUser[Writers];
        for (var i = 0; i < Writers; i++) users[i] = await http.RegisterAsync(name: $"Outage Patient {i}");
        var clock = Stopwatch.StartNew();

        var sequence = 0;
        var acknowledged = new int[Writers];
        var attempted = Enumerable.Range(0, Writers).Select(_ => new ConcurrentBag<int>()).ToArray();
        var okAfterRestore = new bool[Writers];
        var unexpected = new ConcurrentQueue<string>();
        var unavailable = 0;
        var restored = false;
        using var stop = new CancellationTokenSource();

        async Task Write(int i)
        {
            while (!stop.IsCancellationRequested)
            {
                var n = Interlocked.Increment(ref sequence);
                attempted[i].Add(n);
                var restoredBefore = Volatile.Read(ref restored);
                using var response = await http.SendAsync(ApiClientExtensions.Authed(HttpMethod.Put, ProfileUrl, users[i].Tokens.AccessToken, Patients.FullProfile(n)));
                var body = await response.Content.ReadAsStringAsync();
                switch (response.StatusCode)
                {
                    case HttpStatusCode.OK:
                        acknowledged[i] = n;
                        if (restoredBefore) okAfterRestore[i] = true;
                        break;
                    case HttpStatusCode.ServiceUnavailable:
                        Interlocked.Increment(ref unavailable);
                        if (response.Headers.RetryAfter is null || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                            unexpected.Enqueue($"503 without Retry-After or ProblemDetails: {body}");
                        await Task.Delay(100);
                        break;
                    default:
                        unexpected.Enqueue($"{(int)response.StatusCode} at {clock.Elapsed.TotalSeconds:0.0} s: {body}");
                        break;
                }
            }
        }

        var writers = Enumerable.Range(0, Writers).Select(i => Task.Run(() => Write(i))).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.All(acknowledged, n => Assert.True(n > 0, "every writer should have stored something before the cut"));

        factory.Proxy.Cut();
        output.WriteLine($"cut at {clock.Elapsed.TotalSeconds:0.0} s");
        await Task.Delay(Outage);
        // A read of a profile whose write just failed: unavailable or the stored value, never an error.
        var midRead = await Patients.GetAsync(http, users[0].Tokens.AccessToken);
        Assert.True(midRead.Status is HttpStatusCode.ServiceUnavailable or HttpStatusCode.OK, $"read during the cut: {midRead}");
        var unavailableDuringCut = Volatile.Read(ref unavailable);
        factory.Proxy.Restore();
        Volatile.Write(ref restored, true);
        output.WriteLine($"restored at {clock.Elapsed.TotalSeconds:0.0} s after {unavailableDuringCut} answers of 503; proxy refused {factory.Proxy.Refused} connections");

        var sinceRestore = Stopwatch.StartNew();
        while (!okAfterRestore.All(ok => ok) && sinceRestore.Elapsed < RecoveryWindow) await Task.Delay(100);
        var recoveredAfter = sinceRestore.Elapsed;
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        output.WriteLine($"every writer stored again {recoveredAfter.TotalSeconds:0.0} s after the restore; {sequence} writes, {unavailable} answered 503");

        Assert.True(unexpected.IsEmpty, "answers other than 200 or 503 + Retry-After:\n" + string.Join("\n", unexpected));
        Assert.True(unavailableDuringCut > 0, "no write failed while the database was cut: the proxy is not in the path");
        Assert.True(factory.Proxy.Refused > 0, "the silo did not try to reconnect through the proxy during the cut");
        Assert.True(okAfterRestore.All(ok => ok), $"not every writer succeeded within {RecoveryWindow.TotalSeconds:0} s of the restore");

        // What is stored is the last acknowledged write or a later attempt (one whose commit went through but whose
        // answer was lost), never anything older.
        for (var i = 0; i < Writers; i++)
        {
            var read = await Patients.GetAsync(http, users[i].Tokens.AccessToken);
            Assert.Equal(HttpStatusCode.OK, read.Status);
            var stored = int.Parse(read.Body!["firstName"]!.GetValue<string>()["Ana".Length..]);
            Assert.True(stored >= acknowledged[i] && attempted[i].Contains(stored),
                $"writer {i}: last acknowledged {acknowledged[i]}, stored {stored}");
            Assert.True(JsonNode.DeepEquals(Patients.FullProfile(stored)["phone"], read.Body["phone"]), $"writer {i}: a mixed profile {read}");
        }
    }
}
