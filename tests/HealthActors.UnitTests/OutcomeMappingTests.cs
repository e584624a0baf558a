using HealthActors.Api.Endpoints;
using HealthActors.Api.Errors;
using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Booking;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace HealthActors.UnitTests;

/// <summary>The one mapping from a grain's Failure to HTTP, and the stored pre-Outcome booking answers read back.</summary>
public sealed class OutcomeMappingTests
{
    [Theory]
    [InlineData(FailureKind.Invalid, 400)]
    [InlineData(FailureKind.NotFound, 404)]
    [InlineData(FailureKind.Forbidden, 403)]
    [InlineData(FailureKind.Conflict, 409)]
    [InlineData(FailureKind.PaymentDeclined, 402)]
    [InlineData(FailureKind.PaymentFailed, 502)]
    [InlineData(FailureKind.IdempotencyMismatch, 422)]
    [InlineData(FailureKind.TooMany, 429)]
    public void Every_failure_kind_has_its_own_status(FailureKind kind, int status)
    {
        var problem = new Failure(kind, "detail", "field", "Reason").ToProblem();
        Assert.Equal(status, problem.StatusCode);
        Assert.Equal(status, problem.ProblemDetails.Status);
    }

    [Fact]
    public void An_invalid_outcome_names_every_field_the_grain_found()
    {
        var e = new ValidationErrors();
        e.Add("price", "must be greater than 0");
        e.Add("slotStart", "is required");
        var problem = Outcome.Invalid(e).ToProblem();
        var details = Assert.IsType<HttpValidationProblemDetails>(problem.ProblemDetails);
        Assert.Equal(["price", "slotStart"], details.Errors.Keys.Order());
        Assert.Equal("is required", details.Errors["slotStart"][0]);
    }

    [Fact]
    public void A_conflict_carries_its_reason_code_and_field_and_a_not_found_says_nothing_more()
    {
        var conflict = Outcome.Conflict("SlotTaken", "That slot is already taken.", "start").ToProblem().ProblemDetails;
        Assert.Equal("SlotTaken", conflict.Extensions["reason"]);
        Assert.Equal("start", conflict.Extensions["field"]);

        var notFound = new Failure(FailureKind.NotFound, "No such doctor: 1234", "doctorId", "DoctorNotFound").ToProblem().ProblemDetails;
        Assert.Equal("Not found.", notFound.Title);
        Assert.Empty(notFound.Extensions);
    }

    [Fact]
    public void Access_denied_is_a_404_and_the_frameworks_unauthorized_access_is_not()
    {
        Assert.Equal(StatusCodes.Status404NotFound, ApiExceptionHandler.Map(new AccessDeniedException("not yours")).Status);
        Assert.Equal(StatusCodes.Status500InternalServerError, ApiExceptionHandler.Map(new UnauthorizedAccessException("file")).Status);
    }

    [Theory]
    [InlineData(StoredBookingStatus.SlotTaken, FailureKind.Conflict, "SlotTaken")]
    [InlineData(StoredBookingStatus.OutsideAvailability, FailureKind.Conflict, "OutsideAvailability")]
    [InlineData(StoredBookingStatus.SlotInPast, FailureKind.Conflict, "SlotInPast")]
    [InlineData(StoredBookingStatus.DoctorNotFound, FailureKind.NotFound, "DoctorNotFound")]
    [InlineData(StoredBookingStatus.PaymentDeclined, FailureKind.PaymentDeclined, null)]
    [InlineData(StoredBookingStatus.PaymentFailed, FailureKind.PaymentFailed, null)]
    [InlineData(StoredBookingStatus.IdempotencyMismatch, FailureKind.IdempotencyMismatch, null)]
    public void A_refusal_stored_before_the_outcome_type_answers_a_retry_as_it_did(StoredBookingStatus stored, FailureKind kind, string? reason)
    {
        var outcome = new StoredBookingOutcome(stored, null, "as stored").ToOutcome();
        Assert.False(outcome.IsOk);
        Assert.Equal(kind, outcome.Failure!.Kind);
        Assert.Equal(reason, outcome.Failure.Reason);
    }

    [Fact]
    public void A_confirmation_stored_before_the_outcome_type_answers_with_its_appointment()
    {
        var now = DateTimeOffset.UtcNow;
        var view = new AppointmentView(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "Dr A", Guid.NewGuid(), now, now.AddMinutes(30), "UTC",
            "cough", AppointmentStatus.Booked, new Money(40m, "EUR"), Guid.NewGuid(), now, null, 0);
        var outcome = new StoredBookingOutcome(StoredBookingStatus.Confirmed, view, null).ToOutcome();
        Assert.True(outcome.IsOk);
        Assert.Same(view, outcome.Value);
    }
}
