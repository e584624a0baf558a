using System.Buffers;
using System.Text.Json;
using HealthActors.Grains.Abstractions.Cases;
using HealthActors.Grains.Abstractions.Chat;
using HealthActors.Grains.Abstractions.Consultations;
using HealthActors.Grains.Abstractions.Marketplace;
using HealthActors.Grains.Abstractions.Notifications;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace HealthActors.UnitTests.Api;

/// <summary>
/// Every payload a hub sends or takes, through SignalR's MessagePack protocol as the Api configures it (the defaults:
/// contractless, enums by name): written the way the server writes it and read the way a client binds it, it comes
/// back field for field. A type MessagePack cannot write (a private one, a JsonElement, a cycle) fails here rather
/// than on a connection that asked for MessagePack.
/// </summary>
public sealed class HubPayloadsOverMessagePackTests
{
    private static readonly DateTimeOffset At = new DateTimeOffset(2026, 12, 4, 14, 5, 6, 789, TimeSpan.Zero).AddTicks(1234);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static Bid SampleBid() => new(Guid.NewGuid(), Guid.NewGuid(), "Dr Ana García", 4.5, 79.95m, At.AddDays(2), At.AddDays(2).AddMinutes(30), "Happy to help", At, 7);

    private static AuctionEvent SampleAuctionEvent(long seq) =>
        new(Guid.NewGuid(), seq, AuctionEventTypes.BidReplaced, SampleBid(), Guid.NewGuid(), At.AddHours(1), AuctionStatus.Closed, null, "accepted", At);

    public static TheoryData<string, object> Payloads() => new()
    {
        { "marketplace: one event (WatchAuction)", SampleAuctionEvent(12) },
        { "marketplace: an event without a bid", new AuctionEvent(Guid.NewGuid(), 3, AuctionEventTypes.AuctionExtended, null, null, At, AuctionStatus.Open, null, null, At) },
        { "marketplace: a batch (WatchAuctionBatched)", new List<AuctionEvent> { SampleAuctionEvent(1), SampleAuctionEvent(2) } },
        { "notifications", new Notification(Guid.NewGuid(), Guid.NewGuid(), "auction.won", "Your bid was accepted", "Appointment at 10:00 UTC.", Guid.NewGuid(), At, null) },
        { "consultations", new ConsultationEvent(Guid.NewGuid(), 4, new ConsultationMessage(Guid.NewGuid(), 4, Guid.NewGuid(), "patient", "It still hurts",
            [Guid.NewGuid()], ["chest-pain"], At)) },
        { "cases", new CaseCommentEvent(Guid.NewGuid(), 9, new CaseComment(Guid.NewGuid(), Guid.NewGuid(), 9, Guid.NewGuid(), null, "Consider an ECG.", At, 2, [Guid.NewGuid()])) },
        { "chat: a stream chunk", new ChatChunk(3, "Rest and fluids.", true, Guid.NewGuid(), Guid.NewGuid(), "offline", true, false, null) },
        { "a watch's answer (long)", 42L },
        { "a hub argument (Guid)", Guid.NewGuid() },
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public void Comes_back_field_for_field(string what, object payload)
    {
        var back = RoundTrip(payload, payload.GetType());
        Assert.True(JsonSerializer.Serialize(payload, payload.GetType(), Json) == JsonSerializer.Serialize(back, payload.GetType(), Json), what);
        // These compare by value (no list inside), timestamps to the tick: nothing was rounded on the way.
        if (payload is AuctionEvent or Notification or ChatChunk or long or Guid) Assert.Equal(payload, back);
    }

    [Fact]
    public void A_batch_reads_back_as_the_array_a_client_binds()
    {
        var batch = new List<AuctionEvent> { SampleAuctionEvent(1), SampleAuctionEvent(2), SampleAuctionEvent(3) };
        var back = (AuctionEvent[])RoundTrip(batch, typeof(AuctionEvent[]));
        Assert.Equal(batch, back);
    }

    [Fact]
    public void A_client_in_another_language_sees_names_strings_and_timestamp_pairs()
    {
        var e = SampleAuctionEvent(1);
        var bytes = Write(e);
        // The frame is a length prefix (varint) and then one MessagePack array: [type, headers, id, target, [payload], streams].
        var start = 0;
        while ((bytes.Span[start++] & 0x80) != 0) { }
        var json = MessagePack.MessagePackSerializer.ConvertToJson(bytes[start..]);
        // Maps keyed by the C# property names, enums by name (a renumbering cannot change their meaning), Guids and
        // decimals as strings, a DateTimeOffset as [UTC timestamp, offset in minutes]: what the README tells client authors.
        Assert.Contains("\"Status\":\"Closed\"", json);
        Assert.Contains($"\"AuctionId\":\"{e.AuctionId}\"", json);
        Assert.Contains("\"Price\":\"79.95\"", json);
        Assert.Matches("\"At\":\\[[^,\\]]+,0\\]", json);
    }

    private static ReadOnlyMemory<byte> Write(object payload) =>
        new MessagePackHubProtocol().GetMessageBytes(new InvocationMessage("Target", [payload]));

    private static object RoundTrip(object payload, Type bindAs)
    {
        var protocol = new MessagePackHubProtocol();
        var bytes = new ReadOnlySequence<byte>(Write(payload));
        Assert.True(protocol.TryParseMessage(ref bytes, new Binder(bindAs), out var message));
        var invocation = Assert.IsType<InvocationMessage>(message);
        return Assert.Single(invocation.Arguments)!;
    }

    private sealed class Binder(Type argument) : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => [argument];
        public Type GetReturnType(string invocationId) => typeof(object);
        public Type GetStreamItemType(string streamId) => typeof(object);
    }
}
