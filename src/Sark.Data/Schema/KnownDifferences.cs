using Npgsql;
using Sark.Data.Schema.Catalog;

namespace Sark.Data.Schema;

/// <summary>
/// A named set of differences from the chain's shape that a database is known to have, for example
/// because another tool built it before sark adopted it. <see cref="Explain"/> gives the reason a
/// difference is expected, or null when the set does not know it: then it is drift.
/// </summary>
public sealed class KnownDifferences
{
    private readonly Func<CatalogDifference, string?> explain;

    /// <param name="name">What the set is called in reports (for example the kind of database it describes).</param>
    /// <param name="explain">The reason a difference is expected, or null for one this set does not know.</param>
    public KnownDifferences(string name, Func<CatalogDifference, string?> explain)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(explain);
        Name = name;
        this.explain = explain;
    }

    /// <summary>Tolerates nothing: every difference is drift.</summary>
    public static KnownDifferences None { get; } = new("none", _ => null);

    /// <summary>What the set is called in reports.</summary>
    public string Name { get; }

    /// <summary>Why <paramref name="difference"/> is expected, or null when it is drift.</summary>
    public string? Explain(CatalogDifference difference) => explain(difference);
}

/// <summary>
/// Where a database's <see cref="KnownDifferences"/> come from: read from the database itself (a
/// record left when it was adopted, say), together with the tables the tool that built it keeps
/// about the schema, which are never compared. Without one, nothing is tolerated.
/// </summary>
public interface IKnownDifferencesSource
{
    /// <summary>Tables that are another tool's bookkeeping, not schema; left out of every comparison.</summary>
    IReadOnlyCollection<string> BookkeepingTables { get; }

    /// <summary>The known differences of the database <paramref name="connection"/> works on.</summary>
    Task<KnownDifferences> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default);
}

/// <summary>A difference from the chain's shape, with the reason it is expected (null: a mismatch).</summary>
/// <param name="Difference">How the live schema differs.</param>
/// <param name="Reason">Why the difference is expected, or null when it is drift.</param>
public sealed record SchemaFinding(CatalogDifference Difference, string? Reason)
{
    /// <summary>Whether the difference is drift: no known difference explains it.</summary>
    public bool IsMismatch => Reason is null;
}
