using System.Text.Json.Serialization;
using Orleans.Concurrency;
using HealthActors.Grains.Abstractions.Common;
using HealthActors.Grains.Abstractions.Consultations;
using HealthActors.Grains.Abstractions.Identity;

namespace HealthActors.Grains.Abstractions.Catalog;

[GenerateSerializer, Immutable, Alias("ha.catalog.Money")]
public sealed record Money([property: Id(0)] decimal Amount, [property: Id(1)] string Currency);

/// <summary>When a doctor sees patients: the same hours on the given weekdays, in the doctor's own time zone.</summary>
[GenerateSerializer, Immutable, Alias("ha.catalog.WeeklyAvailability")]
public sealed record WeeklyAvailability
{
    [Id(0)] public string? TimeZone { get; init; }
    [Id(1)] public DayOfWeek[]? Days { get; init; }
    [Id(2)] public TimeOnly? StartTime { get; init; }
    [Id(3)] public TimeOnly? EndTime { get; init; }
    [Id(4)] public int? SlotMinutes { get; init; }
}

[GenerateSerializer, Immutable, Alias("ha.catalog.Specialty")]
public sealed record Specialty(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string Description);

[GenerateSerializer, Immutable, Alias("ha.catalog.DoctorProfile")]
public sealed record DoctorProfile
{
    [Id(0)] public Guid DoctorId { get; init; }
    [Id(1)] public string Name { get; init; } = "";
    [Id(2)] public Guid SpecialtyId { get; init; }
    [Id(3)] public string LicenseNumber { get; init; } = "";
    [Id(4)] public int YearsOfExperience { get; init; }
    [Id(5)] public Money Price { get; init; } = new(0, "USD");
    [Id(6)] public string[] Languages { get; init; } = [];
    [Id(7)] public string? Bio { get; init; }
    [Id(8)] public string? PhotoUrl { get; init; }
    [Id(9)] public WeeklyAvailability Availability { get; init; } = new();
    /// <summary>
    /// The mean of the patients' ratings of closed consultations (to two decimals), 0 while <see cref="RatingCount"/>
    /// is 0. The doctor grain derives both from the ratings table; a value sent to SetProfile is ignored.
    /// </summary>
    [Id(10)] public double Rating { get; init; }
    [Id(11)] public int RatingCount { get; init; }
    /// <summary>
    /// True while the doctor has not proven their credentials. Stored inverted on purpose: profiles written before
    /// verification existed read back as false, so every doctor created before this change counts as verified
    /// without a migration pass. The doctor grain owns it; it never comes from a request body.
    /// </summary>
    [Id(12), JsonIgnore] public bool Unverified { get; init; }
    /// <summary>Whether the doctor may practise: bid, take consultations, discuss cases (see <see cref="IDoctorGrain.IsVerified"/>).</summary>
    public bool Verified => !Unverified;
}

[GenerateSerializer, Immutable, Alias("ha.catalog.Slot")]
public sealed record Slot(
    [property: Id(0)] DateTimeOffset Start,
    [property: Id(1)] DateTimeOffset End);

[GenerateSerializer, Immutable, Alias("ha.catalog.FreeSlots")]
public sealed record FreeSlots(
    [property: Id(0)] Guid DoctorId,
    [property: Id(1)] string TimeZone,
    [property: Id(2)] IReadOnlyList<Slot> Slots);

[GenerateSerializer, Alias("ha.catalog.HoldStatus")]
public enum HoldStatus { Held = 0, Taken = 1, OutsideAvailability = 2, InPast = 3, NoSuchDoctor = 4 }

[GenerateSerializer, Immutable, Alias("ha.catalog.HoldResult")]
public sealed record HoldResult(
    [property: Id(0)] HoldStatus Status,
    [property: Id(1)] Slot? Slot,
    [property: Id(2)] DoctorProfile? Doctor);

[Alias("ha.catalog.ISpecialtyRegistryGrain")]
public interface ISpecialtyRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Null when a specialty of that name (any case) exists.</summary>
    [Alias("Create")] Task<Specialty?> Create(string name, string description);
    [Alias("List")] Task<IReadOnlyList<Specialty>> List();
    [Alias("Get")] Task<Specialty?> Get(Guid id);
    [Alias("FindByName")] Task<Specialty?> FindByName(string name);
}

