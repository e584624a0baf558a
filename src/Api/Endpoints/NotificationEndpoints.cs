using System.Security.Claims;
using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Notifications;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace HealthActors.Api.Endpoints;

public static class NotificationEndpoints
{
    public static void MapNotificationEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/notifications").WithTags("Notifications").RequireAuthorization();
        group.MapGet("/", List).WithName("ListNotifications").WithSummary("My notifications, newest first, with the unread count.");
        group.MapPost("/{notificationId:guid}/read", MarkRead).WithName("MarkNotificationRead").WithSummary("Mark one of my notifications read.");
    }

    private static async Task<Results<Ok<InboxPage>, ValidationProblem>> List(ClaimsPrincipal user, IGrainFactory grains, [AsParameters] PageQuery paging, bool? unreadOnly)
    {
        if (paging.Invalid() is { } invalid) return invalid;
        return TypedResults.Ok(await grains.GetGrain<IInboxGrain>(user.ToCaller().UserId).List(paging.Number, paging.Size, unreadOnly ?? false));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> MarkRead(Guid notificationId, ClaimsPrincipal user, IGrainFactory grains) =>
        await grains.GetGrain<IInboxGrain>(user.ToCaller().UserId).MarkRead(notificationId) ? TypedResults.NoContent() : Problems.NotFound();
}
