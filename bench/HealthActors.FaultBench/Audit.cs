using System.Text;
using Npgsql;

namespace HealthActors.FaultBench;

public static class FindingKinds
{
    public const string Lost = "acknowledged write lost";
    public const string DoubleBooking = "double booking";
    public const string DoubleCharge = "double charge";
    public const string ChargedNotBooked = "charged without a booking";
    public const string WatcherMissing = "watcher event missing";
    public const string WatcherOrder = "watcher event out of order";
}

/// <summary>Something the check against PostgreSQL found, at a moment of the run (the acknowledgement or the stored row).</summary>
public sealed record Finding(string Kind, double At, string Detail);

/// <summary>
/// After the run: every acknowledged write looked up in PostgreSQL, the appointments and the payment ledger searched
/// for overlaps and repeated captures, and each watcher's applied events compared with the auction's stored ones.
/// </summary>
public sealed class Audit(NpgsqlDataSource db, RunClock clock, string serviceId)
{
    public List<Finding> Findings { get; } = [];
    public int Checked { get; private set; }

    public async Task RunAsync(Acknowledged acks, IReadOnlyList<Patient> patients, IReadOnlyList<Doctor> doctors, IReadOnlyList<AuctionWatcher> watchers)
    {
        await ProfilesAsync(acks);
        await RowsAsync(acks, "record", "SELECT record_id FROM health_records WHERE record_id = ANY($1)");
        await RowsAsync(acks, "bid", "SELECT id FROM auction_bids WHERE id = ANY($1)");
        await RowsAsync(acks, "chat message", "SELECT id FROM chat_messages WHERE id = ANY($1)");
        await BookingsAsync(acks, patients, doctors);
        foreach (var w in watchers) await WatcherAsync(w);
    }

    /// <summary>
    /// The stored profile is the last acknowledged write or a later attempt whose answer was lost. The patient grain's
    /// state is Orleans-serialized bytes in which the first name is plain UTF-8, so its write number is read from there.
    /// </summary>
    private async Task ProfilesAsync(Acknowledged acks)
    {
        foreach (var group in acks.Profiles.GroupBy(a => a.Patient))
        {
            var prefix = Encoding.UTF8.GetBytes(Traffic.ProfilePrefix(group.Key));
            await using var cmd = db.CreateCommand(
                "SELECT payload_binary FROM orleans_grain_state WHERE service_id = $1 AND position($2::bytea IN payload_binary) > 0");
            cmd.Parameters.AddWithValue(serviceId);
            cmd.Parameters.AddWithValue(prefix);
            var stored = 0;
            await using (var reader = await cmd.ExecuteReaderAsync())
                while (await reader.ReadAsync())
                    stored = Math.Max(stored, WriteNumber((byte[])reader[0], prefix));
            foreach (var lost in group.Where(a => a.N > stored))
                Findings.Add(new Finding(FindingKinds.Lost, lost.At, $"patient {group.Key}: profile write {lost.N} answered 200, stored is write {stored}"));
            Checked += group.Count();
        }
    }

