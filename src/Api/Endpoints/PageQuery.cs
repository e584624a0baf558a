using System.Globalization;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Records;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace HealthActors.Api.Endpoints;

/// <summary>The paging query of every list endpoint (<c>?page=&amp;pageSize=</c>), bound with [AsParameters].</summary>
public sealed record PageQuery([FromQuery(Name = "page")] int? Page, [FromQuery(Name = "pageSize")] int? PageSize)
{
    public const int MaxPage = 10_000;
    public const int MaxPageSize = 100;
    public const int DefaultPageSize = 20;

    public int Number => Page ?? 1;
    public int Size => PageSize ?? DefaultPageSize;

    /// <summary>Adds the paging errors to <paramref name="e"/>, for endpoints that check other parameters too.</summary>
    public void Validate(ValidationErrors e)
    {
        if (Page is < 1 or > MaxPage) e.Add("page", $"must be between 1 and {MaxPage}");
        if (PageSize is < 1 or > MaxPageSize) e.Add("pageSize", $"must be between 1 and {MaxPageSize}");
    }

    /// <summary>A 400 naming page and/or pageSize, or null when both are in range.</summary>
    public ValidationProblem? Invalid()
    {
        var e = new ValidationErrors();
        Validate(e);
        return e.IsValid ? null : TypedResults.ValidationProblem(e.ToDictionary());
    }
}

/// <summary>
/// The parts shared by the keyset lists (records, alarms, audit): a time window and a page size given as text,
/// so that "abc" or "1e3" is named in the 400 rather than failing binding without saying which field.
/// </summary>
public static class KeysetQuery
{
    public static (DateTimeOffset? From, DateTimeOffset? To) Window(ValidationErrors e, string? from, string? to)
    {
        var fromAt = HealthRecordRules.QueryInstant(e, "from", from);
        var toAt = HealthRecordRules.QueryInstant(e, "to", to);
        if (fromAt is { } f && toAt is { } t && t < f) e.Add("to", "must not be before from");
        return (fromAt, toAt);
    }

    public static int Limit(ValidationErrors e, string? limit, int defaultLimit, int maxLimit)
    {
        if (limit is null) return defaultLimit;
        if (int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size is >= 1 && size <= maxLimit) return size;
        e.Add("limit", $"must be a whole number from 1 to {maxLimit}");
        return defaultLimit;
    }
}
