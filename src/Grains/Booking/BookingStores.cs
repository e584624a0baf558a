using HealthActors.Grains.Abstractions.Booking;
using Npgsql;
using Orleans.Serialization;

namespace HealthActors.Grains.Booking;

public sealed record LedgerEntry(Guid PaymentId, Guid? AppointmentId, Guid PayerId, string Event, decimal Amount, string Currency,
    string Brand, string Last4, string? TransactionId, string? Detail, DateTimeOffset At);

/// <summary>The appointments table (overlap guard and listings) and the payment ledger.</summary>
public interface IBookingStore
{
    /// <summary>
    /// False when the doctor already has a live appointment overlapping this one. <paramref name="booked"/>, when given,
    /// is stored in the same row (<see cref="BookedViewOf"/>).
    /// </summary>
    Task<bool> InsertAppointment(AppointmentSummary a, AppointmentView? booked = null);
    /// <summary>The appointment as its booking stored it with its row; null if the row has none (or there is no row).</summary>
    Task<AppointmentView?> BookedViewOf(Guid appointmentId);
    Task UpdateStatus(Guid appointmentId, AppointmentStatus status);
    Task<IReadOnlyList<AppointmentSummary>> ForPatient(Guid patientId, int page, int pageSize);
    Task<IReadOnlyList<AppointmentSummary>> ForDoctor(Guid doctorId, int page, int pageSize);
    /// <summary>The distinct patients with an appointment of this doctor ending after <paramref name="endedAfter"/>, whatever its status.</summary>
    Task<IReadOnlyList<Guid>> PatientsOf(Guid doctorId, DateTimeOffset endedAfter);
    /// <summary>The doctor's appointments that still occupy their time (any status but cancelled) ending after <paramref name="endedAfter"/>.</summary>
    Task<IReadOnlyList<AppointmentSummary>> OccupyingOf(Guid doctorId, DateTimeOffset endedAfter);
    /// <summary>The patient's appointments that are not cancelled and end after <paramref name="endedAfter"/>: what grants doctors a read.</summary>
    Task<IReadOnlyList<AppointmentSummary>> LiveOfPatient(Guid patientId, DateTimeOffset endedAfter);
    Task AppendLedger(LedgerEntry e);
    /// <summary>Every row of one payment, in the order written: the payment grain's state.</summary>
    Task<IReadOnlyList<LedgerEntry>> LedgerOf(Guid paymentId);
}

