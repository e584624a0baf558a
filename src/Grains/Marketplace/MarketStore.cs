using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using HealthActors.Grains.Abstractions.Marketplace;
using Npgsql;
using NpgsqlTypes;

namespace HealthActors.Grains.Marketplace;

/// <summary>
/// One change of an auction, stored all or nothing: the grain's state without its standing bids (serialized), its
/// summary row, the bids it placed (none, one, or a group committed together), the events it numbered, in sequence
/// order, and the standing bids it set or removed. The standing bids are rows of their own so that a commit writes
/// what changed, not every standing bid again.
/// </summary>
/// <param name="ExpectedEtag">The token of the write this activation last saw (null before the first one).</param>
/// <param name="NewEtag">The token this write leaves behind.</param>
/// <param name="Standing">A doctor's standing bid, set (inserted or replaced); at most one per doctor.</param>
/// <param name="Unstanding">Doctors whose standing bid is gone.</param>
public sealed record AuctionCommit(AuctionSummary Summary, byte[] State, Guid? ExpectedEtag, Guid NewEtag, IReadOnlyList<Bid> Bids,
    IReadOnlyList<AuctionEvent> Events, IReadOnlyList<StandingRow> Standing, IReadOnlyList<Guid> Unstanding);

/// <summary>One doctor's standing bid in an auction, serialized by the grain.</summary>
public sealed record StandingRow(Guid DoctorId, byte[] Payload);

/// <summary>An auction grain's stored state, its standing bids' rows and the token of the write that stored them.</summary>
public sealed record StoredAuctionState(byte[] State, Guid? Etag, IReadOnlyList<byte[]> Standing);

public interface IMarketStore
{
    /// <summary>
    /// Writes the whole change in one transaction (one round trip). False, with nothing written, when the stored
    /// token is not <see cref="AuctionCommit.ExpectedEtag"/>: another activation wrote since this one read.
    /// </summary>
    Task<bool> Commit(AuctionCommit commit);
    /// <summary>Null when the auction has no state in its row (none, or one stored before the state moved there).</summary>
    Task<StoredAuctionState?> LoadState(Guid auctionId);
    Task<IReadOnlyList<AuctionEvent>> Events(Guid auctionId, long afterSeq, int limit);
    Task<IReadOnlyList<AuctionSummary>> ForPatient(Guid patientId, int page, int pageSize);
    /// <summary>Undecided auctions (open, or closed within their grace) in which the doctor ever bid; the grain knows whether the bid still stands.</summary>
    Task<IReadOnlyList<Guid>> AuctionsWithStandingBidsBy(Guid doctorId);
}

internal static class EventJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
}

