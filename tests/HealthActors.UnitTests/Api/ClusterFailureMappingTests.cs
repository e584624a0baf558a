using HealthActors.Api.Errors;
using Orleans.Runtime.Messaging;

namespace HealthActors.UnitTests.Api;

/// <summary>
/// What the Api's Orleans client throws while a silo is dying, seen in the process tests (ScaleOutTests) only when
/// the timing is right: pinned here so that it never again becomes a 500.
/// </summary>
public sealed class ClusterFailureMappingTests
{
    public static TheoryData<Exception> ClusterUnavailable() =>
    [
        new ConnectionFailedException("Unable to connect to endpoint S127.0.0.1:30000:0."),
        new GatewayTooBusyException(),
        new SiloUnavailableException(),
        new TimeoutException(),
    ];

    [Theory]
    [MemberData(nameof(ClusterUnavailable))]
    public void An_unreachable_cluster_is_a_503_not_a_500(Exception exception)
    {
        var (status, problem) = ApiExceptionHandler.Map(exception);
        Assert.Equal(503, status);
        Assert.DoesNotContain("S127.0.0.1", problem.Title + problem.Detail);
    }
}
