using Sark.Data.Errors;

namespace Sark.Data.Federation;

/// <summary>
/// A node's request was refused: it made its <see cref="Limit"/> requests this UTC hour. Kind
/// <see cref="SarkErrorKind.LimitExceeded"/>; an HTTP host answers 429 with Retry-After from
/// <see cref="ResetsAt"/>.
/// </summary>
public sealed class RequestLimitExceededException(string nodeId, int limit, DateTimeOffset resetsAt)
    : SarkException(
        SarkErrorKind.LimitExceeded,
        $"federation node '{nodeId}' reached its limit of {limit} requests per hour; refused until {TrustAnchor.Iso(resetsAt)} (the next UTC hour)")
{
    /// <summary>The node refused.</summary>
    public string NodeId { get; } = nodeId;

    /// <summary>Its limit per hour.</summary>
    public int Limit { get; } = limit;

    /// <summary>When requests are accepted again (start of the next UTC hour).</summary>
    public DateTimeOffset ResetsAt { get; } = resetsAt;
}
