using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;

namespace HealthActors.Tests.Grains;

public sealed class IdentityGrainTests(GrainClusterFixture fixture) : IClassFixture<GrainClusterFixture>
{
    private IGrainFactory Grains => fixture.Cluster.GrainFactory;

    [Fact]
    public async Task Fifty_racing_registrations_of_one_email_make_one_account()
    {
        var email = ApiClientExtensions.NewEmail("grain-race");
        var index = Grains.GetGrain<IEmailIndexGrain>(EmailKey.For(email));
        var results = await Task.WhenAll(Enumerable.Range(0, 50)
            .Select(i => index.Register(email, $"passphrase-number-{i:00}", "Racer", Roles.Patient)));
        Assert.Single(results, r => r.Status == RegistrationStatus.Created);
        Assert.Equal(49, results.Count(r => r.Status == RegistrationStatus.EmailTaken));
        Assert.Equal(results.Single(r => r.Status == RegistrationStatus.Created).User!.UserId, await index.Lookup());
    }

    [Fact]
    public async Task Grain_side_validation_rejects_what_the_Api_would_and_the_error_crosses_the_wire()
    {
        var email = "not-an-email";
        var ex = await Assert.ThrowsAsync<DomainValidationException>(() =>
            Grains.GetGrain<IEmailIndexGrain>(EmailKey.For(email)).Register(email, "short", "", Roles.Patient));
        Assert.Contains("email", ex.Errors.Keys);
        Assert.Contains("password", ex.Errors.Keys);
        Assert.Contains("name", ex.Errors.Keys);
    }

    [Fact]
    public async Task Stored_password_hash_is_PBKDF2_SHA512_at_210000_iterations_and_verifies()
    {
        var email = ApiClientExtensions.NewEmail("hash");
        var created = await Grains.GetGrain<IEmailIndexGrain>(EmailKey.For(email)).Register(email, "a-long-enough-passphrase", "H", Roles.Patient);
        Assert.NotNull(await Grains.GetGrain<IAccountGrain>(created.User!.UserId).VerifyPassword("a-long-enough-passphrase"));
        Assert.Null(await Grains.GetGrain<IAccountGrain>(created.User!.UserId).VerifyPassword("a-long-enough-passphrasE"));

        // The persisted hash, read back from PostgreSQL. Identity v3 format is 0x01 | prf uint32 (2 = HMAC-SHA512)
        // | iterations uint32 | ...; 01 00000002 00033450 (210,000) is "AQAAAAIAAzRQ" in base64.
        await using var db = Npgsql.NpgsqlDataSource.Create(TestEnvironment.Postgres);
        await using var cmd = db.CreateCommand(
            "SELECT payload_binary FROM orleans_grain_state WHERE service_id = $1 AND grain_type_string = 'account' AND grain_id_n0 = $2 AND grain_id_n1 = $3");
        var key = created.User!.UserId.ToByteArray();
        cmd.Parameters.AddWithValue(fixture.ServiceId);
        cmd.Parameters.AddWithValue(BitConverter.ToInt64(key, 0));
        cmd.Parameters.AddWithValue(BitConverter.ToInt64(key, 8));
        var payload = (byte[])(await cmd.ExecuteScalarAsync())!;
        var text = System.Text.Encoding.ASCII.GetString(payload);
        Assert.Contains("AQAAAAIAAzRQ", text);
        Assert.DoesNotContain("a-long-enough-passphrase", text);
    }

    [Fact]
    public async Task Refresh_family_rotates_once_per_token_and_revokes_on_replay()
    {
        var family = Grains.GetGrain<IRefreshFamilyGrain>(Guid.NewGuid());
        var userId = Guid.NewGuid();
        var first = await family.Start(userId);

        var rotated = await family.Rotate(first.Token);
        Assert.Equal(RefreshStatus.Rotated, rotated.Status);
        Assert.Equal(userId, rotated.UserId);

        Assert.Equal(RefreshStatus.ReuseDetected, (await family.Rotate(first.Token)).Status);
        Assert.Equal(RefreshStatus.Revoked, (await family.Rotate(rotated.NewToken!)).Status);
    }

    [Fact]
    public async Task A_token_of_another_family_is_invalid_and_revokes_nothing()
    {
        var a = Grains.GetGrain<IRefreshFamilyGrain>(Guid.NewGuid());
        var b = Grains.GetGrain<IRefreshFamilyGrain>(Guid.NewGuid());
        var tokenA = await a.Start(Guid.NewGuid());
        var tokenB = await b.Start(Guid.NewGuid());
        Assert.Equal(RefreshStatus.Invalid, (await a.Rotate(tokenB.Token)).Status);
        Assert.False(await a.Revoke(tokenB.Token));
        Assert.Equal(RefreshStatus.Rotated, (await a.Rotate(tokenA.Token)).Status);
    }
}
