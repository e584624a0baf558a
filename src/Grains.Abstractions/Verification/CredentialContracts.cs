using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using Orleans.Concurrency;

namespace HealthActors.Grains.Abstractions.Verification;

/// <summary>What a doctor sends to prove who they are. Every field nullable so a missing one is a 400 naming it.</summary>
[GenerateSerializer, Immutable, Alias("ha.verification.CredentialSubmission")]
public sealed record CredentialSubmission
{
    [Id(0)] public string? LicenseNumber { get; init; }
    [Id(1)] public string? IssuingAuthority { get; init; }
    [Id(2)] public string? Institution { get; init; }
    [Id(3)] public string? Degree { get; init; }
    [Id(4)] public int? GraduationYear { get; init; }
    [Id(5)] public Guid[]? AttachmentIds { get; init; }
}

/// <summary>The statuses a submission goes through: pending, then approved or rejected, once.</summary>
public static class CredentialStatus
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public static readonly IReadOnlyList<string> All = [Pending, Approved, Rejected];
}

/// <summary>One credential submission as stored, with its review.</summary>
[GenerateSerializer, Immutable, Alias("ha.verification.CredentialRecord")]
public sealed record CredentialRecord(
    [property: Id(0)] Guid Id,
    [property: Id(1)] Guid DoctorId,
    [property: Id(2)] string LicenseNumber,
    [property: Id(3)] string IssuingAuthority,
    [property: Id(4)] string Institution,
    [property: Id(5)] string Degree,
    [property: Id(6)] int GraduationYear,
    [property: Id(7)] IReadOnlyList<Guid> AttachmentIds,
    [property: Id(8)] string Status,
    [property: Id(9)] DateTimeOffset SubmittedAt,
    [property: Id(10)] DateTimeOffset? DecidedAt = null,
    [property: Id(11)] Guid? DecidedBy = null,
    [property: Id(12)] string? Reason = null);

/// <summary>Submissions of one status, oldest first (the review queue order), with the total for paging.</summary>
[GenerateSerializer, Immutable, Alias("ha.verification.CredentialPage")]
public sealed record CredentialPage(
    [property: Id(0)] IReadOnlyList<CredentialRecord> Items,
    [property: Id(1)] int PageNumber,
    [property: Id(2)] int PageSize,
    [property: Id(3)] int Total);

public static class DoctorCredentialRules
{
    public const int MaxAttachments = 10;
    public const int FirstGraduationYear = 1950;
    public const int MaxReasonLength = 1000;

    public static ValidationErrors Validate(CredentialSubmission? s, int currentYear)
    {
        var e = new ValidationErrors();
        if (s is null) { e.Add("body", "is required"); return e; }
        if (s.LicenseNumber is null) e.Add("licenseNumber", "is required");
        else if (!CatalogRules.IsLicenseNumber(s.LicenseNumber)) e.Add("licenseNumber", "must be 3 to 32 letters, digits, dots, slashes or dashes");
        e.Text("issuingAuthority", s.IssuingAuthority, 200, required: true);
        e.Text("institution", s.Institution, 200, required: true);
        e.Text("degree", s.Degree, 100, required: true);
        if (s.GraduationYear is null) e.Add("graduationYear", "is required");
        else if (s.GraduationYear < FirstGraduationYear || s.GraduationYear > currentYear)
            e.Add("graduationYear", $"must be between {FirstGraduationYear} and {currentYear}");
        if (s.AttachmentIds is { } ids)
        {
            if (ids.Length > MaxAttachments) e.Add("attachmentIds", $"must have at most {MaxAttachments} items");
            else if (ids.Any(id => id == Guid.Empty)) e.Add("attachmentIds", "must not contain an empty id");
            else if (ids.Distinct().Count() != ids.Length) e.Add("attachmentIds", "must not repeat an id");
        }
        return e;
    }

    /// <summary>A rejection must tell the doctor why; an approval may carry a note.</summary>
    public static ValidationErrors ValidateDecision(bool approve, string? reason)
    {
        var e = new ValidationErrors();
        e.Text("reason", reason, MaxReasonLength, required: !approve, multiline: true);
        return e;
    }
}

/// <summary>The refusal every doctor-only practice gives an unverified doctor, so clients branch on one reason.</summary>
public static class DoctorVerification
{
    public const string NotVerifiedReason = "DoctorNotVerified";
    public const string PendingReason = "CredentialsPending";
    public const string AlreadyDecidedReason = "AlreadyDecided";

    public static Failure NotVerified() =>
        new(FailureKind.Forbidden, "Only verified doctors may do this: submit your credentials for review.", null, NotVerifiedReason);
}

/// <summary>One doctor's credential submissions: the single writer that keeps at most one pending.</summary>
[Alias("ha.verification.ICredentialsGrain")]
public interface ICredentialsGrain : IGrainWithGuidKey
{
    /// <summary>By the doctor themselves; validated here whatever the endpoint checked.</summary>
    [Alias("Submit")] Task<Outcome<CredentialRecord>> Submit(Caller caller, CredentialSubmission submission);
    /// <summary>The doctor's submissions, newest first; null when the caller is not that doctor.</summary>
    [Alias("List")] Task<IReadOnlyList<CredentialRecord>?> List(Caller caller);
    /// <summary>An admin's decision on one of this doctor's submissions; a submission is decided once (409 after).</summary>
    [Alias("Decide")] Task<Outcome<CredentialRecord>> Decide(Caller admin, Guid submissionId, bool approve, string? reason);
}

/// <summary>The admins' review queue across all doctors.</summary>
[Alias("ha.verification.ICredentialReviewGrain")]
public interface ICredentialReviewGrain : IGrainWithIntegerKey
{
    [Alias("List")] Task<CredentialPage> List(Caller admin, string status, int page, int pageSize);
    /// <summary>Finds the submission's doctor and lets that doctor's grain decide.</summary>
    [Alias("Decide")] Task<Outcome<CredentialRecord>> Decide(Caller admin, Guid submissionId, bool approve, string? reason);
}
