using Npgsql;

namespace Sark.Data.Schema.Catalog;

/// <summary>
/// Compares a database's live schema with the shape sark's migration chain gives it at a version.
/// This is the public entry point for a component that judges a schema sark did not build (the
/// adoption of a database another tool made); the catalog reader, the comparer and the scratch
/// schema build behind it stay internal. Every difference is reported; which ones are expected
/// is the caller's business (see <see cref="KnownDifferences"/>).
/// </summary>
public static class SchemaComparison
{
    /// <summary>
    /// The shape of the connection's working schema (see <see cref="Connection.WorkingSchema"/>),
    /// read in a transaction of its own. Sark's bookkeeping tables are left out, and so are
    /// <paramref name="bookkeepingTables"/>: tables another tool keeps about the schema, not part of it.
    /// </summary>
    public static Task<CatalogModel> ReadLiveAsync(
        NpgsqlConnection connection, IReadOnlyCollection<string> bookkeepingTables, CancellationToken cancellationToken = default) =>
        SchemaReference.ReadLiveAsync(connection, bookkeepingTables, cancellationToken);

    /// <summary>
    /// Every difference of <paramref name="live"/> from the chain's shape at <paramref name="version"/>.
    /// That shape is built by running the up scripts 1..version in a scratch schema inside a
    /// transaction that is always rolled back: nothing is left behind, the live tables are not touched.
    /// </summary>
    public static async Task<IReadOnlyList<CatalogDifference>> CompareWithChainAsync(
        NpgsqlConnection connection, MigrationSet migrations, int version, CatalogModel live, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(live);
        var expected = await SchemaReference.BuildAsync(connection, migrations, version, cancellationToken).ConfigureAwait(false);
        return CatalogComparer.Compare(expected, live);
    }

    /// <summary>Every way <paramref name="actual"/> differs from <paramref name="expected"/>, table by table.</summary>
    public static IReadOnlyList<CatalogDifference> Compare(CatalogModel expected, CatalogModel actual) =>
        CatalogComparer.Compare(expected, actual);
}
