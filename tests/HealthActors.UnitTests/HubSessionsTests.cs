using System.Security.Claims;
using HealthActors.Api.Auth;
using HealthActors.Api.Hubs;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace HealthActors.UnitTests;

public sealed class HubSessionsTests
{
    private sealed class FakeContext(string id) : HubCallerContext
    {
        public bool Aborted { get; private set; }
        public override string ConnectionId => id;
        public override string? UserIdentifier => null;
        public override ClaimsPrincipal? User => null;
        public override IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();
        public override IFeatureCollection Features { get; } = new FeatureCollection();
        public override CancellationToken ConnectionAborted => CancellationToken.None;
        public override void Abort() => Aborted = true;
    }

    private static HubSessions Sessions(int cap) => new(Options.Create(new HubConnectionOptions { MaxConnectionsPerUser = cap }));

    [Fact]
    public void The_cap_counts_every_session_of_a_user_and_a_closed_connection_frees_a_place()
    {
        var sessions = Sessions(2);
        var user = Guid.NewGuid();
        var a = new TokenSession(user, Guid.NewGuid(), "patient");
        var b = new TokenSession(user, Guid.NewGuid(), "patient");
        Assert.True(sessions.TryOpen(a, new FakeContext("1")));
        Assert.True(sessions.TryOpen(b, new FakeContext("2")));
        Assert.False(sessions.TryOpen(a, new FakeContext("3")));
        Assert.True(sessions.TryOpen(new TokenSession(Guid.NewGuid(), Guid.NewGuid(), "patient"), new FakeContext("4")));

        sessions.Close(user, "1");
        Assert.Equal(1, sessions.CountFor(user));
        Assert.True(sessions.TryOpen(a, new FakeContext("5")));
    }

    [Fact]
    public void Abort_closes_only_the_connections_of_that_session_and_role()
    {
        var sessions = Sessions(10);
        var user = Guid.NewGuid();
        var session = Guid.NewGuid();
        var ending = new TokenSession(user, session, "patient");
        var sameSessionNewRole = new TokenSession(user, session, "doctor");
        var other = new TokenSession(user, Guid.NewGuid(), "patient");
        FakeContext c1 = new("1"), c2 = new("2"), c3 = new("3"), c4 = new("4");
        sessions.TryOpen(ending, c1);
        sessions.TryOpen(ending, c2);
        sessions.TryOpen(sameSessionNewRole, c3);
        sessions.TryOpen(other, c4);
        Assert.Equal(3, sessions.Sessions().Count);

        Assert.Equal(2, sessions.Abort(ending));
        Assert.True(c1.Aborted && c2.Aborted);
        Assert.False(c3.Aborted || c4.Aborted);
    }
}
