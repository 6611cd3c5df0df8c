using Sark.Data.Schema;
using Sark.Data.Schema.Catalog;

namespace Sark.V1Import.Adoption;

public enum AdoptionOutcome
{
    /// <summary>The database already has a sark journal.</summary>
    AlreadyManaged,

    /// <summary>No tables at all: nothing to adopt, <c>sark db migrate</c> starts at 001.</summary>
    Empty,

    /// <summary>A recognised SARK v1 database whose shape was verified.</summary>
    Adoptable,

    /// <summary>Not a shape sark recognises; the findings list every mismatch.</summary>
    Refused,
}

/// <summary>What <c>sark db adopt</c> found, and (unless a dry run) did.</summary>
public sealed record AdoptionReport(
    AdoptionOutcome Outcome,
    V1Variant Variant,
    int BaselineVersion,
    string Source,
    IReadOnlyList<SchemaFinding> Findings,
    bool Applied = false)
{
    public IEnumerable<SchemaFinding> Mismatches => Findings.Where(f => f.IsMismatch);

    public IEnumerable<SchemaFinding> Tolerated => Findings.Where(f => !f.IsMismatch);

    /// <summary>Tolerated members whose only difference is their name; adoption gives them sark's.</summary>
    public IEnumerable<CatalogDifference> Renames =>
        Tolerated.Select(f => f.Difference).Where(d => d.Kind is DifferenceKind.ConstraintName or DifferenceKind.IndexName);

    /// <summary>The mismatches grouped by table, one line per table, for the refusal message.</summary>
    public IEnumerable<string> MismatchesByTable() =>
        Mismatches
            .GroupBy(f => f.Difference.Table.Length > 0 ? f.Difference.Table : "(types and functions)")
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key}: {string.Join("; ", g.Select(f => Strip(f.Difference.ToString(), g.Key)))}");

    private static string Strip(string text, string table) =>
        text.StartsWith($"table {table}: ", StringComparison.Ordinal) ? text[$"table {table}: ".Length..] : text;
}
