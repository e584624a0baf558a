using HealthActors.Api.Hosting;
using HealthActors.Grains.Abstractions.Catalog;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Consultations;
using HealthActors.Grains.Abstractions.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace HealthActors.Api.Endpoints;

public sealed record NewSpecialtyRequest(string? Name, string? Description);

public static class CatalogEndpoints
{
    public static void MapCatalogEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").WithTags("Admin").RequireAuthorization(AccountEndpoints.AdminPolicy);
        admin.MapPost("/specialties", CreateSpecialty).WithName("CreateSpecialty").WithSummary("Create a specialty (admin).");
        admin.MapPost("/doctors", CreateDoctor).WithName("CreateDoctor").WithSummary("Create a doctor account and catalog entry (admin); the doctor then signs in like anyone.");

        // The catalog is public: anyone may browse specialties, doctors and free slots.
        var catalog = app.MapGroup("/api").WithTags("Catalog").AllowAnonymous();
        catalog.MapGet("/specialties", ListSpecialties).WithName("ListSpecialties").WithSummary("All specialties.");
        catalog.MapGet("/doctors", SearchDoctors).WithName("SearchDoctors").WithSummary("Doctors, filtered, sorted (rating|price|experience) and paged.");
        catalog.MapGet("/doctors/{doctorId:guid}", GetDoctor).WithName("GetDoctor").WithSummary("One doctor.");
        catalog.MapGet("/doctors/{doctorId:guid}/ratings", ListRatings).WithName("ListDoctorRatings")
            .WithSummary("The doctor's ratings from patients, newest first, paged: rating, comment and date, never who gave them.");
        catalog.MapGet("/doctors/{doctorId:guid}/slots", GetSlots).WithName("GetDoctorSlots").WithSummary("Free slots in [from, to) (UTC, at most 62 days), with the doctor's time zone named.");
    }

    private static async Task<Results<Created<Specialty>, ValidationProblem, ProblemHttpResult>> CreateSpecialty(NewSpecialtyRequest body, IGrainFactory grains)
    {
        var errors = CatalogRules.ValidateSpecialty(body.Name, body.Description);
        if (!errors.IsValid) return TypedResults.ValidationProblem(errors.ToDictionary());
        var created = await grains.GetGrain<ISpecialtyRegistryGrain>(0).Create(body.Name!, body.Description ?? "");
        return created is null ? Problems.Conflict("A specialty with this name already exists.") : TypedResults.Created($"/api/specialties/{created.Id}", created);
    }

    private static async Task<Results<Created<DoctorProfile>, ValidationProblem, ProblemHttpResult>> CreateDoctor(NewDoctor body, IGrainFactory grains)
    {
        var errors = CatalogRules.ValidateDoctor(body);
        if (errors.IsValid && await grains.GetGrain<ISpecialtyRegistryGrain>(0).Get(body.SpecialtyId!.Value) is null)
            errors.Add("specialtyId", "no such specialty");
        if (!errors.IsValid) return TypedResults.ValidationProblem(errors.ToDictionary());

        var account = await grains.GetGrain<IEmailIndexGrain>(EmailKey.For(body.Email!)).Register(body.Email!, body.Password!, body.Name!, Roles.Doctor);
        if (account.Status == RegistrationStatus.EmailTaken) return Problems.Conflict("An account with this email already exists.");
        var set = await grains.GetGrain<IDoctorGrain>(account.User!.UserId).SetProfile(CatalogRules.ToProfile(body, account.User.UserId));
        return set.IsOk ? TypedResults.Created($"/api/doctors/{set.Value!.DoctorId}", set.Value) : set.Failure!.ToProblem();
    }

    private static async Task<Ok<IReadOnlyList<Specialty>>> ListSpecialties(IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<ISpecialtyRegistryGrain>(0).List());

    private static async Task<Results<Ok<DoctorPage>, ValidationProblem>> SearchDoctors(
        IGrainFactory grains, Guid? specialtyId, double? minRating, decimal? maxPrice, string? currency, string? language, string? sort, [AsParameters] PageQuery paging)
    {
        var e = new ValidationErrors();
        // NaN compares false with everything, so a range check alone would let it through (and filter out every doctor).
        if (minRating is { } rating && (!double.IsFinite(rating) || rating is < 0 or > 5)) e.Add("minRating", "must be between 0 and 5");
        if (maxPrice is < 0) e.Add("maxPrice", "must not be negative");
        if (currency is not null && !CurrencyCodes.Supported.Contains(currency.ToUpperInvariant())) e.Add("currency", CurrencyCodes.Expected);
        if (language is not null && (language.Length is < 2 or > 12 || !language.All(c => char.IsAsciiLetter(c) || c == '-'))) e.Add("language", "must be a language code such as 'es'");
        if (sort is not null && !DoctorQuery.Sorts.Contains(sort)) e.Add("sort", "must be one of: " + string.Join(", ", DoctorQuery.Sorts));
        paging.Validate(e);
        if (!e.IsValid) return TypedResults.ValidationProblem(e.ToDictionary());
        var query = new DoctorQuery(specialtyId, minRating, maxPrice, language, sort ?? "rating", paging.Number, paging.Size, currency?.ToUpperInvariant());
        return TypedResults.Ok(await grains.GetGrain<ICatalogSearchGrain>(0).Search(query));
    }

    // The answer is the same for every caller (anonymous included), so it is kept per doctor; a 404 is not kept.
    private static async Task<Results<JsonBytes<DoctorProfile>, ProblemHttpResult>> GetDoctor(Guid doctorId, GrainRefs grains, ReadCache cache) =>
        await cache.Get(CachedRead.Doctor, doctorId, grains, static (id, g) => g.Get<IDoctorGrain>(id).GetProfile()) is { } json
            ? new JsonBytes<DoctorProfile>(json)
            : Problems.NotFound();

    private static async Task<Results<Ok<DoctorReviewPage>, ValidationProblem, ProblemHttpResult>> ListRatings(
        Guid doctorId, IGrainFactory grains, [AsParameters] PageQuery paging)
    {
        if (paging.Invalid() is { } invalid) return invalid;
        return await grains.GetGrain<IDoctorGrain>(doctorId).Reviews(paging.Number, paging.Size) is { } page
            ? TypedResults.Ok(page)
            : Problems.NotFound();
    }

    private static async Task<Results<Ok<FreeSlots>, ValidationProblem, ProblemHttpResult>> GetSlots(
        Guid doctorId, IGrainFactory grains, TimeProvider time, DateTimeOffset? from, DateTimeOffset? to)
    {
        var start = from ?? time.GetUtcNow();
        var end = to ?? start.AddDays(7);
        var e = new ValidationErrors();
        if (end <= start) e.Add("to", "must be after from");
        else if (end - start > TimeSpan.FromDays(SlotCalendar.MaxRangeDays)) e.Add("to", $"must be at most {SlotCalendar.MaxRangeDays} days after from");
        if (!e.IsValid) return TypedResults.ValidationProblem(e.ToDictionary());
        var slots = await grains.GetGrain<IDoctorGrain>(doctorId).GetFreeSlots(start, end);
        return slots is null ? Problems.NotFound() : TypedResults.Ok(slots);
    }
}