public sealed class PostgresMarketStore(NpgsqlDataSource db) : IMarketStore
{
    public async Task<bool> Commit(AuctionCommit c)
    {
        var a = c.Summary;
        await using var connection = await db.OpenConnectionAsync();
        // One batch is one round trip and, without an explicit transaction, one implicit transaction: a failing
        // statement rolls back the ones before it.
        await using var batch = new NpgsqlBatch(connection);
        // The state and the summary row in one statement, refused (0 rows) unless the stored token is the one this
        // activation last wrote; a row without a token is an auction whose state still lives in grain storage.
        var state = new NpgsqlBatchCommand("""
            INSERT INTO auctions (id, patient_id, specialty_id, status, closes_at, max_price, currency, window_from, window_to, bid_count, created_at, state, state_etag)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, closes_at = EXCLUDED.closes_at, bid_count = EXCLUDED.bid_count,
                state = EXCLUDED.state, state_etag = EXCLUDED.state_etag
            WHERE auctions.state_etag IS NOT DISTINCT FROM $14
            """);
        state.Parameters.Add(new NpgsqlParameter<Guid>{ TypedValue = a.Id });
        state.Parameters.Add(new NpgsqlParameter<Guid>{ TypedValue = a.PatientId });
        state.Parameters.Add(new NpgsqlParameter<Guid>{ TypedValue = a.SpecialtyId });
        state.Parameters.Add(new NpgsqlParameter<string> { TypedValue = a.Status.ToString().ToLowerInvariant() });
        state.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = a.ClosesAt.UtcDateTime });
        state.Parameters.Add(new NpgsqlParameter { Value = (object?)a.MaxPrice ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Numeric });
        state.Parameters.Add(new NpgsqlParameter<string> { TypedValue = a.Currency });
        state.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = a.WindowFrom.UtcDateTime });
        state.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = a.WindowTo.UtcDateTime });
        state.Parameters.Add(new NpgsqlParameter<int> { TypedValue = a.BidCount });
        state.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = a.CreatedAt.UtcDateTime });
        state.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = c.State });
        state.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = c.NewEtag });
        state.Parameters.Add(new NpgsqlParameter { Value = (object?)c.ExpectedEtag ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        batch.BatchCommands.Add(state);

        // The rows below are written only if the state above was: the row then carries this write's token, which
        // no other writer can have. No ON CONFLICT: a clash would mean two writers, and it must fail the whole change.
        const string OnlyIfStateWritten = "WHERE EXISTS (SELECT 1 FROM auctions WHERE id = $1 AND state_etag = $2)";
        // One statement per table whatever the group's size (arrays unnested): a group of fifty bids costs the server
        // three statements, not a hundred and one.
        if (c.Bids.Count > 0)
        {
            var bids = new NpgsqlBatchCommand($"""
                INSERT INTO auction_bids (id, auction_id, doctor_id, price, slot_start, slot_end, message, placed_at)
                SELECT b.id, $1, b.doctor_id, b.price, b.slot_start, b.slot_end, b.message, b.placed_at
                FROM unnest($3::uuid[], $4::uuid[], $5::numeric[], $6::timestamptz[], $7::timestamptz[], $8::varchar[], $9::timestamptz[])
                    AS b(id, doctor_id, price, slot_start, slot_end, message, placed_at)
                {OnlyIfStateWritten}
                """);
            bids.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = a.Id });
            bids.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = c.NewEtag });
            bids.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. c.Bids.Select(b => b.Id)] });
            bids.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. c.Bids.Select(b => b.DoctorId)] });
            bids.Parameters.Add(new NpgsqlParameter<decimal[]> { TypedValue = [.. c.Bids.Select(b => b.Price)] });
            bids.Parameters.Add(new NpgsqlParameter<DateTime[]> { TypedValue = [.. c.Bids.Select(b => b.SlotStart.UtcDateTime)] });
            bids.Parameters.Add(new NpgsqlParameter<DateTime[]> { TypedValue = [.. c.Bids.Select(b => b.SlotEnd.UtcDateTime)] });
            bids.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. c.Bids.Select(b => b.Message)] });
            bids.Parameters.Add(new NpgsqlParameter<DateTime[]> { TypedValue = [.. c.Bids.Select(b => b.PlacedAt.UtcDateTime)] });
            batch.BatchCommands.Add(bids);
        }
        if (c.Events.Count > 0)
        {
            var events = new NpgsqlBatchCommand($"""
                INSERT INTO auction_events (auction_id, seq, type, payload, at)
                SELECT $1, e.seq, e.type, e.payload, e.at
                FROM unnest($3::bigint[], $4::varchar[], $5::bytea[], $6::timestamptz[]) AS e(seq, type, payload, at)
                {OnlyIfStateWritten}
                """);
            events.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = a.Id });
            events.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = c.NewEtag });
            events.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. c.Events.Select(e => e.Seq)] });
            events.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. c.Events.Select(e => e.Type)] });
            events.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = [.. c.Events.Select(e => JsonSerializer.SerializeToUtf8Bytes(e, EventJson.Options))] });
            events.Parameters.Add(new NpgsqlParameter<DateTime[]> { TypedValue = [.. c.Events.Select(e => e.At.UtcDateTime)] });
            batch.BatchCommands.Add(events);
        }
        if (c.Standing.Count > 0)
        {
            var standing = new NpgsqlBatchCommand($"""
                INSERT INTO auction_standing (auction_id, doctor_id, payload)
                SELECT $1, s.doctor_id, s.payload FROM unnest($3::uuid[], $4::bytea[]) AS s(doctor_id, payload)
                {OnlyIfStateWritten}
                ON CONFLICT (auction_id, doctor_id) DO UPDATE SET payload = EXCLUDED.payload
                """);
            standing.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = a.Id });
            standing.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = c.NewEtag });
            standing.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. c.Standing.Select(s => s.DoctorId)] });
            standing.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = [.. c.Standing.Select(s => s.Payload)] });
            batch.BatchCommands.Add(standing);
        }
        if (c.Unstanding.Count > 0)
        {
            var gone = new NpgsqlBatchCommand($"""
                DELETE FROM auction_standing WHERE auction_id = $1 AND doctor_id = ANY($3)
                AND EXISTS (SELECT 1 FROM auctions WHERE id = $1 AND state_etag = $2)
                """);
            gone.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = a.Id });
            gone.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = c.NewEtag });
            gone.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. c.Unstanding] });
            batch.BatchCommands.Add(gone);
        }
        await batch.ExecuteNonQueryAsync();
        return state.RecordsAffected == 1;
    }

    public async Task<StoredAuctionState?> LoadState(Guid auctionId)
    {
        // One statement, so one snapshot: the state and the standing rows of the same commit.
        await using var cmd = db.CreateCommand("""
            SELECT state, state_etag, ARRAY(SELECT s.payload FROM auction_standing s WHERE s.auction_id = a.id)
            FROM auctions a WHERE id = $1 AND state IS NOT NULL
            """);
        cmd.Parameters.AddWithValue(auctionId);
        await using var r = await cmd.ExecuteReaderAsync();
        if (!await r.ReadAsync()) return null;
        return new StoredAuctionState((byte[])r[0], r.IsDBNull(1) ? null : r.GetGuid(1), r.GetFieldValue<byte[][]>(2));
    }

    public async Task<IReadOnlyList<AuctionEvent>> Events(Guid auctionId, long afterSeq, int limit)
    {
        await using var cmd = db.CreateCommand("SELECT payload FROM auction_events WHERE auction_id = $1 AND seq > $2 ORDER BY seq LIMIT $3");
        cmd.Parameters.AddWithValue(auctionId);
        cmd.Parameters.AddWithValue(afterSeq);
        cmd.Parameters.AddWithValue(limit);
        var list = new List<AuctionEvent>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add(JsonSerializer.Deserialize<AuctionEvent>((byte[])r[0], EventJson.Options)!);
        return list;
    }

    public async Task<IReadOnlyList<AuctionSummary>> ForPatient(Guid patientId, int page, int pageSize)
    {
        await using var cmd = db.CreateCommand("""
            SELECT id, patient_id, specialty_id, status, closes_at, max_price, currency, window_from, window_to, bid_count, created_at
            FROM auctions WHERE patient_id = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3
            """);
        cmd.Parameters.AddWithValue(patientId);
        cmd.Parameters.AddWithValue(pageSize);
        cmd.Parameters.AddWithValue((page - 1) * pageSize);
        var list = new List<AuctionSummary>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            list.Add(new AuctionSummary(r.GetGuid(0), r.GetGuid(1), r.GetGuid(2), Enum.Parse<AuctionStatus>(r.GetString(3), true), Utc(r.GetDateTime(4)),
                r.IsDBNull(5) ? null : r.GetDecimal(5), r.GetString(6).Trim(), Utc(r.GetDateTime(7)), Utc(r.GetDateTime(8)), r.GetInt32(9), Utc(r.GetDateTime(10))));
        return list;
    }

    public async Task<IReadOnlyList<Guid>> AuctionsWithStandingBidsBy(Guid doctorId)
    {
        await using var cmd = db.CreateCommand("""
            SELECT DISTINCT a.id FROM auction_bids b JOIN auctions a ON a.id = b.auction_id
            WHERE b.doctor_id = $1 AND a.status IN ('open', 'closed')
            """);
        cmd.Parameters.AddWithValue(doctorId);
        var ids = new List<Guid>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) ids.Add(r.GetGuid(0));
        return ids;
    }

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
}

