using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Notifications;

namespace HealthActors.Grains.Notifications;

/// <summary>
/// A notice in the inbox (pushed by /hubs/notifications) of every doctor of a specialty who can act on it: a new
/// auction or a new consultation is news only to the doctors who may answer it.
/// </summary>
public static class SpecialtyNotices
{
    /// <param name="mayAnswer">Per doctor: whether this doctor gets the notice (free slots, verification, ...).</param>
    /// <param name="subjectId">
    /// The auction or consultation: the notice's subject and its dedupe key, so a retried create tells nobody twice.
    /// </param>
    public static async Task Tell(IGrainFactory grains, Guid specialtyId, Func<Guid, Task<bool>> mayAnswer,
        string kind, string title, string body, Guid subjectId)
    {
        var doctors = await grains.GetGrain<IDirectoryGrain>(specialtyId).List();
        await Task.WhenAll(doctors.Select(async d =>
        {
            if (await mayAnswer(d.DoctorId))
                await grains.GetGrain<IInboxGrain>(d.DoctorId).Add(kind, title, body, subjectId, subjectId);
        }));
    }
}
