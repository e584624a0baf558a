using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace HealthActors.Tests.Processes;

[Collection(ProcessCollection.Name)]
public sealed class DurabilityTests(ITestOutputHelper output)
{
    [Fact]
    public Task Accounts_profiles_and_refresh_tokens_survive_stopping_every_process() => ProcessCluster.RunAsync(async cluster =>
    {
        var clock = Stopwatch.StartNew();
        cluster.StartSilo();
        var api = await cluster.StartApiAsync(activeSilos: 1);
        output.WriteLine($"first silo + Api ready after {clock.Elapsed.TotalSeconds:0.0} s");

        var user = await api.Http.RegisterAsync(name: "Durable Patient");
        var stored = await Patients.PutAsync(api.Http, user, Patients.FullProfile(1));
        var before = await Patients.GetAsync(api.Http, user.Tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, before.Status);
        Assert.True(JsonNode.DeepEquals(stored, before.Body), $"PUT answered {stored.ToJsonString()}, GET {before.Raw}");

        var unclean = await cluster.StopAllAsync();
        Assert.True(unclean.Count == 0, "SIGTERM should stop every process cleanly: " + string.Join("; ", unclean));
        output.WriteLine($"everything stopped after {clock.Elapsed.TotalSeconds:0.0} s");

        // Nothing of the first generation is left: whatever is read now comes from PostgreSQL.
        cluster.StartSilo();
        api = await cluster.StartApiAsync(activeSilos: 1);
        output.WriteLine($"fresh silo + Api ready after {clock.Elapsed.TotalSeconds:0.0} s");

        var tokens = await api.Http.LoginAsync(user.Email, user.Password);
        Assert.Equal(user.Id, tokens.UserId);
        var after = await Patients.GetAsync(api.Http, tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, after.Status);
        Assert.True(JsonNode.DeepEquals(before.Body, after.Body), $"before the restart {before.Raw}\nafter {after.Raw}");

        // The refresh token issued before the restart is redeemable once more, and only once.
        var refresh = await api.Http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.Tokens.RefreshToken });
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        await (await api.Http.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = user.Tokens.RefreshToken }))
            .ProblemAsync(HttpStatusCode.Unauthorized);

        // A wrong password is still refused: the restart did not reset the stored hash.
        await (await api.Http.PostAsJsonAsync("/api/auth/login", new { email = user.Email, password = "not-the-password" }))
            .ProblemAsync(HttpStatusCode.Unauthorized);
        output.WriteLine($"done after {clock.Elapsed.TotalSeconds:0.0} s");
    });
}
