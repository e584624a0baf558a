using System.Runtime.CompilerServices;
using HealthActors.Api.Auth;
using HealthActors.Api.Limits;
using HealthActors.Grains.Abstractions.Chat;
using HealthActors.Grains.Abstractions.Common;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace HealthActors.Api.Hubs;

/// <summary>
/// /hubs/chat. StartConversation(title?) -> id; SendMessage(conversationId, text) -> a stream of chunks whose
/// last one (final = true) carries the stored message ids, the answer's source and whether it is degraded.
/// Errors reach the client as HubException messages naming the field or saying "not found".
/// </summary>
[Authorize]
public sealed class ChatHub(IGrainFactory grains, ModelCallLimiter modelCalls) : Hub
{
    public async Task<Guid> StartConversation(string? title)
    {
        ThrowIfInvalid(ChatRules.ValidateTitle(title));
        var id = Guid.NewGuid();
        await grains.GetGrain<IConversationGrain>(id).Start(Context.User!.ToCaller(), title);
        return id;
    }

    public async IAsyncEnumerable<ChatChunk> SendMessage(Guid conversationId, string? text, [EnumeratorCancellation] CancellationToken ct)
    {
        ThrowIfInvalid(ChatRules.ValidateMessage(text));
        var caller = Context.User!.ToCaller();
        if (await modelCalls.TryTakeAsync(caller, text!) is { } wait)
            throw new HubException($"Too many messages: try again in {ModelCallLimiter.Seconds(wait)} s.");
        var stream = grains.GetGrain<IConversationGrain>(conversationId).Send(caller, text!);
        await using var chunks = stream.GetAsyncEnumerator(ct);
        while (true)
        {
            ChatChunk chunk;
            try
            {
                if (!await chunks.MoveNextAsync()) yield break;
                chunk = chunks.Current;
            }
            catch (AccessDeniedException)
            {
                throw new HubException("Conversation not found.");
            }
            catch (DomainValidationException e)
            {
                throw new HubException(Describe(e.Errors));
            }
            yield return chunk;
        }
    }

    private static void ThrowIfInvalid(ValidationErrors errors)
    {
        if (!errors.IsValid) throw new HubException(Describe(errors.ToDictionary()));
    }

    private static string Describe(IDictionary<string, string[]> errors) =>
        "Invalid input: " + string.Join("; ", errors.Select(kv => $"{kv.Key} {string.Join(", ", kv.Value)}"));
}
