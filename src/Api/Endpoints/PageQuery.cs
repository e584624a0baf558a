using HealthActors.Grains.Abstractions.Common;
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
