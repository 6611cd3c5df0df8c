using Npgsql;
using Sark.Data.Errors;

namespace Sark.Data.Costs;

/// <summary>
/// The errors the budget functions of migrations 013 and 016 raise, by their SQLSTATE (class SK, SARK's
/// own): each becomes the kind a caller acts on, with the function's one-line message.
/// </summary>
internal static class CostErrors
{
    public const string CurrencyMismatch = "SK001";
    public const string IdReused = "SK002";
    public const string ReservationNotFound = "SK003";
    public const string ReservationFinished = "SK004";
    public const string ReservationExpired = "SK005";
    public const string UnknownTimeZone = "SK006";
    public const string CurrencyLocked = "SK007";

    private const string ChargeIdKey = "cost_charges_pkey";
    private const string ReservationIdKey = "budget_reservations_pkey";

    // SK002 names the ledger's key (RAISE ... CONSTRAINT, since 016) to say which kind of id it is.
    private static ReusedIdKind IdKindOf(PostgresException pg) =>
        pg.ConstraintName == ReservationIdKey ? ReusedIdKind.Reservation : ReusedIdKind.Charge;

    public static SarkException Translate(NpgsqlException exception, string doing, string? id = null)
    {
        if (exception is not PostgresException pg)
        {
            return PostgresErrors.Translate(exception, doing);
        }

        return pg.SqlState switch
        {
            CurrencyMismatch or UnknownTimeZone => new UsageException(pg.MessageText, pg),
            IdReused => new IdReusedException(IdKindOf(pg), id ?? "", pg.MessageText, pg),
            ReservationFinished or ReservationExpired or CurrencyLocked => new SarkException(SarkErrorKind.Conflict, pg.MessageText, pg),
            ReservationNotFound => new SarkException(SarkErrorKind.NotFound, pg.MessageText, pg),

            // Two requests with one id and different principals: they lock different budget rows, so the
            // ledger's unique key is what meets them.
            PostgresErrorCodes.UniqueViolation when pg.ConstraintName == ChargeIdKey => new IdReusedException(
                ReusedIdKind.Charge, id ?? "", $"charge id '{id}' was already used for a charge of another principal; use a new id for a new charge", pg),
            PostgresErrorCodes.UniqueViolation when pg.ConstraintName == ReservationIdKey => new IdReusedException(
                ReusedIdKind.Reservation, id ?? "", $"reservation id '{id}' was already used for a hold of another principal; use a new id for a new reservation", pg),
            _ => PostgresErrors.Translate(exception, doing),
        };
    }
}
