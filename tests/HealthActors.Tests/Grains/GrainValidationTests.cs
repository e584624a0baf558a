using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Consultations;
using HealthActors.Grains.Abstractions.Identity;
using HealthActors.Grains.Abstractions.Marketplace;

namespace HealthActors.Tests.Grains;

/// <summary>
/// Each state-changing grain checks its own input, whoever calls it: called directly (no endpoint in front) with
/// bad input it answers the field errors the endpoint would, and writes nothing.
/// </summary>
[Collection(RulesCollection.Name)]
public sealed class GrainValidationTests(RulesClusterFixture fx)
{
    private static void AssertInvalid<T>(Outcome<T> outcome, params string[] fields)
    {
        Assert.False(outcome.IsOk, "expected the grain to refuse the input");
        Assert.Equal(FailureKind.Invalid, outcome.Failure!.Kind);
        var errors = outcome.Failure.FieldErrors();
        foreach (var field in fields) Assert.True(errors.ContainsKey(field), $"expected an error for {field}, got {string.Join(", ", errors.Keys)}");
    }

    private static AuctionSpec Spec(Guid specialtyId, decimal? maxPrice = 80m, string currency = "USD", DateTimeOffset? from = null, DateTimeOffset? to = null,
        DateTimeOffset? closesAt = null)
    {
        var start = from ?? DateTimeOffset.UtcNow.AddDays(1);
        return new AuctionSpec("itchy rash on both arms", specialtyId, maxPrice, currency, start, to ?? start.AddDays(1), closesAt ?? DateTimeOffset.UtcNow.AddHours(1));
    }

    [Fact]
    public async Task Auction_create_refuses_a_bad_spec_and_stores_nothing()
    {
        var specialty = await fx.SpecialtyAsync();
        var patient = new Caller(Guid.NewGuid(), Roles.Patient);
        var now = DateTimeOffset.UtcNow;
        var cases = new (AuctionSpec Spec, string Field)[]
        {
            (Spec(specialty) with { Symptoms = "" }, "symptoms"),
            (Spec(specialty) with { Currency = "XXX" }, "currency"),
            (Spec(specialty, closesAt: now.AddDays(8)), "closesAt"),
            // The holes: a window that starts in the past, one over before bidding ends, a yen amount with decimals.
            (Spec(specialty, from: now.AddHours(-3), to: now.AddHours(5)), "window.from"),
            (Spec(specialty, from: now.AddMinutes(10), to: now.AddMinutes(40), closesAt: now.AddHours(1)), "window.to"),
            (Spec(specialty, maxPrice: 5000.5m, currency: "JPY"), "maxPrice"),
        };
        foreach (var (spec, field) in cases)
        {
            var auction = fx.Grains.GetGrain<IAuctionGrain>(Guid.NewGuid());
            AssertInvalid(await auction.Create(patient, spec), field);
            Assert.Null(await auction.Get(patient));
        }
        Assert.Empty(await fx.Grains.GetGrain<IAuctionQueryGrain>(0).ForPatient(patient.UserId, 1, 20));
        // The same spec with whole yen is fine.
        Assert.True((await fx.Grains.GetGrain<IAuctionGrain>(Guid.NewGuid()).Create(patient, Spec(specialty, maxPrice: 5000m, currency: "JPY"))).IsOk);
    }

    [Fact]
    public async Task A_bad_bid_is_refused_by_the_auction_with_no_hold_taken()
    {
        var specialty = await fx.SpecialtyAsync();
        var doctor = await fx.DoctorAsync(specialty);
        var patient = new Caller(Guid.NewGuid(), Roles.Patient);
        var from = RulesClusterFixture.TomorrowMorning();
        var auction = fx.Grains.GetGrain<IAuctionGrain>(Guid.NewGuid());
        Assert.True((await auction.Create(patient, Spec(specialty, maxPrice: null, currency: "JPY", from: from, to: from.AddHours(4)))).IsOk);
        var slot = from.AddHours(1);

        AssertInvalid(await auction.PlaceBid(doctor, -5m, slot, null), "price");
        AssertInvalid(await auction.PlaceBid(doctor, 40m, default, null), "slotStart");
        AssertInvalid(await auction.PlaceBid(doctor, 40m, slot, "bad\u0001message"), "message");
        AssertInvalid(await auction.PlaceBid(doctor, 0.5m, slot, null), "price");

        Assert.Empty((await auction.Get(patient))!.Bids);
        var free = await fx.Grains.GetGrain<IDoctorGrain>(doctor.UserId).GetFreeSlots(slot, slot.AddMinutes(30));
        Assert.Contains(free!.Slots, s => s.Start == slot);
        Assert.True((await auction.PlaceBid(doctor, 4000m, slot, null)).IsOk);
    }

    [Fact]
    public async Task Accept_checks_the_card_the_key_and_the_bid_before_anything_happens()
    {
        var specialty = await fx.SpecialtyAsync();
        var doctor = await fx.DoctorAsync(specialty);
        var patient = new Caller(Guid.NewGuid(), Roles.Patient);
        var from = RulesClusterFixture.TomorrowMorning();
        var auction = fx.Grains.GetGrain<IAuctionGrain>(Guid.NewGuid());
        Assert.True((await auction.Create(patient, Spec(specialty, from: from, to: from.AddHours(4)))).IsOk);
        var bid = await auction.PlaceBid(doctor, 50m, from.AddHours(1), null);
        Assert.True(bid.IsOk, bid.Failure?.Detail);

        AssertInvalid(await auction.Accept(patient, bid.Value!.Id, RulesClusterFixture.Card("4242424242424241"), "key-1"), "payment.cardNumber");
        AssertInvalid(await auction.Accept(patient, bid.Value.Id, RulesClusterFixture.Card(cvc: "12"), "key-2"), "payment.cvc");
        AssertInvalid(await auction.Accept(patient, bid.Value.Id, RulesClusterFixture.Card(), " "), "Idempotency-Key");
        AssertInvalid(await auction.Accept(patient, Guid.Empty, RulesClusterFixture.Card(), "key-3"), "bidId");

        var view = (await auction.Get(patient))!;
        Assert.Equal(AuctionStatus.Open, view.Status);
        Assert.Null(view.AppointmentId);
        Assert.Empty(await fx.Grains.GetGrain<IAppointmentQueryGrain>(0).ForPatient(patient.UserId, 1, 20));
    }

