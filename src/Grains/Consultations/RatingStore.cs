using HealthActors.Grains.Abstractions.Consultations;
using Npgsql;
using NpgsqlTypes;

namespace HealthActors.Grains.Consultations;

/// <summary>The ratings table: the source of truth for every doctor's average, which the doctor grain only caches.</summary>
public interface IRatingStore
{
    /// <summary>False when the consultation already has a rating (the table refuses a second one).</summary>
    Task<bool> Insert(ConsultationRating rating, Guid patientId);
    Task<RatingAggregate> Aggregate(Guid doctorId);
    /// <summary>A doctor's ratings, newest first.</summary>
    Task<DoctorReviewPage> ForDoctor(Guid doctorId, int page, int pageSize);
}

public sealed class PostgresRatingStore(NpgsqlDataSource db) : IRatingStore
{
    public async Task<bool> Insert(ConsultationRating r, Guid patientId)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO consultation_ratings (consultation_id, doctor_id, patient_id, rating, comment, created_at)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (consultation_id) DO NOTHING
            """);
        cmd.Parameters.AddWithValue(r.ConsultationId);
        cmd.Parameters.AddWithValue(r.DoctorId);
        cmd.Parameters.AddWithValue(patientId);
        cmd.Parameters.AddWithValue((short)r.Rating);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)r.Comment ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.AddWithValue(r.CreatedAt.UtcDateTime);
        return await cmd.ExecuteNonQueryAsync() == 1;
    }

    public async Task<RatingAggregate> Aggregate(Guid doctorId)
    {
        await using var cmd = db.CreateCommand("SELECT coalesce(avg(rating), 0)::float8, count(*)::int FROM consultation_ratings WHERE doctor_id = $1");
        cmd.Parameters.AddWithValue(doctorId);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        return new RatingAggregate(r.GetDouble(0), r.GetInt32(1));
    }

    public async Task<DoctorReviewPage> ForDoctor(Guid doctorId, int page, int pageSize)
    {
        await using var count = db.CreateCommand("SELECT count(*)::int FROM consultation_ratings WHERE doctor_id = $1");
        count.Parameters.AddWithValue(doctorId);
        var total = (int)(await count.ExecuteScalarAsync())!;
        await using var cmd = db.CreateCommand("""
            SELECT rating, comment, created_at FROM consultation_ratings WHERE doctor_id = $1
            ORDER BY created_at DESC, consultation_id OFFSET $2 LIMIT $3
            """);
        cmd.Parameters.AddWithValue(doctorId);
        cmd.Parameters.AddWithValue((page - 1) * pageSize);
        cmd.Parameters.AddWithValue(pageSize);
        var items = new List<DoctorReview>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            items.Add(new DoctorReview(r.GetInt16(0), r.IsDBNull(1) ? null : r.GetString(1),
                new DateTimeOffset(DateTime.SpecifyKind(r.GetFieldValue<DateTime>(2), DateTimeKind.Utc))));
        return new DoctorReviewPage(items, page, pageSize, total);
    }
}

/// <summary>The embedded mode's store (no database): the same one-per-consultation rule, held in memory.</summary>
public sealed class InMemoryRatingStore : IRatingStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, ConsultationRating> _byConsultation = [];

    public Task<bool> Insert(ConsultationRating rating, Guid patientId)
    {
        lock (_gate) return Task.FromResult(_byConsultation.TryAdd(rating.ConsultationId, rating));
    }

    public Task<RatingAggregate> Aggregate(Guid doctorId)
    {
        lock (_gate)
        {
            var mine = _byConsultation.Values.Where(r => r.DoctorId == doctorId).ToList();
            return Task.FromResult(mine.Count == 0 ? RatingAggregate.None : new RatingAggregate(mine.Average(r => r.Rating), mine.Count));
        }
    }

    public Task<DoctorReviewPage> ForDoctor(Guid doctorId, int page, int pageSize)
    {
        lock (_gate)
        {
            var mine = _byConsultation.Values.Where(r => r.DoctorId == doctorId)
                .OrderByDescending(r => r.CreatedAt).ThenBy(r => r.ConsultationId).ToList();
            var items = mine.Skip((page - 1) * pageSize).Take(pageSize).Select(r => new DoctorReview(r.Rating, r.Comment, r.CreatedAt)).ToList();
            return Task.FromResult(new DoctorReviewPage(items, page, pageSize, mine.Count));
        }
    }
}
