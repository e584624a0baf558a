using System.Security.Claims;
using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HealthActors.Api.Endpoints;

public sealed record RoleChangeRequest(string? Role);

public static class AccountEndpoints
{
    public const string AdminPolicy = Setup.Policies.Admin;

    public static void MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/me", Me).WithName("GetMe").WithTags("Auth").RequireAuthorization().WithSummary("Who I am.");

        var admin = app.MapGroup("/api/admin/users").WithTags("Admin").RequireAuthorization(AdminPolicy);
        admin.MapGet("/", FindByEmail).WithName("FindUserByEmail").WithSummary("Find a user by email (admin).");
        admin.MapGet("/{userId:guid}", GetUser).WithName("GetUser").WithSummary("A user's account (admin).");
        admin.MapPost("/{userId:guid}/role", ChangeRole).WithName("ChangeUserRole").WithSummary("Change a user's role: patient, doctor or admin (admin, audited).");
    }

    private static async Task<Results<Ok<UserSummary>, ProblemHttpResult>> Me(ClaimsPrincipal user, IGrainFactory grains)
    {
        var summary = await grains.GetGrain<IAccountGrain>(user.ToCaller().UserId).GetSummary();
        return summary is null ? Problems.NotFound() : TypedResults.Ok(summary);
    }

    private static async Task<Results<Ok<UserSummary>, ValidationProblem, ProblemHttpResult>> FindByEmail(string? email, IGrainFactory grains)
    {
        var errors = new ValidationErrors();
        CredentialRules.ValidateEmail(errors, email);
        if (!errors.IsValid) return TypedResults.ValidationProblem(errors.ToDictionary());
        var userId = await grains.GetGrain<IEmailIndexGrain>(EmailKey.For(email!)).Lookup();
        if (userId is null) return Problems.NotFound();
        var summary = await grains.GetGrain<IAccountGrain>(userId.Value).GetSummary();
        return summary is null ? Problems.NotFound() : TypedResults.Ok(summary);
    }

    private static async Task<Results<Ok<UserSummary>, ProblemHttpResult>> GetUser(Guid userId, IGrainFactory grains)
    {
        var summary = await grains.GetGrain<IAccountGrain>(userId).GetSummary();
        return summary is null ? Problems.NotFound() : TypedResults.Ok(summary);
    }

    private static async Task<Results<Ok<UserSummary>, ValidationProblem, ProblemHttpResult>> ChangeRole(
        Guid userId, RoleChangeRequest body, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (!Roles.IsKnown(body.Role))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["role"] = ["must be one of: " + string.Join(", ", Roles.All)] });
        var summary = await grains.GetGrain<IAccountGrain>(userId).SetRole(body.Role!, user.ToCaller());
        return summary is null ? Problems.NotFound() : TypedResults.Ok(summary);
    }
}
