using Microsoft.Extensions.Logging;

namespace Sark.Data.Costs;

/// <summary>Log events of <see cref="CostLedger"/>, ids 1520–1539 of Sark.Data's 1000–1999.</summary>
internal static partial class CostLog
{
    [LoggerMessage(EventId = 1520, Level = LogLevel.Information, Message = "Denied {What} {Id} of {Amount} {Currency} for principal {Principal}: over its {Limit} limit of {LimitAmount}")]
    public static partial void Denied(this ILogger logger, string what, string id, decimal amount, string currency, string principal, string limit, decimal limitAmount);

    [LoggerMessage(EventId = 1521, Level = LogLevel.Information, Message = "Set the budget of principal {Principal}: daily {Daily}, monthly {Monthly} {Currency}, time zone {TimeZone}")]
    public static partial void BudgetSet(this ILogger logger, string principal, decimal? daily, decimal? monthly, string currency, string timeZone);

    [LoggerMessage(EventId = 1522, Level = LogLevel.Warning, Message = "Reservation {ReservationId} of principal {Principal} settled {Overrun} {Currency} above its estimate")]
    public static partial void Overrun(this ILogger logger, string reservationId, string principal, decimal overrun, string currency);

    [LoggerMessage(EventId = 1523, Level = LogLevel.Information, Message = "Ingested {Rows} cost row(s) for {Principals} principal(s) in {Milliseconds} ms; {OverLimit} now past a limit")]
    public static partial void Ingested(this ILogger logger, long rows, int principals, long milliseconds, int overLimit);

    [LoggerMessage(EventId = 1524, Level = LogLevel.Information, Message = "Expired {Count} reservation(s)")]
    public static partial void Expired(this ILogger logger, int count);

    [LoggerMessage(EventId = 1525, Level = LogLevel.Information, Message = "Pruned {Charges} charge id(s) and {Reservations} finished reservation(s) older than {Retention}")]
    public static partial void Pruned(this ILogger logger, int charges, int reservations, TimeSpan retention);
}
