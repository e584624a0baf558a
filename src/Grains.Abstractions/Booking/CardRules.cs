using HealthActors.Grains.Abstractions.Common;

namespace HealthActors.Grains.Abstractions.Booking;

public static class CardRules
{
    public static bool Luhn(string digits)
    {
        if (digits.Length is < 12 or > 19 || !digits.All(char.IsAsciiDigit)) return false;
        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (doubleIt && (d *= 2) > 9) d -= 9;
            sum += d;
            doubleIt = !doubleIt;
        }
        return sum % 10 == 0;
    }

    public static string Brand(string digits) => digits switch
    {
        _ when digits.StartsWith('4') => "visa",
        _ when digits.Length >= 2 && int.Parse(digits[..2]) is >= 51 and <= 55 => "mastercard",
        _ when digits.Length >= 4 && int.Parse(digits[..4]) is >= 2221 and <= 2720 => "mastercard",
        _ when digits.StartsWith("34") || digits.StartsWith("37") => "amex",
        _ when digits.StartsWith("6011") || digits.StartsWith("65") => "discover",
        _ => "unknown",
    };

    /// <summary>Validates card fields under "payment.*". Error messages never repeat the number.</summary>
    public static void Validate(ValidationErrors e, CardDetails? card, DateTimeOffset now, string prefix = "payment")
    {
        if (card is null) { e.Add(prefix, "is required"); return; }
        var raw = card.CardNumber;
        if (string.IsNullOrWhiteSpace(raw)) e.Add($"{prefix}.cardNumber", "is required");
        else if (raw.Any(c => !char.IsAsciiDigit(c) && c != ' ' && c != '-') || !Luhn(card.Digits))
            e.Add($"{prefix}.cardNumber", "is not a valid card number");

        if (card.ExpMonth is null) e.Add($"{prefix}.expMonth", "is required");
        else if (card.ExpMonth is < 1 or > 12) e.Add($"{prefix}.expMonth", "must be between 1 and 12");
        if (card.ExpYear is null) e.Add($"{prefix}.expYear", "is required");
        else if (card.ExpYear is < 2000 or > 2100) e.Add($"{prefix}.expYear", "must be a four-digit year");
        else if (card.ExpMonth is >= 1 and <= 12)
        {
            // A card is good through the last day of its expiry month.
            var lastValid = new DateTimeOffset(card.ExpYear.Value, card.ExpMonth.Value, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
            if (lastValid <= now) e.Add($"{prefix}.expYear", "the card has expired");
            else if (card.ExpYear > now.Year + 20) e.Add($"{prefix}.expYear", "is too far in the future");
        }

        var cvcLength = card.Digits.StartsWith("34") || card.Digits.StartsWith("37") ? 4 : 3;
        if (string.IsNullOrEmpty(card.Cvc)) e.Add($"{prefix}.cvc", "is required");
        else if (card.Cvc.Length != cvcLength || !card.Cvc.All(char.IsAsciiDigit)) e.Add($"{prefix}.cvc", $"must be {cvcLength} digits");

        e.Text($"{prefix}.holderName", card.HolderName, 100, required: true);
    }
}