public sealed class PostgresBookingStore(NpgsqlDataSource db, Serializer serializer) : IBookingStore
{
    public async Task<bool> InsertAppointment(AppointmentSummary a, AppointmentView? booked = null)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO appointments (id, doctor_id, patient_id, during, status, booked_view)
            VALUES ($1, $2, $3, tstzrange($4, $5, '[)'), 'booked', $6) ON CONFLICT (id) DO NOTHING
            """);
        cmd.Parameters.AddWithValue(a.Id);
        cmd.Parameters.AddWithValue(a.DoctorId);
        cmd.Parameters.AddWithValue(a.PatientId);
        cmd.Parameters.AddWithValue(a.Start.UtcDateTime);
        cmd.Parameters.AddWithValue(a.End.UtcDateTime);
        cmd.Parameters.Add(new NpgsqlParameter<byte[]?> { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea, TypedValue = booked is null ? null : serializer.SerializeToArray(booked) });
        try
        {
            await cmd.ExecuteNonQueryAsync();
            return true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ExclusionViolation)
        {
            return false;
        }
    }

    public async Task<AppointmentView?> BookedViewOf(Guid appointmentId)
    {
        await using var cmd = db.CreateCommand("SELECT booked_view FROM appointments WHERE id = $1");
        cmd.Parameters.AddWithValue(appointmentId);
        return await cmd.ExecuteScalarAsync() is byte[] bytes ? serializer.Deserialize<AppointmentView>(bytes) : null;
    }

    public async Task UpdateStatus(Guid appointmentId, AppointmentStatus status)
    {
        await using var cmd = db.CreateCommand("UPDATE appointments SET status = $2, updated_at = now() WHERE id = $1");
        cmd.Parameters.AddWithValue(appointmentId);
        cmd.Parameters.AddWithValue(StatusName(status));
        await cmd.ExecuteNonQueryAsync();
    }

    public Task<IReadOnlyList<AppointmentSummary>> ForPatient(Guid patientId, int page, int pageSize) => List("patient_id", patientId, page, pageSize);
    public Task<IReadOnlyList<AppointmentSummary>> ForDoctor(Guid doctorId, int page, int pageSize) => List("doctor_id", doctorId, page, pageSize);

    private async Task<IReadOnlyList<AppointmentSummary>> List(string column, Guid id, int page, int pageSize)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT id, patient_id, doctor_id, lower(during), upper(during), status FROM appointments
            WHERE {column} = $1 ORDER BY lower(during) DESC, id LIMIT $2 OFFSET $3
            """);
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(pageSize);
        cmd.Parameters.AddWithValue((page - 1) * pageSize);
        var list = new List<AppointmentSummary>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            list.Add(new AppointmentSummary(r.GetGuid(0), r.GetGuid(1), r.GetGuid(2), Utc(r.GetDateTime(3)), Utc(r.GetDateTime(4)), ParseStatus(r.GetString(5))));
        return list;
    }

    public async Task<IReadOnlyList<Guid>> PatientsOf(Guid doctorId, DateTimeOffset endedAfter)
    {
        await using var cmd = db.CreateCommand("SELECT DISTINCT patient_id FROM appointments WHERE doctor_id = $1 AND upper(during) > $2");
        cmd.Parameters.AddWithValue(doctorId);
        cmd.Parameters.AddWithValue(endedAfter.UtcDateTime);
        var ids = new List<Guid>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) ids.Add(r.GetGuid(0));
        return ids;
    }

    // The same rows the exclusion constraint compares (status <> 'cancelled'), so the grain's calendar and the
    // table's guard agree on what is taken.
    public Task<IReadOnlyList<AppointmentSummary>> OccupyingOf(Guid doctorId, DateTimeOffset endedAfter) =>
        NotCancelled("doctor_id", doctorId, endedAfter);

    public Task<IReadOnlyList<AppointmentSummary>> LiveOfPatient(Guid patientId, DateTimeOffset endedAfter) =>
        NotCancelled("patient_id", patientId, endedAfter);

    /// <param name="keyColumn">doctor_id or patient_id: a column name from this class, never from input.</param>
    private async Task<IReadOnlyList<AppointmentSummary>> NotCancelled(string keyColumn, Guid id, DateTimeOffset endedAfter)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT id, patient_id, doctor_id, lower(during), upper(during), status FROM appointments
            WHERE {keyColumn} = $1 AND status <> 'cancelled' AND upper(during) > $2
            """);
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(endedAfter.UtcDateTime);
        var list = new List<AppointmentSummary>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            list.Add(new AppointmentSummary(r.GetGuid(0), r.GetGuid(1), r.GetGuid(2), Utc(r.GetDateTime(3)), Utc(r.GetDateTime(4)), ParseStatus(r.GetString(5))));
        return list;
    }

    public async Task AppendLedger(LedgerEntry e)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO payment_ledger (payment_id, appointment_id, payer_id, event, amount, currency, brand, last4, transaction_id, detail, at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            """);
        cmd.Parameters.AddWithValue(e.PaymentId);
        cmd.Parameters.AddWithValue((object?)e.AppointmentId ?? DBNull.Value);
        cmd.Parameters.AddWithValue(e.PayerId);
        cmd.Parameters.AddWithValue(e.Event);
        cmd.Parameters.AddWithValue(e.Amount);
        cmd.Parameters.AddWithValue(e.Currency);
        cmd.Parameters.AddWithValue(e.Brand);
        cmd.Parameters.AddWithValue(e.Last4);
        cmd.Parameters.AddWithValue((object?)e.TransactionId ?? DBNull.Value);
        cmd.Parameters.AddWithValue((object?)e.Detail ?? DBNull.Value);
        cmd.Parameters.AddWithValue(e.At.UtcDateTime);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<IReadOnlyList<LedgerEntry>> LedgerOf(Guid paymentId)
    {
        await using var cmd = db.CreateCommand("""
            SELECT appointment_id, payer_id, event, amount, currency, brand, last4, transaction_id, detail, at
            FROM payment_ledger WHERE payment_id = $1 ORDER BY id
            """);
        cmd.Parameters.AddWithValue(paymentId);
        var rows = new List<LedgerEntry>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            rows.Add(new LedgerEntry(paymentId, r.IsDBNull(0) ? null : r.GetGuid(0), r.GetGuid(1), r.GetString(2), r.GetDecimal(3), r.GetString(4),
                r.GetString(5), r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8), Utc(r.GetDateTime(9))));
        return rows;
    }

    internal static string StatusName(AppointmentStatus s) => s switch
    {
        AppointmentStatus.Booked => "booked",
        AppointmentStatus.Completed => "completed",
        AppointmentStatus.NoShow => "noshow",
        _ => "cancelled",
    };

    private static AppointmentStatus ParseStatus(string s) => s switch
    {
        "booked" => AppointmentStatus.Booked,
        "completed" => AppointmentStatus.Completed,
        "noshow" => AppointmentStatus.NoShow,
        _ => AppointmentStatus.Cancelled,
    };

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
}

