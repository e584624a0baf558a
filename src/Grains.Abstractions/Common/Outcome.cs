namespace HealthActors.Grains.Abstractions.Common;

/// <summary>
/// Why a command was refused, in domain terms. The Api turns each kind into one HTTP status in one place
/// (OutcomeResults), so a new feature adds a case here instead of another mapper.
/// </summary>
[GenerateSerializer, Alias("ha.common.FailureKind")]
public enum FailureKind
{
    /// <summary>The input breaks a rule: 400 naming the field(s).</summary>
    Invalid = 1,
    /// <summary>No such thing, or not the caller's to see: 404 (the two are not told apart).</summary>
    NotFound = 2,
    /// <summary>The caller may see it but not do this: 403.</summary>
    Forbidden = 3,
    /// <summary>The thing's current state refuses the change (slot taken, auction closed...): 409 with a reason code.</summary>
    Conflict = 4,
    PaymentDeclined = 5,
    PaymentFailed = 6,
    /// <summary>An Idempotency-Key reused with a different request: 422.</summary>
    IdempotencyMismatch = 7,
    /// <summary>Too many changes in too short a time: 429.</summary>
    TooMany = 8,
}

[GenerateSerializer, Immutable, Alias("ha.common.Failure")]
public sealed record Failure(
    [property: Id(0)] FailureKind Kind,
    [property: Id(1)] string? Detail,
    [property: Id(2)] string? Field = null,
    /// <summary>A stable code for clients to branch on (e.g. "SlotTaken"); sent as the problem's "reason".</summary>
    [property: Id(3)] string? Reason = null,
    /// <summary>Every invalid field with its messages, when the input broke several rules at once.</summary>
    [property: Id(4)] IReadOnlyDictionary<string, string[]>? Errors = null,
    /// <summary>Facts a client needs to act on a refusal (e.g. the id of the record a duplicate repeats); sent as problem extensions.</summary>
    [property: Id(5)] IReadOnlyDictionary<string, string>? Extensions = null)
{
    /// <summary>The field errors of an Invalid failure, whichever way it was built.</summary>
    public IDictionary<string, string[]> FieldErrors() =>
        Errors is { Count: > 0 } all
            ? new Dictionary<string, string[]>(all)
            : new Dictionary<string, string[]> { [Field ?? "body"] = [Detail ?? "is invalid"] };
}

/// <summary>The result of a state-changing grain call: the value, or why nothing was done.</summary>
[GenerateSerializer, Immutable, Alias("ha.common.Outcome`1")]
public sealed record Outcome<T>([property: Id(0)] T? Value, [property: Id(1)] Failure? Failure)
{
    public bool IsOk => Failure is null;

    public static Outcome<T> Ok(T value) => new(value, null);

    public static Outcome<T> Fail(FailureKind kind, string? detail, string? field = null, string? reason = null) =>
        new(default, new Failure(kind, detail, field, reason));

    /// <summary>Lets a grain write <c>return Outcome.NotFound();</c> whatever its value type.</summary>
    public static implicit operator Outcome<T>(Failure failure) => new(default, failure);
}

/// <summary>Factories for the usual failures, so call sites read as what happened.</summary>
public static class Outcome
{
    public static Outcome<T> Ok<T>(T value) => Outcome<T>.Ok(value);

    public static Failure Invalid(string field, string detail) => new(FailureKind.Invalid, detail, field);

    public static Failure Invalid(ValidationErrors errors)
    {
        var all = errors.ToDictionary();
        var first = all.First();
        return new Failure(FailureKind.Invalid, first.Value[0], first.Key, null, new Dictionary<string, string[]>(all));
    }

    public static Failure NotFound(string? detail = null) => new(FailureKind.NotFound, detail);

    public static Failure Forbidden(string detail) => new(FailureKind.Forbidden, detail);

    public static Failure Conflict(string reason, string detail, string? field = null) => new(FailureKind.Conflict, detail, field, reason);

    public static Failure PaymentDeclined(string detail) => new(FailureKind.PaymentDeclined, detail);

    public static Failure PaymentFailed(string detail) => new(FailureKind.PaymentFailed, detail);

    public static Failure IdempotencyMismatch() =>
        new(FailureKind.IdempotencyMismatch, "This Idempotency-Key was used with a different request.");

    public static Failure TooMany(string detail) => new(FailureKind.TooMany, detail);
}

/// <summary>
/// A caller reached something that is not theirs. The Api answers 404, as if it did not exist. The app's own
/// type, because the framework throws UnauthorizedAccessException for unrelated reasons (file access, keys).
/// </summary>
[GenerateSerializer, Alias("ha.common.AccessDeniedException")]
public sealed class AccessDeniedException : Exception
{
    public AccessDeniedException() : base("Not found.") { }

    public AccessDeniedException(string message) : base(message) { }
}
