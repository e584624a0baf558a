using System.Threading.RateLimiting;
using HealthActors.Grains.Abstractions.Chat;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Abstractions.Patients;

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

    private readonly IGrainFactory _grains;
    private readonly TimeProvider _time;

    public ModelCallLimiter(IConfiguration config, IGrainFactory grains, TimeProvider time)
    {
        _grains = grains;
        _time = time;
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

    /// <summary>
    /// As <see cref="TryTake"/>, and before refusing, asks once more with the caller's own age from the profile: a fever
    /// is an emergency in a baby's own account, which the text alone does not show. Only a refusal pays for the profile
    /// read, so the budget stays one in-memory check per message.
    /// </summary>
    public async Task<TimeSpan?> TryTakeAsync(Caller caller, string text)
    {
        if (TryTake(caller.UserId, text) is not { } wait) return null;
        var profile = await _grains.GetGrain<IPatientGrain>(caller.UserId).GetProfile(caller);
        return PatientAge.InDays(profile, _time.GetUtcNow()) is { } days && RedFlags.Detect(text, days) is not null ? null : wait;
    }

    public static int Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));

    public void Dispose() => _limiter.Dispose();
}
