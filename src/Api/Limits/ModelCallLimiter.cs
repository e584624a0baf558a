using System.Threading.RateLimiting;
using HealthActors.Grains.Abstractions.Chat;

namespace HealthActors.Api.Limits;

/// <summary>
/// Each user's budget of requests that may reach the language model (chat messages and orientations), per
/// minute: the model is the one cost that a single account can run up without bound. Text with a red flag
/// never counts against it: those are answered by rules, without the model, and must always get through.
/// </summary>
public sealed class ModelCallLimiter : IDisposable
{
    public const string Setting = "RateLimiting:ModelCallsPerMinute";

    private readonly PartitionedRateLimiter<Guid> _limiter;

    public ModelCallLimiter(IConfiguration config)
    {
        var window = new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, config.GetValue(Setting, 20)),
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        };
        _limiter = PartitionedRateLimiter.Create<Guid, Guid>(userId => RateLimitPartition.GetFixedWindowLimiter(userId, _ => window));
    }

    /// <summary>Null when the call may go ahead; otherwise how long until the user's budget refills.</summary>
    public TimeSpan? TryTake(Guid userId, string text)
    {
        if (RedFlags.Detect(text) is not null) return null;
        using var lease = _limiter.AttemptAcquire(userId);
        if (lease.IsAcquired) return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : TimeSpan.FromMinutes(1);
    }

    public static int Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));

    public void Dispose() => _limiter.Dispose();
}