/// <summary>The embedded, storage-less development mode only; enforces the same no-overlap rule in memory.</summary>
public sealed class InMemoryBookingStore : IBookingStore
{
    private readonly object _gate = new();
    private readonly Dictionary<Guid, AppointmentSummary> _appointments = [];
    private readonly Dictionary<Guid, AppointmentView> _booked = [];
    private readonly List<LedgerEntry> _ledger = [];

    public Task<bool> InsertAppointment(AppointmentSummary a, AppointmentView? booked = null)
    {
        lock (_gate)
        {
            if (_appointments.ContainsKey(a.Id)) return Task.FromResult(true);
            if (_appointments.Values.Any(x => x.DoctorId == a.DoctorId && x.Status != AppointmentStatus.Cancelled && x.Start < a.End && a.Start < x.End))
                return Task.FromResult(false);
            _appointments[a.Id] = a;
            if (booked is not null) _booked[a.Id] = booked;
            return Task.FromResult(true);
        }
    }

    public Task<AppointmentView?> BookedViewOf(Guid appointmentId)
    {
        lock (_gate) return Task.FromResult(_booked.GetValueOrDefault(appointmentId));
    }

    public Task UpdateStatus(Guid appointmentId, AppointmentStatus status)
    {
        lock (_gate)
            if (_appointments.TryGetValue(appointmentId, out var a)) _appointments[appointmentId] = a with { Status = status };
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AppointmentSummary>> ForPatient(Guid patientId, int page, int pageSize) => List(a => a.PatientId == patientId, page, pageSize);
    public Task<IReadOnlyList<AppointmentSummary>> ForDoctor(Guid doctorId, int page, int pageSize) => List(a => a.DoctorId == doctorId, page, pageSize);

    private Task<IReadOnlyList<AppointmentSummary>> List(Func<AppointmentSummary, bool> filter, int page, int pageSize)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<AppointmentSummary>>(_appointments.Values.Where(filter)
                .OrderByDescending(a => a.Start).ThenBy(a => a.Id).Skip((page - 1) * pageSize).Take(pageSize).ToList());
    }

    public Task<IReadOnlyList<Guid>> PatientsOf(Guid doctorId, DateTimeOffset endedAfter)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<Guid>>(_appointments.Values.Where(a => a.DoctorId == doctorId && a.End > endedAfter)
                .Select(a => a.PatientId).Distinct().ToList());
    }

    public Task<IReadOnlyList<AppointmentSummary>> OccupyingOf(Guid doctorId, DateTimeOffset endedAfter)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<AppointmentSummary>>(_appointments.Values
                .Where(a => a.DoctorId == doctorId && a.Status != AppointmentStatus.Cancelled && a.End > endedAfter).ToList());
    }

    public Task<IReadOnlyList<AppointmentSummary>> LiveOfPatient(Guid patientId, DateTimeOffset endedAfter)
    {
        lock (_gate)
            return Task.FromResult<IReadOnlyList<AppointmentSummary>>(_appointments.Values
                .Where(a => a.PatientId == patientId && a.Status != AppointmentStatus.Cancelled && a.End > endedAfter).ToList());
    }

    public Task AppendLedger(LedgerEntry e)
    {
        lock (_gate) _ledger.Add(e);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<LedgerEntry>> LedgerOf(Guid paymentId)
    {
        lock (_gate) return Task.FromResult<IReadOnlyList<LedgerEntry>>(_ledger.Where(e => e.PaymentId == paymentId).ToList());
    }
}
