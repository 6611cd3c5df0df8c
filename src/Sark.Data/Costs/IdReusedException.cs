using Sark.Data.Errors;

namespace Sark.Data.Costs;

/// <summary>Which of the ledger's caller-supplied ids was reused.</summary>
public enum ReusedIdKind
{
    /// <summary>A charge id (<see cref="ChargeRequest.ChargeId"/>).</summary>
    Charge,

    /// <summary>A reservation id (<see cref="ReservationRequest.ReservationId"/>).</summary>
    Reservation,
}

/// <summary>
/// A charge or reservation id was sent again with a different request (another principal,
/// resource, capability, amount or currency): an id is an idempotency key for one request, so this
/// is refused and nothing is written (<see cref="SarkErrorKind.Conflict"/>). A true retry, the same
/// request with the same id, is not an error: it returns the first outcome. The message names the
/// id, what it was first used for and what differs.
/// </summary>
public sealed class IdReusedException : SarkException
{
    internal IdReusedException(ReusedIdKind idKind, string id, string message, Exception? innerException)
        : base(SarkErrorKind.Conflict, message, innerException)
    {
        IdKind = idKind;
        Id = id;
    }

    /// <summary>Whether <see cref="Id"/> is a charge id or a reservation id.</summary>
    public ReusedIdKind IdKind { get; }

    /// <summary>The id that was reused.</summary>
    public string Id { get; }
}
