using HealthActors.Api.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace HealthActors.UnitTests.Api;

/// <summary>
/// A POST /api/consultations once answered 500 under load: the grain's reminder registration timed out. Timeouts
/// and rejections from Orleans and from the reminder store reach the Api bare or wrapped (the grain call fails with
/// them inside), and each must read as 503 with Retry-After, like a database blip.
/// </summary>
public sealed class ClusterTimeoutMappingTests
{
    public static TheoryData<string, Exception> Transient() => new()
    {
        { "timeout", new TimeoutException("Response did not arrive on time.") },
        { "message rejected", Rejection("Forwarding failed: tried to forward message too many times.") },
        { "silo unavailable", new SiloUnavailableException("The target silo became unavailable for message.") },
        { "reminder registration timed out", new OrleansException("Failed to register reminder expiry.", new TimeoutException()) },
        { "rejection inside an aggregate", new AggregateException(new InvalidOperationException("first"), Rejection("rejected")) },
        { "silo unavailable, wrapped twice", new InvalidOperationException("outer", new OrleansException("middle", new SiloUnavailableException())) },
        { "reminder table timed out", new OrleansException("Upsert failed.", new RedisTimeoutException("Timeout awaiting response", CommandStatus.Sent)) },
        { "reminder table unreachable", new RedisConnectionException(ConnectionFailureType.UnableToConnect, "No connection is available.") },
    };

    [Theory]
    [MemberData(nameof(Transient))]
    public async Task Is_a_503_with_retry_after(string what, Exception exception)
    {
        var http = new DefaultHttpContext();
        var handler = new ApiExceptionHandler(new RecordingProblems(), NullLogger<ApiExceptionHandler>.Instance);

        Assert.True(await handler.TryHandleAsync(http, exception, CancellationToken.None), what);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, http.Response.StatusCode);
        Assert.Equal("2", http.Response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public void A_bug_with_no_timeout_inside_stays_a_500()
    {
        var (status, _) = ApiExceptionHandler.Map(new OrleansException("Grain method threw.", new NullReferenceException()));
        Assert.Equal(StatusCodes.Status500InternalServerError, status);
        Assert.Equal(StatusCodes.Status500InternalServerError,
            ApiExceptionHandler.Map(new AggregateException(new InvalidOperationException(), new ArgumentException())).Status);
    }

    /// <summary>Only the Orleans runtime makes these (the constructor is internal), as the client does for a rejected message.</summary>
    private static OrleansMessageRejectionException Rejection(string message) =>
        (OrleansMessageRejectionException)Activator.CreateInstance(typeof(OrleansMessageRejectionException),
            System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic, null, [message], null)!;

    private sealed class RecordingProblems : IProblemDetailsService
    {
        public ValueTask WriteAsync(ProblemDetailsContext context) => ValueTask.CompletedTask;
        public ValueTask<bool> TryWriteAsync(ProblemDetailsContext context) => ValueTask.FromResult(true);
    }
}
