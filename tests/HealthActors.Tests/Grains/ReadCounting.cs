using System.Collections.Concurrent;
using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Booking;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace HealthActors.Tests.Grains;

/// <summary>
/// How often the rules silo read each grain's stored state and each payment's ledger, so that a test can show which
/// reads a path skips. Counts only; every call goes through to the real storage.
/// </summary>
public static class ReadCounts
{
    private static readonly ConcurrentDictionary<(string State, GrainId Grain), int> StateReads = new();
    private static readonly ConcurrentDictionary<Guid, int> LedgerReads = new();

    public static int StateReadsOf(string stateName, GrainId grain) => StateReads.GetValueOrDefault((stateName, grain));
    public static int LedgerReadsOf(Guid paymentId) => LedgerReads.GetValueOrDefault(paymentId);

    internal static void StateRead(string stateName, GrainId grain) => StateReads.AddOrUpdate((stateName, grain), 1, (_, n) => n + 1);
    internal static void LedgerRead(Guid paymentId) => LedgerReads.AddOrUpdate(paymentId, 1, (_, n) => n + 1);

    /// <summary>Wraps the grain storage registered under <paramref name="name"/> (the last registration, as resolved) with a read counter.</summary>
    public static void CountStateReads(this IServiceCollection services, string name)
    {
        var original = services.Last(d => d.ServiceType == typeof(IGrainStorage) && d.IsKeyedService && Equals(d.ServiceKey, name));
        var factory = original.KeyedImplementationFactory!;
        services.AddKeyedSingleton<IGrainStorage>(name, (sp, key) => new CountingGrainStorage((IGrainStorage)factory(sp, key)));
    }

    private sealed class CountingGrainStorage(IGrainStorage inner) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
    {
        // The provider starts (reads its queries) through the lifecycle of whatever is resolved by name.
        public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            StateRead(stateName, grainId);
            return inner.ReadStateAsync(stateName, grainId, grainState);
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.WriteStateAsync(stateName, grainId, grainState);
        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
    }
}

/// <summary>The PostgreSQL booking store, counting ledger reads (<see cref="ReadCounts.LedgerReadsOf"/>).</summary>
public sealed class LedgerReadCountingStore(IBookingStore inner) : IBookingStore
{
    public Task<bool> InsertAppointment(AppointmentSummary a, AppointmentView? booked = null) => inner.InsertAppointment(a, booked);
    public Task<AppointmentView?> BookedViewOf(Guid appointmentId) => inner.BookedViewOf(appointmentId);
    public Task UpdateStatus(Guid appointmentId, AppointmentStatus status) => inner.UpdateStatus(appointmentId, status);
    public Task<IReadOnlyList<AppointmentSummary>> ForPatient(Guid patientId, int page, int pageSize) => inner.ForPatient(patientId, page, pageSize);
    public Task<IReadOnlyList<AppointmentSummary>> ForDoctor(Guid doctorId, int page, int pageSize) => inner.ForDoctor(doctorId, page, pageSize);
    public Task<IReadOnlyList<Guid>> PatientsOf(Guid doctorId, DateTimeOffset endedAfter) => inner.PatientsOf(doctorId, endedAfter);
    public Task<IReadOnlyList<AppointmentSummary>> OccupyingOf(Guid doctorId, DateTimeOffset endedAfter) => inner.OccupyingOf(doctorId, endedAfter);
    public Task<IReadOnlyList<AppointmentSummary>> LiveOfPatient(Guid patientId, DateTimeOffset endedAfter) => inner.LiveOfPatient(patientId, endedAfter);
    public Task AppendLedger(LedgerEntry e) => inner.AppendLedger(e);

    public Task<IReadOnlyList<LedgerEntry>> LedgerOf(Guid paymentId)
    {
        ReadCounts.LedgerRead(paymentId);
        return inner.LedgerOf(paymentId);
    }
}
