using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using HealthActors.Grains.Abstractions.Chat;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Abstractions.Patients;
using HealthActors.Grains.Abstractions.Records;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using HealthActors.Grains.Storage;

namespace HealthActors.Grains.Chat;

[GenerateSerializer, Alias("ha.chat.ConversationState")]
public sealed class ConversationState
{
    [Id(0)] public Guid OwnerId { get; set; }
    [Id(1)] public string OwnerRole { get; set; } = Roles.Patient;
    [Id(2)] public string Title { get; set; } = "";
    [Id(3)] public DateTimeOffset CreatedAt { get; set; }
    [Id(4)] public string? Summary { get; set; }
    [Id(5)] public int SummarizedThroughSeq { get; set; }
}

/// <summary>
/// One conversation. Reentrant so that the chunks of a streaming answer flow while other calls arrive; the
/// turn lock keeps answers one at a time and in order. The window is rebuilt from the message table on
/// activation; only the summary and metadata are grain state.
/// </summary>
[Reentrant]
public sealed class ConversationGrain(
    [PersistentState("conversation", StorageNames.Store)] IPersistentState<ConversationState> state,
    IChatStore store,
    MedicalAssistant assistant,
    IOptions<ConversationOptions> options,
    TimeProvider time,
    ILogger<ConversationGrain> log) : Grain, IConversationGrain
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly List<ChatMessage> _window = [];
    private int _lastSeq;
    private DateTimeOffset _updatedAt;
    private bool _summarizing;

    private Guid Id => this.GetPrimaryKey();
    private bool Exists => state.State.OwnerId != Guid.Empty;
    private int WindowSize => Math.Max(2, options.Value.WindowSize);
    private int SummaryEvery => Math.Max(1, options.Value.SummaryEvery);
    // The memory holds the window plus what may still wait for the summary; older messages are only in chat_messages.
    private int Kept => WindowSize + SummaryEvery;

    /// <summary>Messages that left the window but are not in the summary yet.</summary>
    private int Unsummarized => Math.Max(0, _lastSeq - WindowSize - state.State.SummarizedThroughSeq);

    /// <summary>
    /// What the prompt carries verbatim: the last <see cref="WindowSize"/> messages and, before them, those not yet
    /// folded into the summary, so that nothing drops out of the model's view between two summary refreshes. A turn's
    /// own message is stored with its answer, so it is passed as <paramref name="pending"/> and counted as if it were
    /// in the window already.
    /// </summary>
    private List<ChatMessage> PromptWindow(ChatMessage? pending = null)
    {
        var lastSeq = pending?.Seq ?? _lastSeq;
        var unsummarized = Math.Max(0, lastSeq - WindowSize - state.State.SummarizedThroughSeq);
        var held = Math.Min(_window.Count + (pending is null ? 0 : 1), Kept);
        var count = Math.Min(held, WindowSize + unsummarized);
        var fromWindow = count - (pending is null ? 0 : 1);
        var prompt = _window.GetRange(_window.Count - fromWindow, fromWindow);
        if (pending is not null) prompt.Add(pending);
        return prompt;
    }

    // Activation reads pass no call filter: a database outage must still reach the caller as a 503 (StorageFaults).
    public override Task OnActivateAsync(CancellationToken ct) => StorageFaults.DuringActivation(() => Activate(ct));

    private async Task Activate(CancellationToken ct)
    {
        if (!Exists) return;
        _window.AddRange(await store.Latest(Id, Kept));
        _lastSeq = _window.Count > 0 ? _window[^1].Seq : 0;
        _updatedAt = _window.Count > 0 ? _window[^1].CreatedAt : state.State.CreatedAt;
    }

    public async Task<ConversationInfo> Start(Caller owner, string? title)
    {
        if (Exists)
        {
            if (state.State.OwnerId != owner.UserId) throw new AccessDeniedException();
            return Info();
        }
        ChatRules.ValidateTitle(title).ThrowIfInvalid();
        var now = time.GetUtcNow();
        state.State.OwnerId = owner.UserId;
        state.State.OwnerRole = owner.Role;
        state.State.Title = string.IsNullOrWhiteSpace(title) ? "Conversation " + now.ToString("yyyy-MM-dd HH:mm 'UTC'") : TextNormalization.Normalize(title).Trim();
        state.State.CreatedAt = now;
        _updatedAt = now;
        // The archive row first: a conversation the grain knows must always be listable.
        await store.CreateConversation(Info());
        await state.WriteStateAsync();
        return Info();
    }

    public async IAsyncEnumerable<ChatChunk> Send(Caller caller, string text)
    {
        EnsureOwner(caller);
        // What is stored, shown back and matched against red flags is the normalized text (see TextNormalization).
        text = TextNormalization.Normalize(text);
        ChatRules.ValidateMessage(text).ThrowIfInvalid();

        // The turn runs to the end even if the caller stops listening, so an answer is always stored.
        var chunks = Channel.CreateUnbounded<ChatChunk>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var turn = RunTurn(text, chunks.Writer);
        var reader = chunks.Reader;
        var index = 0;
        StringBuilder? pending = null;
        // Every chunk costs a stream item to the Api and a SignalR message to the browser, so the pieces that piled up
        // while the last chunk was on its way leave together. Nothing waits for more: a model slower than this pipeline
        // still streams piece by piece, a fast one in a few larger chunks.
        while (await reader.WaitToReadAsync())
        {
            ChatChunk? final = null;
            while (final is null && reader.TryRead(out var chunk))
            {
                if (chunk.Final) final = chunk;
                else (pending ??= new StringBuilder()).Append(chunk.Text);
            }
            if (pending is { Length: > 0 })
            {
                yield return new ChatChunk(index++, pending.ToString(), false, null, null, null, false, false);
                pending.Clear();
            }
            if (final is not null) yield return final with { Index = index++ };
        }
        await turn;
    }

    public Task<ConversationInfo?> GetInfo(Caller caller) =>
        Task.FromResult(Exists && state.State.OwnerId == caller.UserId ? Info() : null);

    public Task<ConversationMemory?> GetMemory(Caller caller) =>
        Task.FromResult(Exists && state.State.OwnerId == caller.UserId
            ? new ConversationMemory(state.State.Summary, state.State.SummarizedThroughSeq, PromptWindow())
            : null);

    public async Task<bool> Delete(Caller caller)
    {
        if (!Exists || state.State.OwnerId != caller.UserId) return false;
        await _turn.WaitAsync();
        try
        {
            await store.DeleteConversation(Id, caller.UserId);
            await state.ClearStateAsync();
            state.State = new ConversationState();
            _window.Clear();
            _lastSeq = 0;
            DeactivateOnIdle();
            return true;
        }
        finally { _turn.Release(); }
    }

    public async Task RefreshSummary()
    {
        if (_summarizing || !Exists) return;
        _summarizing = true;
        try
        {
            // Turns that end while a summary is being written do not start another one, so keep going
            // until what waits for the summary is below a batch again.
            while (Exists && Unsummarized >= SummaryEvery)
            {
                var through = _lastSeq - WindowSize;
                var older = await store.Range(Id, state.State.SummarizedThroughSeq, through);
                var summary = await assistant.Summarize(state.State.Summary, older, options.Value.SummaryMaxChars, CancellationToken.None);
                if (!Exists) return;
                state.State.Summary = summary;
                state.State.SummarizedThroughSeq = through;
                await state.WriteStateAsync();
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.LogWarning("Summary refresh failed for a conversation: {Error}", e.GetType().Name);
        }
        finally { _summarizing = false; }
    }

    private async Task RunTurn(string text, ChannelWriter<ChatChunk> writer)
    {
        await _turn.WaitAsync();
        ChatMessage? user = null;
        try
        {
            if (!Exists) throw new AccessDeniedException();
            // Stored with the answer, in one transaction just before the final chunk (one WAL flush per turn instead of
            // two); until then the patient has been told nothing is stored. If the turn fails first, the catch below
            // stores it alone before the turn ends.
            user = NewMessage(ChatRoles.User, text, source: null, degraded: false);

            // Send numbers the chunks it lets out (it merges pieces); the index here only orders them.
            var index = 0;
            AssistantAnswer answer;
            string? redFlag = null;
            var owner = new Caller(state.State.OwnerId, state.State.OwnerRole);
            // The profile read is a grain call, not the model: it gives the emergency answer its language and country.
            var profile = await GrainFactory.GetGrain<IPatientGrain>(owner.UserId).GetProfile(owner);
            // The owner's own age counts for infant fever when the account is the baby's; an age in the text wins.
            var flag = RedFlags.Detect(text, PatientAge.InDays(profile, time.GetUtcNow()));
            if (flag is not null)
            {
                // Answered before and without the model: an emergency must never wait on it.
                var guidance = RedFlagGuidance.For(flag, profile?.PreferredLanguage, profile?.Country);
                writer.TryWrite(new ChatChunk(index++, guidance, false, null, null, null, false, false));
                answer = new AssistantAnswer(guidance, AnswerSources.Emergency, Degraded: false);
                redFlag = flag.Kind;
            }
            else
            {
                var language = OfflineAssistant.Language(text, profile?.PreferredLanguage);
                var vitals = await GrainFactory.GetGrain<IHealthRecordsGrain>(owner.UserId).LatestVitals();
                var prompt = PromptBuilder.Build(profile, state.State.Summary, PromptWindow(user), language, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), vitals);
                // The model may add an emergency the rules missed (never remove one: it is not asked when they fire).
                var marker = new EmergencyMarker(RedFlagGuidance.For(new RedFlagMatch(RedFlagGuidance.ModelCategory, language), language, profile?.Country));
                answer = await assistant.Answer(prompt, OfflineAssistant.Answer(text, language), piece =>
                {
                    foreach (var emitted in marker.Accept(piece))
                        writer.TryWrite(new ChatChunk(index++, emitted, false, null, null, null, false, false));
                    return ValueTask.CompletedTask;
                }, CancellationToken.None);
                foreach (var emitted in marker.Flush())
                    writer.TryWrite(new ChatChunk(index++, emitted, false, null, null, null, false, false));
                if (marker.Fired)
                {
                    answer = answer with { Text = marker.Emitted };
                    redFlag = RedFlagGuidance.ModelCategory;
                }
            }

            var reply = NewMessage(ChatRoles.Assistant, answer.Text, answer.Source, answer.Degraded, redFlag, seq: user.Seq + 1);
            await store.AppendTurn(user, reply, state.State.OwnerId);
            var asked = user;
            user = null;
            Remember(asked);
            Remember(reply);
            writer.TryWrite(new ChatChunk(index, "", true, asked.Id, reply.Id, answer.Source, answer.Degraded, redFlag is not null, redFlag));
            writer.TryComplete();

            // In batches: a summary costs a model call, a range read and a state write, so it is not paid every turn.
            if (Unsummarized >= SummaryEvery && !_summarizing)
                _ = this.AsReference<IConversationGrain>().RefreshSummary();
        }
        catch (Exception e)
        {
            if (user is not null) await StoreAlone(user);
            // The stream carries this exception to the caller as an item, past StorageFaultFilter.
            writer.TryComplete(StorageFaults.ForCaller(e));
            throw;
        }
        finally { _turn.Release(); }
    }

    /// <summary>
    /// A turn that failed before its answer was stored still keeps the patient's message, as it did when the message
    /// was committed before the model call. Best effort: when the database is what failed, the caller hears the
    /// original failure, not this one.
    /// </summary>
    private async Task StoreAlone(ChatMessage user)
    {
        try
        {
            await store.Append(user, state.State.OwnerId);
            Remember(user);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.LogWarning("The patient's message of a failed turn could not be stored: {Error}", e.GetType().Name);
        }
    }

    private ChatMessage NewMessage(string role, string content, string? source, bool degraded, string? redFlag = null, int? seq = null) =>
        new(Guid.NewGuid(), Id, seq ?? _lastSeq + 1, role, content, time.GetUtcNow(), source, degraded, redFlag);

    /// <summary>Takes a stored message into the window.</summary>
    private void Remember(ChatMessage message)
    {
        _lastSeq = message.Seq;
        _updatedAt = message.CreatedAt;
        _window.Add(message);
        if (_window.Count > Kept) _window.RemoveRange(0, _window.Count - Kept);
    }

    private void EnsureOwner(Caller caller)
    {
        if (!Exists || state.State.OwnerId != caller.UserId) throw new AccessDeniedException();
    }

    private ConversationInfo Info() =>
        new(Id, state.State.OwnerId, state.State.Title, state.State.CreatedAt, _updatedAt, _lastSeq);
}

[StatelessWorker]
public sealed class ChatArchiveGrain(IChatStore store) : Grain, IChatArchiveGrain
{
    public Task<Page<ConversationInfo>> ListConversations(Guid ownerId, int page, int pageSize) => store.List(ownerId, page, pageSize);

    public Task<IReadOnlyList<ChatMessage>?> Messages(Guid ownerId, Guid conversationId, int? beforeSeq, int limit) =>
        store.Messages(ownerId, conversationId, beforeSeq, limit);

    public Task<IReadOnlyList<SearchHit>> Search(Guid ownerId, string query, int limit) => store.Search(ownerId, query, limit);
}
