using System.Diagnostics;
using System.Net;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.TestKit;
using Npgsql;

namespace HealthActors.Bench;

/// <summary>Catalog set-up and booking requests over the public HTTP API (the test kit's driver), as an app would make them.</summary>
internal static class BookingApi
{
    /// <summary>A booking of a new key (never a retry of another), paid with the card the shipped test gateway approves.</summary>
    public static HttpRequestMessage Booking(HttpClient http, Uri api, BenchUser patient, Guid doctor, DateTimeOffset start) =>
        new ApiDriver(http, api).BookingRequest(patient.AccessToken, ApiDriver.BookingBody(doctor, start));

    /// <summary>
    /// Doctors who see patients every day around the clock (00:00-23:30 UTC, 30-minute slots), in one specialty of
    /// their own, so that any run finds all their slots free.
    /// </summary>
    public static async Task<Guid[]> CreateDoctorsAsync(HttpClient http, Uri api, BenchUser admin, int count, CancellationToken ct)
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        var driver = new ApiDriver(http, api);
        var specialtyId = await driver.CreateSpecialtyAsync(admin.AccessToken, $"Bench {run}", "Made by bench/run-booking.sh.", ct);
        var doctors = new Guid[count];
        // Each doctor is an account too: a slow password hash, so few at a time.
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = Accounts.HashParallelism, CancellationToken = ct },
            async (i, token) =>
            {
                var profile = ApiDriver.EveryDayDoctor(specialtyId, Accounts.NewPassword(), $"bench-doctor-{run}-{i}@bench.example") with
                {
                    Name = $"Dr. Bench {i}",
                    LicenseNumber = $"BENCH-{run}-{i}",
                    Bio = "Sees patients around the clock, for the booking bench.",
                };
                doctors[i] = (await driver.CreateDoctorAsync(admin.AccessToken, profile, token)).DoctorId;
            });
        return doctors;
    }
}

/// <summary>
/// Free slots, each handed out once, doctor by doctor in turn: concurrent bookings spread over every calendar and
/// never ask for the same slot, so in the spread scenario anything but a 201 is a fault.
/// </summary>
internal sealed class SlotPool
{
    private readonly Guid[] _doctors;
    private readonly DateTimeOffset[][] _starts;
    private long _next = -1;

    private SlotPool(Guid[] doctors, DateTimeOffset[][] starts)
    {
        _doctors = doctors;
        _starts = starts;
    }

    public long Capacity => _starts.Sum(s => (long)s.Length);

    public bool TryTake(out Guid doctor, out DateTimeOffset start)
    {
        var k = Interlocked.Increment(ref _next);
        var d = (int)(k % _doctors.Length);
        var i = k / _doctors.Length;
        doctor = _doctors[d];
        start = i < _starts[d].Length ? _starts[d][i] : default;
        return i < _starts[d].Length;
    }

    /// <summary>
    /// Each doctor's free slots as the public catalog lists them, from <paramref name="from"/> on over the longest
    /// range it answers. Starting well ahead keeps every reminder (an hour before the slot) out of the run.
    /// </summary>
    public static async Task<SlotPool> LoadAsync(HttpClient http, Uri api, Guid[] doctors, DateTimeOffset from, CancellationToken ct)
    {
        var to = from.AddDays(SlotCalendar.MaxRangeDays);
        var starts = new DateTimeOffset[doctors.Length][];
        var driver = new ApiDriver(http, api);
        await Parallel.ForEachAsync(Enumerable.Range(0, doctors.Length), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct },
            async (i, token) =>
            {
                starts[i] = [.. await driver.FreeSlotsAsync(doctors[i], from, to, token)];
            });
        return new SlotPool(doctors, starts);
    }
}

/// <summary>The two paths of the spread scenario: a booking of the next free slot, and the cheap read it is compared with.</summary>
internal sealed class BookingLoad(HttpClient http, Uri api, IReadOnlyList<BenchUser> patients, Guid[] doctors, SlotPool slots, string baseline)
{
    private readonly Uri[] _reads = baseline == "live"
        ? [new Uri(api, "/health/live")]
        : doctors.Select(d => new Uri(api, $"/api/doctors/{d}")).ToArray();

    /// <summary>In-flight request i books as patient i: no patient ever has two bookings in flight.</summary>
    public async Task<TurnOutcome> BookAsync(int worker, CancellationToken ct)
    {
        if (!slots.TryTake(out var doctor, out var start)) return TurnOutcome.Failed("no free slot left in the pool");
        using var request = BookingApi.Booking(http, api, patients[worker % patients.Count], doctor, start);
        using var response = await http.SendAsync(request, ct);
        var at = Stopwatch.GetTimestamp();
        return response.StatusCode == HttpStatusCode.Created ? TurnOutcome.Ok(at) : TurnOutcome.Failed(await DescribeAsync(response, ct));
    }

