using Sark.Data.Errors;

namespace Sark.Data.Costs;

/// <summary>Which window of a budget: the calendar day or month in the budget's time zone.</summary>
public enum BudgetWindowKind
{
    /// <summary>The calendar day.</summary>
    Daily,

    /// <summary>The calendar month.</summary>
    Monthly,
}

/// <summary>
/// Why a charge or a hold was refused: <see cref="Requested"/> more would pass the
/// <see cref="Limit"/> limit of <see cref="LimitAmount"/>, given what is <see cref="Spent"/> and
/// <see cref="Reserved"/> in that window.
/// </summary>
/// <param name="Principal">Whose budget.</param>
/// <param name="Limit">The limit that would be passed (daily is checked first).</param>
/// <param name="LimitAmount">That limit.</param>
/// <param name="Spent">Spent in that window before the refused amount.</param>
/// <param name="Reserved">Held by pending, unexpired reservations.</param>
/// <param name="Requested">The amount refused.</param>
/// <param name="Currency">The budget's currency.</param>
public sealed record BudgetDenial(
    string Principal, BudgetWindowKind Limit, decimal LimitAmount, decimal Spent, decimal Reserved, decimal Requested, string Currency)
{
    /// <summary>What is left in the window (never below 0).</summary>
    public decimal Remaining => Math.Max(0, LimitAmount - Spent - Reserved);

    /// <summary>"daily" or "monthly", as messages and JSON name the limit.</summary>
    public string LimitName => Limit == BudgetWindowKind.Daily ? "daily" : "monthly";

    /// <summary>One line: which limit, the limit, spent, reserved and the currency.</summary>
    public string Describe(string what) =>
        $"{what} of {CostInput.Format(Requested)} {Currency} denied: principal '{Principal}' would pass its {LimitName} limit of "
        + $"{CostInput.Format(LimitAmount)} {Currency} (spent {CostInput.Format(Spent)}, reserved {CostInput.Format(Reserved)}, remaining {CostInput.Format(Remaining)})";
}

/// <summary>
/// A charge or hold was denied by its budget (<see cref="SarkErrorKind.LimitExceeded"/>), thrown by
/// <see cref="ChargeResult.ThrowIfDenied"/> and <see cref="ReservationResult.ThrowIfDenied"/> for a
/// caller that treats a denial as an error; an HTTP host answers 402 or 429.
/// </summary>
public sealed class BudgetExceededException(BudgetDenial denial, string what)
    : SarkException(SarkErrorKind.LimitExceeded, denial?.Describe(what) ?? throw new ArgumentNullException(nameof(denial)))
{
    /// <summary>The limit, spend and hold that refused it.</summary>
    public BudgetDenial Denial { get; } = denial;
}