    [Fact]
    public async Task Booking_grains_refuse_a_bad_command_with_no_appointment_and_no_hold()
    {
        var doctor = await fx.DoctorAsync();
        var patientId = Guid.NewGuid();
        var slot = RulesClusterFixture.SlotAfter(DateTimeOffset.UtcNow.AddHours(3));
        var good = RulesClusterFixture.Booking(patientId, doctor.UserId, slot);
        var cases = new (BookingCommand Command, string Field)[]
        {
            (good with { DoctorId = Guid.Empty }, "doctorId"),
            (good with { Start = default }, "start"),
            (good with { Reason = " " }, "reason"),
            (good with { Reason = new string('r', 501) }, "reason"),
            (good with { Card = RulesClusterFixture.Card("1234") }, "payment.cardNumber"),
            (good with { Card = RulesClusterFixture.Card() with { ExpYear = 2001 } }, "payment.expYear"),
            (good with { Card = null! }, "payment"),
        };
        foreach (var (command, field) in cases)
        {
            var appointment = fx.Grains.GetGrain<IAppointmentGrain>(Guid.NewGuid());
            AssertInvalid(await appointment.Book(command), field);
            Assert.Null(await appointment.Get(new Caller(patientId, Roles.Patient)));
            AssertInvalid(await fx.Grains.GetGrain<IBookingRequestGrain>(Guid.NewGuid()).Book(command), field);
        }
        Assert.Empty(await fx.Grains.GetGrain<IAppointmentQueryGrain>(0).ForPatient(patientId, 1, 20));
        var free = await fx.Grains.GetGrain<IDoctorGrain>(doctor.UserId).GetFreeSlots(slot, slot.AddMinutes(30));
        Assert.Contains(free!.Slots, s => s.Start == slot);

        // A request refused as invalid kept nothing: the same key then books normally.
        var key = Guid.NewGuid();
        AssertInvalid(await fx.Grains.GetGrain<IBookingRequestGrain>(key).Book(good with { Reason = "" }), "reason");
        Assert.True((await fx.Grains.GetGrain<IBookingRequestGrain>(key).Book(good)).IsOk);
    }

    [Fact]
    public async Task Doctor_set_profile_refuses_a_bad_profile_and_keeps_the_old_one()
    {
        var specialty = await fx.SpecialtyAsync();
        var doctorId = Guid.NewGuid();
        var grain = fx.Grains.GetGrain<IDoctorGrain>(doctorId);
        var good = RulesClusterFixture.Profile(specialty);

        AssertInvalid(await grain.SetProfile(good with { Languages = [] }), "languages");
        AssertInvalid(await grain.SetProfile(good with { Name = "" }), "name");
        AssertInvalid(await grain.SetProfile(good with { Price = new Money(0.5m, "JPY") }), "price.amount");
        AssertInvalid(await grain.SetProfile(good with { SpecialtyId = Guid.NewGuid() }), "specialtyId");
        Assert.Null(await grain.GetProfile());
        Assert.DoesNotContain(await fx.Grains.GetGrain<IDirectoryGrain>(specialty).List(), d => d.DoctorId == doctorId);

        Assert.True((await grain.SetProfile(good)).IsOk);
        AssertInvalid(await grain.SetProfile(good with { YearsOfExperience = 99, Price = new Money(10.001m, "EUR") }), "yearsOfExperience", "price.amount");
        var kept = await grain.GetProfile();
        Assert.Equal(9, kept!.YearsOfExperience);
        Assert.Equal(40m, kept.Price.Amount);
        Assert.True((await grain.SetProfile(good with { Price = new Money(5000m, "JPY") })).IsOk);

        // A rating is made by patients only: one sent with a profile, however odd, is ignored, not stored.
        var rated = await grain.SetProfile(good with { Rating = double.NaN, RatingCount = -3 });
        Assert.True(rated.IsOk, rated.Failure?.Detail);
        Assert.Equal((0d, 0), (rated.Value!.Rating, rated.Value.RatingCount));
        Assert.True((await grain.SetProfile(good with { Rating = 5, RatingCount = 1000 })).IsOk);
        Assert.Equal((0d, 0), ((await grain.GetProfile())!.Rating, (await grain.GetProfile())!.RatingCount));
    }

    [Fact]
    public async Task The_consultation_board_lists_its_own_only_for_patients_and_doctors_whoever_calls_it()
    {
        // The endpoint's policy keeps admins out before this; the grain refuses them itself, as for every rule.
        var board = fx.Grains.GetGrain<IConsultationBoardGrain>(0);
        var admin = await board.Mine(new Caller(Guid.NewGuid(), Roles.Admin), 1, 20);
        Assert.False(admin.IsOk);
        Assert.Equal(FailureKind.Forbidden, admin.Failure!.Kind);
        foreach (var role in new[] { Roles.Patient, Roles.Doctor })
        {
            var own = await board.Mine(new Caller(Guid.NewGuid(), role), 1, 20);
            Assert.True(own.IsOk, role);
            Assert.Equal(0, own.Value!.Total);
        }
    }
}