/// <summary>The doctors of one specialty, for filtering and sorting the catalog.</summary>
[Alias("ha.catalog.IDirectoryGrain")]
public interface IDirectoryGrain : IGrainWithGuidKey
{
    [Alias("Upsert")] Task Upsert(DoctorProfile doctor);
    [Alias("Remove")] Task Remove(Guid doctorId);
    [Alias("List")] Task<IReadOnlyList<DoctorProfile>> List();
}

/// <summary>One doctor: profile and the single writer of their calendar.</summary>
[Alias("ha.catalog.IDoctorGrain")]
public interface IDoctorGrain : IGrainWithGuidKey
{
    /// <summary>Validates (<see cref="CatalogRules.ValidateProfile"/>, and that the specialty exists) and stores the profile.</summary>
    [Alias("SetProfile")] Task<Outcome<DoctorProfile>> SetProfile(DoctorProfile profile);
    /// <summary>
    /// The profile, or null once retired. Interleaves: a patient grain asks it while deciding on a consent, and a
    /// retiring doctor may at that moment be waiting on that same patient grain (RevokeEveryGrantOf).
    /// </summary>
    [AlwaysInterleave, Alias("GetProfile")] Task<DoctorProfile?> GetProfile();
    [Alias("GetFreeSlots")] Task<FreeSlots?> GetFreeSlots(DateTimeOffset from, DateTimeOffset to);

    /// <summary>Reserves a slot for a short while (it expires by itself) so that payment can run.</summary>
    [Alias("Hold")] Task<HoldResult> Hold(DateTimeOffset start, Guid holdId, Guid patientId, TimeSpan ttl);
    /// <summary>Turns a live hold into a booking, also recorded in the appointments table; false if the hold is gone.</summary>
    [Alias("Confirm")] Task<bool> Confirm(Guid holdId, Guid appointmentId);
    /// <summary>
    /// <see cref="Confirm"/> for <paramref name="booked"/>'s id, storing the appointment as booked in the same row (one
    /// statement): the appointment grain's state until its first write of its own, so a booking costs one commit less.
    /// </summary>
    [Alias("ConfirmBooked")] Task<bool> ConfirmBooked(Guid holdId, Booking.AppointmentView booked);
    [Alias("Release")] Task Release(Guid holdId);
    /// <summary>Frees a booked slot (cancellation).</summary>
    [Alias("FreeBooking")] Task FreeBooking(Guid appointmentId);

    /// <summary>
    /// Takes the doctor out of practice (their role was taken away): out of the catalog, no new holds, standing bids
    /// withdrawn, future appointments cancelled with a full refund, read grants revoked. Idempotent; an admin's decision only.
    /// </summary>
    [Alias("Retire")] Task Retire(Caller decidedBy);

    /// <summary>
    /// The one check every doctor-only practice (bids, consultations, cases) makes: a listed, not retired doctor
    /// whose credentials an admin approved, or who an admin created as verified. Interleaves like <see cref="GetProfile"/>.
    /// </summary>
    [AlwaysInterleave, Alias("IsVerified")] Task<bool> IsVerified();
    /// <summary>Records an approved credential submission; idempotent. False when there is no catalog entry to mark.</summary>
    [Alias("MarkVerified")] Task<bool> MarkVerified();

    /// <summary>
    /// Re-reads the doctor's average and count from the ratings table and, when they changed, stores them in the
    /// profile and the catalog. Idempotent, so a consultation calls it after every rating attempt.
    /// </summary>
    [Alias("RefreshRating")] Task RefreshRating();
    /// <summary>The doctor's ratings, newest first, without who gave them; null when there is no such doctor (or retired).</summary>
    [AlwaysInterleave, Alias("Reviews")] Task<DoctorReviewPage?> Reviews(int page, int pageSize);
}

public static class CurrencyCodes
{
    // The ISO 4217 codes this platform prices in; extend as markets open.
    public static readonly IReadOnlySet<string> Supported = new HashSet<string>(StringComparer.Ordinal)
    {
        "USD", "EUR", "GBP", "ARS", "MXN", "COP", "CLP", "PEN", "UYU", "BRL", "CAD", "AUD", "CHF", "JPY",
    };

