using HealthActors.Grains.Abstractions.Consultations;
using HealthActors.Grains.Consultations;

namespace HealthActors.UnitTests.Consultations;

/// <summary>The embedded mode's store lists a doctor's consultations as the PostgreSQL one does.</summary>
public sealed class InMemoryConsultationStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid Specialty = Guid.NewGuid();

    private static async Task<Guid> Ask(InMemoryConsultationStore store, Guid patientId, DateTimeOffset at)
    {
        var id = Guid.NewGuid();
        await store.Insert(new ConsultationView(id, patientId, Specialty, "A question", [], ConsultationStatus.Open, null, at, null, null, [], null));
        return id;
    }

    [Fact]
    public async Task A_doctor_gets_only_the_ones_they_claimed_latest_claim_first_in_pages()
    {
        var store = new InMemoryConsultationStore();
        var (doctorA, doctorB, patient) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var first = await Ask(store, patient, T0);
        var second = await Ask(store, patient, T0.AddMinutes(1));
        var third = await Ask(store, patient, T0.AddMinutes(2));
        var expired = await Ask(store, patient, T0.AddMinutes(3));
        await Ask(store, patient, T0.AddMinutes(4));

        Assert.True(await store.Claim(third, doctorA, T0.AddMinutes(10)));
        Assert.True(await store.Claim(second, doctorB, T0.AddMinutes(11)));
        Assert.True(await store.Claim(first, doctorA, T0.AddMinutes(12)));
        Assert.True(await store.Close(third, T0.AddMinutes(13)));
        Assert.True(await store.Expire(expired, T0.AddMinutes(14)));

        var pageOne = await store.ForDoctor(doctorA, 1, 1);
        var pageTwo = await store.ForDoctor(doctorA, 2, 1);
        var pageThree = await store.ForDoctor(doctorA, 3, 1);
        Assert.Equal([first], pageOne.Items.Select(c => c.Id));
        Assert.Equal([third], pageTwo.Items.Select(c => c.Id));
        Assert.Equal(ConsultationStatus.Closed, pageTwo.Items[0].Status);
        Assert.Empty(pageThree.Items);
        Assert.All([pageOne, pageTwo, pageThree], p => Assert.Equal(2, p.Total));

        Assert.Equal([second], (await store.ForDoctor(doctorB, 1, 20)).Items.Select(c => c.Id));
        Assert.Equal(0, (await store.ForDoctor(patient, 1, 20)).Total);
        Assert.Equal(5, (await store.ForPatient(patient, 1, 20)).Total);
    }
}
