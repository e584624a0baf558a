using System.Security.Claims;
using HealthActors.Api.Auth;
using HealthActors.Grains.Abstractions.Booking;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Marketplace;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace HealthActors.Api.Endpoints;

public sealed record BidRequest(decimal? Price, DateTimeOffset? SlotStart, string? Message);
public sealed record AcceptRequest(Guid? BidId, CardDetails? Payment);

public static class MarketplaceEndpoints
{
    public static void MapMarketplaceEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/auctions").WithTags("Marketplace").RequireAuthorization();
        g.MapPost("/", Create).WithName("CreateAuction").RequireAuthorization(BookingEndpoints.PatientPolicy)
            .WithSummary("Post a request for doctors to bid on (closesAt 5 minutes to 7 days ahead; specialty inferred from the symptoms when not given).");
        g.MapGet("/", Mine).WithName("ListMyAuctions").WithSummary("My auctions, newest first.");
        g.MapGet("/open", Open).WithName("ListOpenAuctions").RequireAuthorization(BookingEndpoints.DoctorPolicy).WithSummary("Open auctions of my specialty (doctors).");
        g.MapGet("/{auctionId:guid}", Get).WithName("GetAuction").WithSummary("An auction with its bids ranked by price, then rating, then time: its patient or a doctor of its specialty.");
        g.MapGet("/{auctionId:guid}/events", Events).WithName("ListAuctionEvents").WithSummary("Events after a sequence number, for a reconnecting watcher to catch up.");
        g.MapPost("/{auctionId:guid}/bids", PlaceBid).WithName("PlaceBid").RequireAuthorization(BookingEndpoints.DoctorPolicy).WithSummary("Bid (doctors of the specialty); the slot is held while the bid stands.");
        g.MapDelete("/{auctionId:guid}/bids/{bidId:guid}", Withdraw).WithName("WithdrawBid").RequireAuthorization(BookingEndpoints.DoctorPolicy).WithSummary("Withdraw my bid; its hold is released.");
        g.MapPost("/{auctionId:guid}/accept", Accept).WithName("AcceptBid").RequireAuthorization(BookingEndpoints.PatientPolicy)
            .WithSummary("Accept a standing bid: booked and paid like a direct booking (Idempotency-Key required); the auction closes.");
        g.MapPost("/{auctionId:guid}/cancel", Cancel).WithName("CancelAuction").RequireAuthorization(BookingEndpoints.PatientPolicy).WithSummary("Close my auction with no winner.");
    }

    private static async Task<Results<Created<AuctionView>, ValidationProblem, ProblemHttpResult>> Create(NewAuction body, ClaimsPrincipal user, IGrainFactory grains, TimeProvider time, IOptions<MarketplaceOptions> market)
    {
        // A fast 400 for the usual mistakes; the auction grain applies the same rules again and decides.
        var errors = AuctionRules.Validate(body, time.GetUtcNow(), TimeSpan.FromSeconds(market.Value.MinOpenSeconds));
        if (!errors.IsValid) return TypedResults.ValidationProblem(errors.ToDictionary());
        var spec = new AuctionSpec(body.Symptoms!.Trim(), body.SpecialtyId, body.MaxPrice, body.Currency!, body.Window!.From!.Value.ToUniversalTime(),
            body.Window.To!.Value.ToUniversalTime(), body.ClosesAt!.Value.ToUniversalTime());
        var outcome = await grains.GetGrain<IAuctionGrain>(Guid.NewGuid()).Create(user.ToCaller(), spec);
        return outcome.IsOk ? TypedResults.Created($"/api/auctions/{outcome.Value!.Id}", outcome.Value) : outcome.Failure!.ToProblem();
    }

    private static async Task<Results<Ok<IReadOnlyList<AuctionSummary>>, ValidationProblem>> Mine(ClaimsPrincipal user, IGrainFactory grains, [AsParameters] PageQuery paging)
    {
        if (paging.Invalid() is { } invalid) return invalid;
        return TypedResults.Ok(await grains.GetGrain<IAuctionQueryGrain>(0).ForPatient(user.ToCaller().UserId, paging.Number, paging.Size));
    }

    private static async Task<Results<Ok<IReadOnlyList<AuctionSummary>>, ValidationProblem>> Open(ClaimsPrincipal user, IGrainFactory grains, [AsParameters] PageQuery paging)
    {
        if (paging.Invalid() is { } invalid) return invalid;
        var profile = await grains.GetGrain<IDoctorGrain>(user.ToCaller().UserId).GetProfile();
        if (profile is null) return TypedResults.Ok<IReadOnlyList<AuctionSummary>>([]);
        return TypedResults.Ok(await grains.GetGrain<IAuctionBoardGrain>(profile.SpecialtyId).List(paging.Number, paging.Size));
    }

    private static async Task<Results<Ok<AuctionView>, ProblemHttpResult>> Get(Guid auctionId, ClaimsPrincipal user, IGrainFactory grains) =>
        await grains.GetGrain<IAuctionGrain>(auctionId).Get(user.ToCaller()) is { } v ? TypedResults.Ok(v) : Problems.NotFound();

    private static async Task<Results<Ok<IReadOnlyList<AuctionEvent>>, ValidationProblem, ProblemHttpResult>> Events(Guid auctionId, ClaimsPrincipal user, IGrainFactory grains, long? afterSeq, int? limit)
    {
        var e = new ValidationErrors();
        if (afterSeq is < 0) e.Add("afterSeq", "must not be negative");
        if (limit is < 1 or > 1000) e.Add("limit", "must be between 1 and 1000");
        if (!e.IsValid) return TypedResults.ValidationProblem(e.ToDictionary());
        var events = await grains.GetGrain<IAuctionGrain>(auctionId).Events(user.ToCaller(), afterSeq ?? 0, limit ?? 500);
        return events is null ? Problems.NotFound() : TypedResults.Ok(events);
    }

    private static async Task<Results<Created<Bid>, ValidationProblem, ProblemHttpResult>> PlaceBid(Guid auctionId, BidRequest body, ClaimsPrincipal user, IGrainFactory grains)
    {
        var errors = AuctionRules.ValidateBid(body.Price, body.SlotStart, body.Message);
        if (!errors.IsValid) return TypedResults.ValidationProblem(errors.ToDictionary());
        var outcome = await grains.GetGrain<IAuctionGrain>(auctionId).PlaceBid(user.ToCaller(), body.Price!.Value, body.SlotStart!.Value, body.Message);
        return outcome.IsOk ? TypedResults.Created($"/api/auctions/{auctionId}/bids/{outcome.Value!.Id}", outcome.Value) : outcome.Failure!.ToProblem();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Withdraw(Guid auctionId, Guid bidId, ClaimsPrincipal user, IGrainFactory grains)
    {
        var outcome = await grains.GetGrain<IAuctionGrain>(auctionId).WithdrawBid(user.ToCaller(), bidId);
        return outcome.IsOk ? TypedResults.NoContent() : outcome.Failure!.ToProblem();
    }

    private static async Task<Results<Created<AppointmentView>, ValidationProblem, ProblemHttpResult>> Accept(Guid auctionId, AcceptRequest body, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        ClaimsPrincipal user, IGrainFactory grains, TimeProvider time)
    {
        var e = new ValidationErrors();
        IdempotencyKeys.Validate(e, idempotencyKey);
        if (body.BidId is null || body.BidId == Guid.Empty) e.Add("bidId", "is required");
        CardRules.Validate(e, body.Payment, time.GetUtcNow());
        if (!e.IsValid) return TypedResults.ValidationProblem(e.ToDictionary());
        var outcome = await grains.GetGrain<IAuctionGrain>(auctionId).Accept(user.ToCaller(), body.BidId!.Value, body.Payment!, idempotencyKey!);
        return outcome.IsOk ? TypedResults.Created($"/api/appointments/{outcome.Value!.Id}", outcome.Value) : outcome.Failure!.ToProblem();
    }

    private static async Task<Results<Ok<AuctionView>, ProblemHttpResult>> Cancel(Guid auctionId, ClaimsPrincipal user, IGrainFactory grains)
    {
        var outcome = await grains.GetGrain<IAuctionGrain>(auctionId).Cancel(user.ToCaller());
        return outcome.IsOk ? TypedResults.Ok(outcome.Value!) : outcome.Failure!.ToProblem();
    }

}