/// <summary>The embedded, storage-less development mode only.</summary>
public sealed class InMemoryMarketStore : IMarketStore
{
    private readonly ConcurrentDictionary<Guid, AuctionSummary> _auctions = new();
    private readonly ConcurrentDictionary<Guid, List<AuctionEvent>> _events = new();
    private readonly ConcurrentDictionary<(Guid DoctorId, Guid AuctionId), bool> _bidders = new();
    private readonly Dictionary<Guid, (byte[] State, Guid Etag)> _states = [];
    private readonly Dictionary<Guid, Dictionary<Guid, byte[]>> _standing = [];

    public Task<bool> Commit(AuctionCommit c)
    {
        lock (_states)
        {
            var id = c.Summary.Id;
            if (_states.TryGetValue(id, out var stored) && stored.Etag != c.ExpectedEtag) return Task.FromResult(false);
            _states[id] = (c.State, c.NewEtag);
            if (!_standing.TryGetValue(id, out var standing)) _standing[id] = standing = [];
            foreach (var row in c.Standing) standing[row.DoctorId] = row.Payload;
            foreach (var doctorId in c.Unstanding) standing.Remove(doctorId);
            _auctions[id] = c.Summary;
            foreach (var bid in c.Bids) _bidders[(bid.DoctorId, id)] = true;
            var list = _events.GetOrAdd(id, _ => []);
            lock (list) list.AddRange(c.Events);
        }
        return Task.FromResult(true);
    }

    public Task<StoredAuctionState?> LoadState(Guid auctionId)
    {
        lock (_states)
            return Task.FromResult(_states.TryGetValue(auctionId, out var stored)
                ? new StoredAuctionState(stored.State, stored.Etag, _standing.TryGetValue(auctionId, out var rows) ? [.. rows.Values] : [])
                : null);
    }

    public Task<IReadOnlyList<Guid>> AuctionsWithStandingBidsBy(Guid doctorId) =>
        Task.FromResult<IReadOnlyList<Guid>>(_bidders.Keys.Where(k => k.DoctorId == doctorId).Select(k => k.AuctionId)
            .Where(id => _auctions.TryGetValue(id, out var a) && a.Status is AuctionStatus.Open or AuctionStatus.Closed).ToList());

    public Task<IReadOnlyList<AuctionEvent>> Events(Guid auctionId, long afterSeq, int limit)
    {
        if (!_events.TryGetValue(auctionId, out var list)) return Task.FromResult<IReadOnlyList<AuctionEvent>>([]);
        lock (list) return Task.FromResult<IReadOnlyList<AuctionEvent>>(list.Where(e => e.Seq > afterSeq).OrderBy(e => e.Seq).Take(limit).ToList());
    }

    public Task<IReadOnlyList<AuctionSummary>> ForPatient(Guid patientId, int page, int pageSize) =>
        Task.FromResult<IReadOnlyList<AuctionSummary>>(_auctions.Values.Where(a => a.PatientId == patientId)
            .OrderByDescending(a => a.CreatedAt).Skip((page - 1) * pageSize).Take(pageSize).ToList());
}
