using HealthActors.Grains.Abstractions.Chat;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Tests.Grains;

namespace HealthActors.Tests.Chat;

/// <summary>The conversation grain on the Orleans TestingHost with the offline assistant (no model configured).</summary>
public sealed class ConversationGrainTests
{
    private static async Task<List<ChatChunk>> Send(IConversationGrain grain, Caller caller, string text)
    {
        var chunks = new List<ChatChunk>();
        await foreach (var c in grain.Send(caller, text)) chunks.Add(c);
        return chunks;
    }

    [Fact]
    public async Task Without_a_model_the_offline_assistant_answers_and_says_so()
    {
        var cluster = await GrainCluster.StartAsync(TestEnvironment.UniqueId("chat-offline"), silos: 1);
        try
        {
            var owner = new Caller(Guid.NewGuid(), Roles.Patient);
            var grain = cluster.GrainFactory.GetGrain<IConversationGrain>(Guid.NewGuid());
            await grain.Start(owner, null);
            var chunks = await Send(grain, owner, "My child has an ear ache since this morning");
            Assert.Equal(AnswerSources.Offline, chunks[^1].Source);
            Assert.False(chunks[^1].Degraded);
            var text = string.Concat(chunks.Select(c => c.Text));
            Assert.Contains("offline", text);
            Assert.Contains("not a diagnosis", text);
        }
        finally { await cluster.StopAllSilosAsync(); await cluster.DisposeAsync(); }
    }

    [Fact]
    public async Task Messages_and_summary_survive_the_loss_of_every_silo()
    {
        var serviceId = TestEnvironment.UniqueId("chat-restart");
        var owner = new Caller(Guid.NewGuid(), Roles.Patient);
        var id = Guid.NewGuid();

        var first = await GrainCluster.StartAsync(serviceId, silos: 1);
        try
        {
            var grain = first.GrainFactory.GetGrain<IConversationGrain>(id);
            await grain.Start(owner, "Back pain");
            for (var i = 1; i <= 15; i++) await Send(grain, owner, $"back pain note {i}");
            // 30 messages with a window of 20: the ten before it are a batch (Chat:SummaryEvery) and fold into the
            // summary in the background.
            for (var i = 0; i < 100 && (await grain.GetMemory(owner))!.SummarizedThroughSeq < 10; i++) await Task.Delay(50);
        }
        finally { await first.StopAllSilosAsync(); await first.DisposeAsync(); }

        var second = await GrainCluster.StartAsync(serviceId, silos: 1);
        try
        {
            var grain = second.GrainFactory.GetGrain<IConversationGrain>(id);
            var memory = await grain.GetMemory(owner);
            Assert.NotNull(memory);
            Assert.Equal(20, memory!.Window.Count);
            Assert.Equal(30, memory.Window[^1].Seq);
            Assert.Equal(10, memory.SummarizedThroughSeq);
            Assert.Contains("back pain note 1", memory.Summary);
            Assert.Equal("Back pain", (await grain.GetInfo(owner))!.Title);

            var chunks = await Send(grain, owner, "still there?");
            Assert.Equal(32, (await grain.GetMemory(owner))!.Window[^1].Seq);
            Assert.True(chunks[^1].Final);
            Assert.Null(await grain.GetMemory(new Caller(Guid.NewGuid(), Roles.Admin)));
        }
        finally { await second.StopAllSilosAsync(); await second.DisposeAsync(); }
    }
}
