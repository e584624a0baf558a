using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using HealthActors.Grains.Abstractions.Marketplace;
using Npgsql;

namespace HealthActors.Grains.Marketplace;

public interface IMarketStore
{
    Task UpsertAuction(AuctionSummary a);
    Task AppendBid(Guid auctionId, Bid bid);
    Task AppendEvent(AuctionEvent e);
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
    public async Task UpsertAuction(AuctionSummary a)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO auctions (id, patient_id, specialty_id, status, closes_at, max_price, currency, window_from, window_to, bid_count, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, closes_at = EXCLUDED.closes_at, bid_count = EXCLUDED.bid_count
            """);
        cmd.Parameters.AddWithValue(a.Id);
        cmd.Parameters.AddWithValue(a.PatientId);
        cmd.Parameters.AddWithValue(a.SpecialtyId);
        cmd.Parameters.AddWithValue(a.Status.ToString().ToLowerInvariant());
        cmd.Parameters.AddWithValue(a.ClosesAt.UtcDateTime);
        cmd.Parameters.AddWithValue((object?)a.MaxPrice ?? DBNull.Value);
        cmd.Parameters.AddWithValue(a.Currency);
        cmd.Parameters.AddWithValue(a.WindowFrom.UtcDateTime);
        cmd.Parameters.AddWithValue(a.WindowTo.UtcDateTime);
        cmd.Parameters.AddWithValue(a.BidCount);
        cmd.Parameters.AddWithValue(a.CreatedAt.UtcDateTime);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task AppendBid(Guid auctionId, Bid b)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO auction_bids (id, auction_id, doctor_id, price, slot_start, slot_end, message, placed_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING
            """);
        cmd.Parameters.AddWithValue(b.Id);
        cmd.Parameters.AddWithValue(auctionId);
        cmd.Parameters.AddWithValue(b.DoctorId);
        cmd.Parameters.AddWithValue(b.Price);
        cmd.Parameters.AddWithValue(b.SlotStart.UtcDateTime);
        cmd.Parameters.AddWithValue(b.SlotEnd.UtcDateTime);
        cmd.Parameters.AddWithValue((object?)b.Message ?? DBNull.Value);
        cmd.Parameters.AddWithValue(b.PlacedAt.UtcDateTime);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task AppendEvent(AuctionEvent e)
    {
        await using var cmd = db.CreateCommand("INSERT INTO auction_events (auction_id, seq, type, payload, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING");
        cmd.Parameters.AddWithValue(e.AuctionId);
        cmd.Parameters.AddWithValue(e.Seq);
        cmd.Parameters.AddWithValue(e.Type);
        cmd.Parameters.AddWithValue(JsonSerializer.SerializeToUtf8Bytes(e, EventJson.Options));
        cmd.Parameters.AddWithValue(e.At.UtcDateTime);
        await cmd.ExecuteNonQueryAsync();
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

    public Task UpsertAuction(AuctionSummary a) { _auctions[a.Id] = a; return Task.CompletedTask; }

    public Task AppendBid(Guid auctionId, Bid bid)
    {
        _bidders[(bid.DoctorId, auctionId)] = true;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Guid>> AuctionsWithStandingBidsBy(Guid doctorId) =>
        Task.FromResult<IReadOnlyList<Guid>>(_bidders.Keys.Where(k => k.DoctorId == doctorId).Select(k => k.AuctionId)
            .Where(id => _auctions.TryGetValue(id, out var a) && a.Status is AuctionStatus.Open or AuctionStatus.Closed).ToList());

    public Task AppendEvent(AuctionEvent e)
    {
        var list = _events.GetOrAdd(e.AuctionId, _ => []);
        lock (list) if (list.All(x => x.Seq != e.Seq)) list.Add(e);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuctionEvent>> Events(Guid auctionId, long afterSeq, int limit)
    {
        if (!_events.TryGetValue(auctionId, out var list)) return Task.FromResult<IReadOnlyList<AuctionEvent>>([]);
        lock (list) return Task.FromResult<IReadOnlyList<AuctionEvent>>(list.Where(e => e.Seq > afterSeq).OrderBy(e => e.Seq).Take(limit).ToList());
    }

    public Task<IReadOnlyList<AuctionSummary>> ForPatient(Guid patientId, int page, int pageSize) =>
        Task.FromResult<IReadOnlyList<AuctionSummary>>(_auctions.Values.Where(a => a.PatientId == patientId)
            .OrderByDescending(a => a.CreatedAt).Skip((page - 1) * pageSize).Take(pageSize).ToList());
}
