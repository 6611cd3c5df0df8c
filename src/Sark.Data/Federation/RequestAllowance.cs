namespace Sark.Data.Federation;

/// <summary>A request accepted by <see cref="FederationRegistry.ConsumeRequestAsync"/>, and what is left this hour.</summary>
/// <param name="NodeId">The node the request came from.</param>
/// <param name="Used">Requests accepted from the node in this hour, this one included.</param>
/// <param name="Limit">The node's limit per hour.</param>
/// <param name="HourStart">Start of the UTC hour counted.</param>
public sealed record RequestAllowance(string NodeId, int Used, int Limit, DateTimeOffset HourStart)
{
    /// <summary>Requests the node may still make this hour.</summary>
    public int Remaining => Math.Max(0, Limit - Used);

    /// <summary>When the count starts again from zero (the next UTC hour).</summary>
    public DateTimeOffset ResetsAt => HourStart.AddHours(1);
}
