using Sark.Data.Schema;
using Sark.Data.Schema.Catalog;

namespace Sark.V1Import.Adoption;

/// <summary>What adoption found the database to be.</summary>
public enum AdoptionOutcome
{
    /// <summary>The database already has a sark journal.</summary>
    AlreadyManaged,

    /// <summary>No tables at all: nothing to adopt, <see cref="MigrationRunner.MigrateAsync"/> starts at 001.</summary>
    Empty,

    /// <summary>A recognised SARK v1 database whose shape was verified.</summary>
    Adoptable,

    /// <summary>Not a shape sark recognises; the findings list every mismatch.</summary>
    Refused,
}

/// <summary>What <see cref="DatabaseAdopter"/> found, and (unless a dry run) did.</summary>
/// <param name="Outcome">What the database was found to be.</param>
/// <param name="Variant">The v1 shape recognised (<see cref="V1Variant.Native"/> when none applies).</param>
/// <param name="BaselineVersion">The version the journal records (or would record) as present.</param>
/// <param name="Source">What the verdict rests on (<c>sark journal</c>, the shape compared with).</param>
/// <param name="Findings">Every difference from that shape, tolerated or not.</param>
/// <param name="Applied">Whether the baseline was recorded.</param>
public sealed record AdoptionReport(
    AdoptionOutcome Outcome,
    V1Variant Variant,
    int BaselineVersion,
    string Source,
    IReadOnlyList<SchemaFinding> Findings,
    bool Applied = false)
{
    /// <summary>The differences no rule of the variant explains: why a database is refused.</summary>
    public IEnumerable<SchemaFinding> Mismatches => Findings.Where(f => f.IsMismatch);

    /// <summary>The differences the variant is known to have, each with its reason.</summary>
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
