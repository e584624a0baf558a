using System.Diagnostics;

namespace HealthActors.TestKit;

public static class Poll
{
    /// <summary>Polls until the condition holds; after the timeout it throws with the description.</summary>
    public static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe, TimeSpan? every = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await condition()) return;
            if (clock.Elapsed > timeout) throw new TimeoutException($"not reached within {timeout.TotalSeconds:0} s: {describe()}");
            await Task.Delay(every ?? TimeSpan.FromMilliseconds(100));
        }
    }
}
