using System.Security.Claims;
using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace HealthActors.Api.Endpoints;

public sealed record BookingRequest(Guid? DoctorId, DateTimeOffset? Start, string? Reason, CardDetails? Payment);

public static class BookingEndpoints
{
    public const string PatientPolicy = Setup.Policies.Patient;
    public const string DoctorPolicy = Setup.Policies.Doctor;

    public static void MapBookingEndpoints(this IEndpointRouteBuilder app)
    {
        var appointments = app.MapGroup("/api/appointments").WithTags("Booking").RequireAuthorization();
        appointments.MapPost("/", Book).WithName("BookAppointment").RequireAuthorization(PatientPolicy)
            .WithSummary("Book and pay a slot. Requires an Idempotency-Key header: a retry with the same key and body returns the first result.");
        appointments.MapGet("/", Mine).WithName("ListMyAppointments").WithSummary("My appointments, latest first.");
        appointments.MapGet("/{appointmentId:guid}", Get).WithName("GetAppointment").WithSummary("One appointment: its patient, its doctor, or an admin (audited).");
        appointments.MapPost("/{appointmentId:guid}/cancel", Cancel).WithName("CancelAppointment").WithSummary("Cancel: full refund more than 24 h ahead, none after; the slot frees.");
        appointments.MapPost("/{appointmentId:guid}/complete", Complete).WithName("CompleteAppointment").RequireAuthorization(DoctorPolicy).WithSummary("The doctor marks it completed.");
        appointments.MapPost("/{appointmentId:guid}/no-show", NoShow).WithName("MarkAppointmentNoShow").RequireAuthorization(DoctorPolicy).WithSummary("The doctor records a no-show (after the start).");
        app.MapGet("/api/doctors/me/appointments", DoctorsOwn).WithName("ListDoctorAppointments").WithTags("Booking").RequireAuthorization(DoctorPolicy).WithSummary("A doctor's appointments.");
        app.MapGet("/api/payments/{paymentId:guid}", GetPayment).WithName("GetPayment").WithTags("Booking").RequireAuthorization().WithSummary("A payment: the payer or an admin.");
    }

    private static async Task<Results<Created<AppointmentView>, ValidationProblem, ProblemHttpResult>> Book(
        BookingRequest body, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, ClaimsPrincipal user, IGrainFactory grains, TimeProvider time)
    {
        // A fast 400 for the usual mistakes; the grains apply the same rules again and decide.
        var e = new ValidationErrors();
        IdempotencyKeys.Validate(e, idempotencyKey);
        BookingRules.Validate(e, body.DoctorId, body.Start, body.Reason, body.Payment, time.GetUtcNow());
        if (!e.IsValid) return TypedResults.ValidationProblem(e.ToDictionary());

        var caller = user.ToCaller();
        var command = new BookingCommand(caller.UserId, body.DoctorId!.Value, body.Start!.Value, body.Reason!.Trim(), body.Payment!);
        var outcome = await grains.GetGrain<IBookingRequestGrain>(IdempotencyKeys.For(caller.UserId, idempotencyKey!)).Book(command);
        return outcome.IsOk ? TypedResults.Created($"/api/appointments/{outcome.Value!.Id}", outcome.Value) : outcome.Failure!.ToProblem();
    }

    private static async Task<Results<Ok<IReadOnlyList<AppointmentSummary>>, ValidationProblem>> Mine(ClaimsPrincipal user, IGrainFactory grains, [AsParameters] PageQuery paging)
    {
        if (paging.Invalid() is { } invalid) return invalid;
        return TypedResults.Ok(await grains.GetGrain<IAppointmentQueryGrain>(0).ForPatient(user.ToCaller().UserId, paging.Number, paging.Size));
    }

    private static async Task<Results<Ok<IReadOnlyList<AppointmentSummary>>, ValidationProblem>> DoctorsOwn(ClaimsPrincipal user, IGrainFactory grains, [AsParameters] PageQuery paging)
    {
        if (paging.Invalid() is { } invalid) return invalid;
        return TypedResults.Ok(await grains.GetGrain<IAppointmentQueryGrain>(0).ForDoctor(user.ToCaller().UserId, paging.Number, paging.Size));
    }

    private static async Task<Results<Ok<AppointmentView>, ProblemHttpResult>> Get(Guid appointmentId, ClaimsPrincipal user, IGrainFactory grains) =>
        await grains.GetGrain<IAppointmentGrain>(appointmentId).Get(user.ToCaller()) is { } v ? TypedResults.Ok(v) : Problems.NotFound();

    private static async Task<Results<Ok<AppointmentView>, ProblemHttpResult>> Cancel(Guid appointmentId, ClaimsPrincipal user, IGrainFactory grains) =>
        Change(await grains.GetGrain<IAppointmentGrain>(appointmentId).Cancel(user.ToCaller()));

    private static async Task<Results<Ok<AppointmentView>, ProblemHttpResult>> Complete(Guid appointmentId, ClaimsPrincipal user, IGrainFactory grains) =>
        Change(await grains.GetGrain<IAppointmentGrain>(appointmentId).Complete(user.ToCaller()));

    private static async Task<Results<Ok<AppointmentView>, ProblemHttpResult>> NoShow(Guid appointmentId, ClaimsPrincipal user, IGrainFactory grains) =>
        Change(await grains.GetGrain<IAppointmentGrain>(appointmentId).MarkNoShow(user.ToCaller()));

    private static async Task<Results<Ok<PaymentView>, ProblemHttpResult>> GetPayment(Guid paymentId, ClaimsPrincipal user, IGrainFactory grains) =>
        await grains.GetGrain<IPaymentGrain>(paymentId).Get(user.ToCaller()) is { } p ? TypedResults.Ok(p) : Problems.NotFound();

    private static Results<Ok<AppointmentView>, ProblemHttpResult> Change(Outcome<AppointmentView> outcome) =>
        outcome.IsOk ? TypedResults.Ok(outcome.Value!) : outcome.Failure!.ToProblem();
}
