namespace Sark.Data.Registry;

/// <summary>Resources and capabilities of one protocol at one sensitivity.</summary>
/// <param name="Protocol">The protocol (a capability counts under its resource's).</param>
/// <param name="Sensitivity">The level: the resource's own for <paramref name="Resources"/>, the capability's for <paramref name="Capabilities"/>.</param>
/// <param name="Resources">Resources of this protocol at this level.</param>
/// <param name="Capabilities">Capabilities at this level whose resource has this protocol.</param>
public sealed record RegistryCount(string Protocol, SensitivityLevel Sensitivity, long Resources, long Capabilities);

/// <summary>Resources and capabilities of one protocol at every level.</summary>
/// <param name="Protocol">The protocol.</param>
/// <param name="Resources">Its resources.</param>
/// <param name="Capabilities">Capabilities of its resources.</param>
public sealed record ProtocolTotal(string Protocol, long Resources, long Capabilities);

/// <summary>Cross-protocol statistics, exact (kept by triggers in the same transactions as the rows).</summary>
/// <param name="Counts">Non-zero groups, ordered by protocol then sensitivity (low first).</param>
public sealed record RegistryStatistics(IReadOnlyList<RegistryCount> Counts)
{
    /// <summary>All resources.</summary>
    public long TotalResources => Counts.Sum(c => c.Resources);

    /// <summary>All capabilities.</summary>
    public long TotalCapabilities => Counts.Sum(c => c.Capabilities);

    /// <summary>Per protocol, its resources and capabilities at every level, ordered by protocol.</summary>
    public IReadOnlyList<ProtocolTotal> ByProtocol =>
        [.. Counts.GroupBy(c => c.Protocol, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ProtocolTotal(g.Key, g.Sum(c => c.Resources), g.Sum(c => c.Capabilities)))];
}