    /// <summary>The validation message for a currency outside <see cref="Supported"/>.</summary>
    public static readonly string Expected = "must be a supported ISO 4217 code: " + string.Join(", ", Supported.Order());

    // ISO 4217 minor units: a yen or a Chilean peso has no cents, so nobody can be charged half of one.
    private static readonly IReadOnlySet<string> WithoutMinorUnit = new HashSet<string>(StringComparer.Ordinal) { "JPY", "CLP" };

    /// <summary>How many decimals an amount in <paramref name="currency"/> may have (2 when the currency is unknown).</summary>
    public static int Decimals(string? currency) => currency is not null && WithoutMinorUnit.Contains(currency) ? 0 : 2;

    /// <summary>True when the amount is payable in the currency, i.e. no finer than its minor unit.</summary>
    public static bool FitsMinorUnit(decimal amount, string? currency) => decimal.Round(amount, Decimals(currency)) == amount;

    /// <summary>The validation message for an amount finer than its currency's minor unit.</summary>
    public static string MinorUnitMessage(string? currency) =>
        Decimals(currency) == 0 ? $"must be a whole amount: {currency} has no decimals" : "must have at most two decimals";
}

public static class DoctorAccess
{
    /// <summary>A doctor may read a booking patient's profile from booking until this long after the appointment.</summary>
    public static readonly TimeSpan AfterAppointment = TimeSpan.FromDays(30);
}

[GenerateSerializer, Immutable, Alias("ha.catalog.DoctorQuery")]
public sealed record DoctorQuery(
    [property: Id(0)] Guid? SpecialtyId,
    [property: Id(1)] double? MinRating,
    [property: Id(2)] decimal? MaxPrice,
    [property: Id(3)] string? Language,
    [property: Id(4)] string Sort,
    [property: Id(5)] int Page,
    [property: Id(6)] int PageSize,
    [property: Id(7)] string? Currency = null)
{
    public static readonly IReadOnlyList<string> Sorts = ["rating", "price", "experience"];

    /// <summary>Filters, sorts (best first; ties by name then id, so pages are stable) and pages.</summary>
    public (IReadOnlyList<DoctorProfile> Items, int Total) Apply(IEnumerable<DoctorProfile> doctors)
    {
        var filtered = doctors
            .Where(d => MinRating is null || d.Rating >= MinRating)
            // With a currency, only doctors priced in it, so maxPrice and the price sort compare like with like.
            .Where(d => Currency is null || d.Price.Currency == Currency)
            .Where(d => MaxPrice is null || d.Price.Amount <= MaxPrice)
            .Where(d => Language is null || d.Languages.Contains(Language.ToLowerInvariant()))
            .ToList();
        IOrderedEnumerable<DoctorProfile> sorted = Sort switch
        {
            "price" => filtered.OrderBy(d => d.Price.Amount),
            "experience" => filtered.OrderByDescending(d => d.YearsOfExperience),
            // Rated doctors first, best mean first: an unrated doctor's 0 is "unknown", not "worst".
            _ => filtered.OrderByDescending(d => d.RatingCount > 0).ThenByDescending(d => d.Rating).ThenByDescending(d => d.RatingCount),
        };
        var items = sorted.ThenBy(d => d.Name, StringComparer.OrdinalIgnoreCase).ThenBy(d => d.DoctorId)
            .Skip((Page - 1) * PageSize).Take(PageSize).ToList();
        return (items, filtered.Count);
    }
}

[GenerateSerializer, Immutable, Alias("ha.catalog.DoctorPage")]
public sealed record DoctorPage(
    [property: Id(0)] IReadOnlyList<DoctorProfile> Items,
    [property: Id(1)] int PageNumber,
    [property: Id(2)] int PageSize,
    [property: Id(3)] int Total);

[Alias("ha.catalog.ICatalogSearchGrain")]
public interface ICatalogSearchGrain : IGrainWithIntegerKey
{
    [Alias("Search")] Task<DoctorPage> Search(DoctorQuery query);
}
