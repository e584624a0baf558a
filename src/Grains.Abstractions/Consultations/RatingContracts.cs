using HealthActors.Grains.Abstractions.Common;
using Orleans.Concurrency;

namespace HealthActors.Grains.Abstractions.Consultations;

/// <summary>A patient's rating of a closed consultation. Nullable so that a missing rating is a 400 naming it.</summary>
[GenerateSerializer, Immutable, Alias("ha.consult.RatingRequest")]
public sealed record RatingRequest
{
    [Id(0)] public int? Rating { get; init; }
    [Id(1)] public string? Comment { get; init; }
}

/// <summary>A stored rating, as its patient gets it back.</summary>
[GenerateSerializer, Immutable, Alias("ha.consult.ConsultationRating")]
public sealed record ConsultationRating(
    [property: Id(0)] Guid ConsultationId,
    [property: Id(1)] Guid DoctorId,
    [property: Id(2)] int Rating,
    [property: Id(3)] string? Comment,
    [property: Id(4)] DateTimeOffset CreatedAt);

/// <summary>A rating as the public reads it on the doctor's page: no patient and no consultation, so nobody learns who saw whom.</summary>
[GenerateSerializer, Immutable, Alias("ha.consult.DoctorReview")]
public sealed record DoctorReview(
    [property: Id(0)] int Rating,
    [property: Id(1)] string? Comment,
    [property: Id(2)] DateTimeOffset CreatedAt);

[GenerateSerializer, Immutable, Alias("ha.consult.DoctorReviewPage")]
public sealed record DoctorReviewPage(
    [property: Id(0)] IReadOnlyList<DoctorReview> Items,
    [property: Id(1)] int PageNumber,
    [property: Id(2)] int PageSize,
    [property: Id(3)] int Total);

/// <summary>A doctor's real ratings summed up: the average (0 while there are none) and how many there are.</summary>
[GenerateSerializer, Immutable, Alias("ha.consult.RatingAggregate")]
public sealed record RatingAggregate([property: Id(0)] double Average, [property: Id(1)] int Count)
{
    public static readonly RatingAggregate None = new(0, 0);
}

public static class RatingRules
{
    public const int Min = 1;
    public const int Max = 5;
    public const int MaxCommentLength = 1000;

    public static ValidationErrors Validate(RatingRequest? r)
    {
        var e = new ValidationErrors();
        if (r is null) { e.Add("body", "is required"); return e; }
        if (r.Rating is null) e.Add("rating", "is required");
        else if (r.Rating is < Min or > Max) e.Add("rating", $"must be a whole number from {Min} to {Max}");
        e.Text("comment", r.Comment, MaxCommentLength, multiline: true);
        return e;
    }

    /// <summary>The comment as stored: normalized and trimmed, and null when nothing is left.</summary>
    public static string? CleanComment(string? comment) =>
        TextNormalization.Normalize(comment)?.Trim() is { Length: > 0 } text ? text : null;

    /// <summary>What the catalog shows: the mean to two decimals, 0 for a doctor nobody rated yet.</summary>
    public static double Shown(RatingAggregate a) => a.Count == 0 ? 0 : Math.Round(a.Average, 2, MidpointRounding.AwayFromZero);
}
