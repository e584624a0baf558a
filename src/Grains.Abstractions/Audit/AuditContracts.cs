using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;

namespace HealthActors.Grains.Abstractions.Audit;

/// <summary>
/// One audited event as a reader sees it. <see cref="Denied"/> is true for an attempt that was refused;
/// <see cref="Basis"/> and <see cref="AppointmentId"/> say which grant allowed a read ("owner" never appears:
/// the patient's own reads are not audited).
/// </summary>
[GenerateSerializer, Immutable, Alias("ha.audit.AuditEntry")]
public sealed record AuditEntry(
    [property: Id(0)] long Id,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] Guid ActorId,
    [property: Id(3)] string ActorRole,
    [property: Id(4)] string? ActorName,
    [property: Id(5)] string Action,
    [property: Id(6)] Guid? SubjectId,
    [property: Id(7)] bool Denied,
    [property: Id(8)] string? Basis,
    [property: Id(9)] Guid? AppointmentId,
    [property: Id(10)] string? Detail);

/// <summary>A time window and a keyset position (the last entry's at and id), newest first.</summary>
[GenerateSerializer, Immutable, Alias("ha.audit.AuditQuery")]
public sealed record AuditQuery(
    [property: Id(0)] Guid? SubjectId,
    [property: Id(1)] DateTimeOffset? From,
    [property: Id(2)] DateTimeOffset? To,
    [property: Id(3)] int Limit,
    [property: Id(4)] DateTimeOffset? BeforeAt = null,
    [property: Id(5)] long? BeforeId = null);

[GenerateSerializer, Immutable, Alias("ha.audit.AuditPage")]
public sealed record AuditPage(
    [property: Id(0)] IReadOnlyList<AuditEntry> Items,
    [property: Id(1)] string? NextCursor);

public static class AuditRules
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static string EncodeCursor(DateTimeOffset at, long id) =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{at.UtcTicks}:{id}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static (DateTimeOffset At, long Id)? DecodeCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor) || cursor.Length > 64) return null;
        try
        {
            var b64 = cursor.Replace('-', '+').Replace('_', '/');
            b64 += new string('=', (4 - b64.Length % 4) % 4);
            var parts = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(b64)).Split(':');
            if (parts.Length == 2
                && long.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks)
                && ticks <= DateTimeOffset.MaxValue.UtcTicks
                && long.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
                return (new DateTimeOffset(ticks, TimeSpan.Zero), id);
        }
        catch (FormatException)
        {
        }
        return null;
    }

    /// <summary>
    /// The grant part of an audit row's detail as <c>PatientGrain.AuthorizeRead</c> writes it: "basis" or
    /// "basis appointment-id"; anything else (free text of other events) has no basis.
    /// </summary>
    public static (string? Basis, Guid? AppointmentId) ParseGrant(string? detail)
    {
        if (string.IsNullOrEmpty(detail)) return (null, null);
        var parts = detail.Split(' ');
        if (!ReadGrantBases.Contains(parts[0])) return (null, null);
        return parts.Length == 2 && Guid.TryParse(parts[1], out var id) ? (parts[0], id) : parts.Length == 1 ? (parts[0], null) : (null, null);
    }

    private static readonly HashSet<string> ReadGrantBases = new(StringComparer.Ordinal) { "admin", "appointment", "consent" };
}

/// <summary>Reads the audit trail; any activation serves any caller, and every answer is checked against the caller here.</summary>
[Alias("ha.audit.IAuditQueryGrain")]
public interface IAuditQueryGrain : IGrainWithIntegerKey
{
    /// <summary>Who read or tried to read <paramref name="caller"/>'s own data: the patient's access log.</summary>
    [Alias("AccessLog")] Task<AuditPage> AccessLog(Caller caller, AuditQuery query);

    /// <summary>The audit trail for admins, optionally for one subject. The admin's own read is audited first; anyone else: Forbidden.</summary>
    [Alias("Search")] Task<Outcome<AuditPage>> Search(Caller caller, AuditQuery query);
}