    private static int WriteNumber(byte[] payload, byte[] prefix)
    {
        var at = payload.AsSpan().IndexOf(prefix);
        if (at < 0 || at + prefix.Length + 6 > payload.Length) return 0;
        return int.Parse(Encoding.UTF8.GetString(payload, at + prefix.Length, 6), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task RowsAsync(Acknowledged acks, string kind, string sql)
    {
        var wanted = acks.Rows.Where(r => r.Kind == kind).ToList();
        var found = await IdsAsync(sql, wanted.Select(r => r.Id).ToArray());
        foreach (var lost in wanted.Where(r => !found.Contains(r.Id)))
            Findings.Add(new Finding(FindingKinds.Lost, lost.At, $"{kind} {lost.Id} answered 2xx, no row"));
        Checked += wanted.Count;
    }

    private async Task BookingsAsync(Acknowledged acks, IReadOnlyList<Patient> patients, IReadOnlyList<Doctor> doctors)
    {
        var bookings = acks.Bookings.ToList();
        var booked = await IdsAsync("SELECT id FROM appointments WHERE id = ANY($1) AND status = 'booked'", bookings.Select(b => b.Appointment).ToArray());
        var captured = await IdsAsync("SELECT payment_id FROM payment_ledger WHERE payment_id = ANY($1) AND event = 'captured'", bookings.Select(b => b.Payment).ToArray());
        foreach (var b in bookings)
        {
            if (!booked.Contains(b.Appointment)) Findings.Add(new Finding(FindingKinds.Lost, b.At, $"booking {b.Appointment} answered 201, not booked in appointments"));
            if (!captured.Contains(b.Payment)) Findings.Add(new Finding(FindingKinds.Lost, b.At, $"booking {b.Appointment} answered 201, payment {b.Payment} not captured"));
        }
        Checked += bookings.Count;

        // Two 201s for one doctor and start with different appointments: a double booking as the patients see it.
        foreach (var slot in bookings.GroupBy(b => (b.Doctor, b.Start)).Where(g => g.Select(b => b.Appointment).Distinct().Count() > 1))
            Findings.Add(new Finding(FindingKinds.DoubleBooking, slot.Max(b => b.At), $"doctor {slot.Key.Doctor} at {slot.Key.Start:O}: {slot.Count()} appointments answered 201"));

        var doctorIds = doctors.Select(d => d.Id).ToArray();
        await using (var cmd = db.CreateCommand("""
            SELECT b.created_at, a.id, b.id FROM appointments a
            JOIN appointments b ON a.doctor_id = b.doctor_id AND a.id < b.id AND a.during && b.during
            WHERE a.doctor_id = ANY($1) AND a.status <> 'cancelled' AND b.status <> 'cancelled'
            """))
        {
            cmd.Parameters.AddWithValue(doctorIds);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                Findings.Add(new Finding(FindingKinds.DoubleBooking, At(reader.GetDateTime(0)), $"appointments {reader.GetGuid(1)} and {reader.GetGuid(2)} overlap"));
        }

        var payers = patients.Select(p => p.Id).ToArray();
        await using (var cmd = db.CreateCommand("""
            SELECT coalesce(appointment_id, payment_id), count(*), max(at) FROM payment_ledger
            WHERE payer_id = ANY($1) AND event = 'captured'
            GROUP BY coalesce(appointment_id, payment_id) HAVING count(*) > 1
            """))
        {
            cmd.Parameters.AddWithValue(payers);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                Findings.Add(new Finding(FindingKinds.DoubleCharge, At(reader.GetDateTime(2)), $"appointment/payment {reader.GetGuid(0)} captured {reader.GetInt64(1)} times"));
        }

        // Money taken for nothing: a capture whose appointment is not booked and that was not refunded.
        await using (var cmd = db.CreateCommand("""
            SELECT l.payment_id, l.at FROM payment_ledger l
            WHERE l.payer_id = ANY($1) AND l.event = 'captured'
              AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.id = l.appointment_id AND a.status = 'booked')
              AND NOT EXISTS (SELECT 1 FROM payment_ledger r WHERE r.payment_id = l.payment_id AND r.event = 'refunded')
            """))
        {
            cmd.Parameters.AddWithValue(payers);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                Findings.Add(new Finding(FindingKinds.ChargedNotBooked, At(reader.GetDateTime(1)), $"payment {reader.GetGuid(0)} captured, no booked appointment, no refund"));
        }
    }

    /// <summary>Each stored event of the auction applied once, in order, by its watcher.</summary>
    private async Task WatcherAsync(AuctionWatcher watcher)
    {
        var stored = await StoredEventsAsync(watcher.Auction);
        var applied = watcher.Applied.Select(a => a.Seq).ToHashSet();
        foreach (var (seq, at) in stored.Where(s => !applied.Contains(s.Seq)))
            Findings.Add(new Finding(FindingKinds.WatcherMissing, at, $"auction {watcher.Auction}: event {seq} never reached its watcher"));
        foreach (var at in watcher.Violations)
            Findings.Add(new Finding(FindingKinds.WatcherOrder, at, $"auction {watcher.Auction}: an event arrived out of order or twice"));
        var known = stored.Select(s => s.Seq).ToHashSet();
        foreach (var (seq, at) in watcher.Applied.Where(a => !known.Contains(a.Seq)))
            Findings.Add(new Finding(FindingKinds.WatcherOrder, at, $"auction {watcher.Auction}: event {seq} reached its watcher but is not stored"));
    }

    public async Task<List<(long Seq, double At)>> StoredEventsAsync(Guid auction)
    {
        await using var cmd = db.CreateCommand("SELECT seq, at FROM auction_events WHERE auction_id = $1 ORDER BY seq");
        cmd.Parameters.AddWithValue(auction);
        await using var reader = await cmd.ExecuteReaderAsync();
        var events = new List<(long, double)>();
        while (await reader.ReadAsync()) events.Add((reader.GetInt64(0), At(reader.GetDateTime(1))));
        return events;
    }

    private async Task<HashSet<Guid>> IdsAsync(string sql, Guid[] ids)
    {
        await using var cmd = db.CreateCommand(sql);
        cmd.Parameters.AddWithValue(ids);
        await using var reader = await cmd.ExecuteReaderAsync();
        var found = new HashSet<Guid>();
        while (await reader.ReadAsync()) found.Add(reader.GetGuid(0));
        return found;
    }

    private double At(DateTime utc) => clock.Of(new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)));
}