    public async Task<TurnOutcome> ReadAsync(int worker, CancellationToken ct)
    {
        using var response = await http.GetAsync(_reads[worker % _reads.Length], ct);
        var at = Stopwatch.GetTimestamp();
        return response.StatusCode == HttpStatusCode.OK ? TurnOutcome.Ok(at) : TurnOutcome.Failed(await DescribeAsync(response, ct));
    }

    public static async Task<string> DescribeAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        return $"HTTP {(int)response.StatusCode} {(text.Length > 200 ? text[..200] + "…" : text)}";
    }
}

/// <summary>Every response of every round of the contested scenario, and what went wrong.</summary>
internal sealed record RaceResult(
    int Rounds, int Racers, double[] AllMs, double[] LostMs, double[] WonMs, double[] RoundMs, int Violations, long OtherStatuses, string? FirstProblem);

/// <summary>
/// Rounds of one slot and many patients: all requests are built first and released together, so they reach the
/// doctor's calendar as close to at once as one client can make them. Exactly one may win; the appointments
/// table is asked too, since a second 201 could hide behind a lost response.
/// </summary>
internal static class Race
{
    public static async Task<RaceResult> RunAsync(
        HttpClient http, Uri api, IReadOnlyList<BenchUser> racers, SlotPool slots, NpgsqlDataSource db, int rounds, CancellationToken ct)
    {
        List<double> all = [], lost = [], won = [], roundMs = [];
        var violations = 0;
        long other = 0;
        string? firstProblem = null;
        for (var round = 0; round < rounds; round++)
        {
            if (!slots.TryTake(out var doctor, out var start)) throw new InvalidOperationException("no free slot left for a race");
            var requests = racers.Select(p => BookingApi.Booking(http, api, p, doctor, start)).ToArray();
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var answers = requests.Select(r => Task.Run(async () =>
            {
                await gate.Task;
                var sent = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.SendAsync(r, ct);
                    var done = Stopwatch.GetTimestamp();
                    var problem = response.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict ? null : await BookingLoad.DescribeAsync(response, ct);
                    return (Status: response.StatusCode, Ms: Stopwatch.GetElapsedTime(sent, done).TotalMilliseconds, Done: done, Problem: problem);
                }
                catch (HttpRequestException e)
                {
                    var done = Stopwatch.GetTimestamp();
                    // No HTTP status at all: neither a win nor a loss.
                    return (Status: (HttpStatusCode)0, Ms: Stopwatch.GetElapsedTime(sent, done).TotalMilliseconds, Done: done, Problem: $"{e.GetType().Name}: {e.Message}");
                }
            }, ct)).ToArray();
            var released = Stopwatch.GetTimestamp();
            gate.SetResult();
            var results = await Task.WhenAll(answers);
            foreach (var r in requests) r.Dispose();

            roundMs.Add(Stopwatch.GetElapsedTime(released, results.Max(r => r.Done)).TotalMilliseconds);
            foreach (var r in results)
            {
                all.Add(r.Ms);
                if (r.Status == HttpStatusCode.Created) won.Add(r.Ms);
                else if (r.Status == HttpStatusCode.Conflict) lost.Add(r.Ms);
                else { other++; firstProblem ??= r.Problem; }
            }
            var wins = results.Count(r => r.Status == HttpStatusCode.Created);
            var rows = await BookedRowsAsync(db, doctor, start, ct);
            if (wins != 1 || rows != 1)
            {
                violations++;
                firstProblem ??= $"round {round + 1}: {wins} responses 201 and {rows} appointment rows for one slot";
            }
        }
        return new RaceResult(rounds, racers.Count, Sorted(all), Sorted(lost), Sorted(won), Sorted(roundMs), violations, other, firstProblem);
    }

    private static async Task<long> BookedRowsAsync(NpgsqlDataSource db, Guid doctor, DateTimeOffset start, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT count(*) FROM appointments WHERE doctor_id = $1 AND lower(during) = $2 AND status <> 'cancelled'");
        cmd.Parameters.AddWithValue(doctor);
        cmd.Parameters.AddWithValue(start.UtcDateTime);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static double[] Sorted(List<double> values)
    {
        var array = values.ToArray();
        Array.Sort(array);
        return array;
    }
}
