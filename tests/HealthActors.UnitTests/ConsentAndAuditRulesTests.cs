using HealthActors.Grains.Abstractions.Audit;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Patients;
using HealthActors.Grains.Audit;

namespace HealthActors.UnitTests;

public sealed class ConsentAndAuditRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 16, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_consent_without_an_end_runs_to_the_cap_and_one_beyond_it_or_in_the_past_is_refused()
    {
        var e = new ValidationErrors();
        Assert.Equal(Now + ConsentRules.MaxDuration, ConsentRules.Until(e, null, Now));
        var inMadrid = new DateTimeOffset(2027, 1, 1, 9, 0, 0, TimeSpan.FromHours(1));
        Assert.Equal(TimeSpan.Zero, ConsentRules.Until(e, inMadrid, Now)!.Value.Offset);
        Assert.True(e.IsValid);

        foreach (var bad in new[] { Now, Now.AddSeconds(-1), Now + ConsentRules.MaxDuration + TimeSpan.FromSeconds(1) })
        {
            var errors = new ValidationErrors();
            Assert.Null(ConsentRules.Until(errors, bad, Now));
            Assert.Contains("until", errors.ToDictionary().Keys);
        }
    }

    [Fact]
    public void The_patient_and_the_empty_id_are_not_doctors()
    {
        var patient = Guid.NewGuid();
        foreach (var id in new[] { Guid.Empty, patient })
        {
            var e = new ValidationErrors();
            ConsentRules.DoctorId(e, id, patient);
            Assert.Contains("doctorId", e.ToDictionary().Keys);
        }
        var ok = new ValidationErrors();
        ConsentRules.DoctorId(ok, Guid.NewGuid(), patient);
        Assert.True(ok.IsValid);
    }

    [Fact]
    public void Audit_cursors_round_trip_and_foreign_text_is_not_a_cursor()
    {
        var at = new DateTimeOffset(2026, 12, 3, 16, 0, 0, 123, TimeSpan.Zero).AddTicks(4560);
        Assert.Equal((at, 987654321L), AuditRules.DecodeCursor(AuditRules.EncodeCursor(at, 987654321L)));
        foreach (var junk in new[] { "", "abc!", "bm9wZQ", new string('a', 65), Convert.ToBase64String("1:x"u8.ToArray()) })
            Assert.Null(AuditRules.DecodeCursor(junk));
    }

    [Fact]
    public async Task The_in_memory_log_pages_newest_first_by_time_then_id_with_no_gap_or_repeat()
    {
        var log = new InMemoryAuditLog();
        var patient = Guid.NewGuid();
        // Three events share one instant: only the id can order them, and a page boundary falls among them.
        var times = new[] { Now, Now.AddSeconds(1), Now.AddSeconds(1), Now.AddSeconds(1), Now.AddSeconds(2) };
        foreach (var at in times) await log.Record(new AuditEvent(at, Guid.NewGuid(), "doctor", "patient.profile.read", patient, "consent"));
        await log.Record(new AuditEvent(Now.AddSeconds(1), Guid.NewGuid(), "doctor", "patient.profile.read", Guid.NewGuid(), null));

        var all = await log.Page(new AuditQuery(patient, null, null, 100));
        Assert.Equal(5, all.Count);
        Assert.Equal(all.OrderByDescending(e => e.Event.At).ThenByDescending(e => e.Id).Select(e => e.Id), all.Select(e => e.Id));

        var walked = new List<long>();
        var query = new AuditQuery(patient, null, null, 2);
        while (true)
        {
            var page = await log.Page(query);
            walked.AddRange(page.Select(e => e.Id));
            if (page.Count < 2) break;
            query = query with { BeforeAt = page[^1].Event.At, BeforeId = page[^1].Id };
        }
        Assert.Equal(all.Select(e => e.Id), walked);

        var window = await log.Page(new AuditQuery(patient, Now.AddSeconds(1), Now.AddSeconds(2), 100));
        Assert.Equal(3, window.Count);
        Assert.All(window, e => Assert.Equal(Now.AddSeconds(1), e.Event.At));
    }

    [Theory]
    [InlineData("admin", "admin", false)]
    [InlineData("consent", "consent", false)]
    [InlineData("appointment 6f1c1a7e-1111-4c3b-9a55-0c3f1e0c2d44", "appointment", true)]
    [InlineData("appointment", "appointment", false)]
    [InlineData("no profile", null, false)]
    [InlineData("the doctor no longer practises here", null, false)]
    [InlineData(null, null, false)]
    public void The_grant_is_read_back_from_what_AuthorizeRead_wrote(string? detail, string? basis, bool hasAppointment)
    {
        var (parsed, appointment) = AuditRules.ParseGrant(detail);
        Assert.Equal(basis, parsed);
        Assert.Equal(hasAppointment, appointment is not null);
    }
}
