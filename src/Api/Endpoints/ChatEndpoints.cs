using System.Security.Claims;
using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Chat;
using HealthActors.Grains.Abstractions.Common;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HealthActors.Api.Endpoints;

public sealed record StartConversationRequest(string? Title);

public static class ChatEndpoints
{
    public const int MaxPageSize = PageQuery.MaxPageSize;

    public static void MapChatEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/conversations").WithTags("Chat").RequireAuthorization();
        group.MapGet("/", List).WithName("ListConversations").WithSummary("My conversations, most recently active first, paged.");
        group.MapPost("/", Start).WithName("StartConversation").WithSummary("Start a conversation (the hub's StartConversation, over REST).");
        group.MapGet("/search", Search).WithName("SearchConversations").WithSummary("Full-text search over my messages (English and Spanish stemming).");
        group.MapGet("/{conversationId:guid}", Get).WithName("GetConversation").WithSummary("One of my conversations.");
        group.MapGet("/{conversationId:guid}/messages", Messages).WithName("ListConversationMessages").WithSummary("Message history, oldest first; page backwards with before=<seq>.");
        group.MapDelete("/{conversationId:guid}", Delete).WithName("DeleteConversation").WithSummary("Delete one of my conversations and all its messages.");
    }

    private static async Task<Results<Ok<Page<ConversationInfo>>, ValidationProblem>> List(
        ClaimsPrincipal user, IGrainFactory grains, [AsParameters] PageQuery paging)
    {
        if (paging.Invalid() is { } invalid) return invalid;
        return TypedResults.Ok(await grains.GetGrain<IChatArchiveGrain>(0).ListConversations(user.ToCaller().UserId, paging.Number, paging.Size));
    }

    private static async Task<Results<Created<ConversationInfo>, ValidationProblem>> Start(
        StartConversationRequest body, ClaimsPrincipal user, IGrainFactory grains)
    {
        var errors = ChatRules.ValidateTitle(body.Title);
        if (!errors.IsValid) return TypedResults.ValidationProblem(errors.ToDictionary());
        var info = await grains.GetGrain<IConversationGrain>(Guid.NewGuid()).Start(user.ToCaller(), body.Title);
        return TypedResults.Created($"/api/conversations/{info.Id}", info);
    }

    private static async Task<Results<Ok<IReadOnlyList<SearchHit>>, ValidationProblem>> Search(
        ClaimsPrincipal user, IGrainFactory grains, string? q, int? limit)
    {
        var errors = new ValidationErrors();
        errors.Text("q", q, ChatRules.MaxSearchLength, required: true);
        if (limit is < 1 or > MaxPageSize) errors.Add("limit", $"must be between 1 and {MaxPageSize}");
        if (!errors.IsValid) return TypedResults.ValidationProblem(errors.ToDictionary());
        return TypedResults.Ok(await grains.GetGrain<IChatArchiveGrain>(0).Search(user.ToCaller().UserId, q!.Trim(), limit ?? 20));
    }

    private static async Task<Results<Ok<ConversationInfo>, ProblemHttpResult>> Get(Guid conversationId, ClaimsPrincipal user, IGrainFactory grains)
    {
        var info = await grains.GetGrain<IConversationGrain>(conversationId).GetInfo(user.ToCaller());
        return info is null ? Problems.NotFound() : TypedResults.Ok(info);
    }

    private static async Task<Results<Ok<IReadOnlyList<ChatMessage>>, ValidationProblem, ProblemHttpResult>> Messages(
        Guid conversationId, ClaimsPrincipal user, IGrainFactory grains, int? before, int? limit)
    {
        var errors = new ValidationErrors();
        if (before is < 1) errors.Add("before", "must be a positive message sequence number");
        if (limit is < 1 or > MaxPageSize) errors.Add("limit", $"must be between 1 and {MaxPageSize}");
        if (!errors.IsValid) return TypedResults.ValidationProblem(errors.ToDictionary());
        var messages = await grains.GetGrain<IChatArchiveGrain>(0).Messages(user.ToCaller().UserId, conversationId, before, limit ?? 50);
        return messages is null ? Problems.NotFound() : TypedResults.Ok(messages);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid conversationId, ClaimsPrincipal user, IGrainFactory grains) =>
        await grains.GetGrain<IConversationGrain>(conversationId).Delete(user.ToCaller()) ? TypedResults.NoContent() : Problems.NotFound();
}
