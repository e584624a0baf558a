using HealthActors.Grains.Abstractions.Audit;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using Orleans.Concurrency;

namespace HealthActors.Grains.Audit;

/// <summary>
/// Reads the audit table for the patient's access log and the admins' search. Stateless: the table is the
/// truth, and whose rows a caller may see is decided here from the caller alone.
/// </summary>
[StatelessWorker]
public sealed class AuditQueryGrain(IAuditLog audit, TimeProvider time) : Grain, IAuditQueryGrain
{
    public async Task<AuditPage> AccessLog(Caller caller, AuditQuery query) =>
        // The subject is the caller, whatever the query says: a patient reads only their own log.
        await Read(query with { SubjectId = caller.UserId });

    public async Task<Outcome<AuditPage>> Search(Caller caller, AuditQuery query)
    {
        if (!caller.IsAdmin) return Outcome.Forbidden("Only admins read the audit trail.");
        // Reading who read what is itself a read of patients' data: on the record before the answer leaves.
        await audit.Record(new AuditEvent(time.GetUtcNow(), caller.UserId, caller.Role, "audit.read", query.SubjectId, "admin"));
        return Outcome.Ok(await Read(query));
    }

    private async Task<AuditPage> Read(AuditQuery query)
    {
        var limit = Math.Clamp(query.Limit, 1, AuditRules.MaxLimit);
        // One row more than asked tells whether another page exists without a count.
        var rows = await audit.Page(query with { Limit = limit + 1 });
        var page = rows.Take(limit).ToList();
        var names = await DoctorNames(page);
        var items = page.Select(s =>
        {
            var e = s.Event;
            var (basis, appointmentId) = AuditRules.ParseGrant(e.Detail);
            return new AuditEntry(s.Id, e.At, e.ActorId, e.ActorRole, names.GetValueOrDefault(e.ActorId), e.Action, e.SubjectId,
                e.Action.EndsWith(".denied", StringComparison.Ordinal), basis, appointmentId, e.Detail);
        }).ToList();
        var next = rows.Count > limit ? AuditRules.EncodeCursor(page[^1].Event.At, page[^1].Id) : null;
        return new AuditPage(items, next);
    }

    /// <summary>Doctors' display names are one in-memory grain call each; other roles have no public name and show none.</summary>
    private async Task<Dictionary<Guid, string>> DoctorNames(IEnumerable<StoredAuditEvent> rows)
    {
        var names = new Dictionary<Guid, string>();
        foreach (var doctorId in rows.Where(r => r.Event.ActorRole == Roles.Doctor).Select(r => r.Event.ActorId).Distinct())
            if (await GrainFactory.GetGrain<IDoctorGrain>(doctorId).GetProfile() is { } profile)
                names[doctorId] = profile.Name;
        return names;
    }
}
