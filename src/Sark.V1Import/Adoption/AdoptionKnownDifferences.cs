using Npgsql;
using Sark.Data.Schema;

namespace Sark.V1Import.Adoption;

/// <summary>
/// The differences an adopted SARK v1 database is known to have, for <see cref="SchemaVerifier"/>:
/// those of the variant its adoption record names (none for a database sark built itself), and
/// Alembic's table as bookkeeping. The set is named after the variant in lower case
/// ("native", "alembic", "orm"), as <c>sark db verify --json</c> reports it.
/// </summary>
public sealed class AdoptionKnownDifferences : IKnownDifferencesSource
{
    /// <summary>Alembic's <c>alembic_version</c>: bookkeeping, not schema.</summary>
    public IReadOnlyCollection<string> BookkeepingTables => AdoptionRules.BookkeepingTables;

    /// <summary>
    /// The differences of the variant the database's adoption record names; none for a database
    /// without a record (one sark built itself).
    /// </summary>
    public async Task<KnownDifferences> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        var variant = await AdoptionRecord.ReadVariantAsync(connection, cancellationToken).ConfigureAwait(false);
        return new KnownDifferences(NameOf(variant), d => AdoptionRules.Explain(variant, d));
    }

    /// <summary>The variant a set this source read stands for; <see cref="V1Variant.Native"/> for any other set.</summary>
    public static V1Variant VariantOf(KnownDifferences knownDifferences)
    {
        ArgumentNullException.ThrowIfNull(knownDifferences);
        return Enum.GetValues<V1Variant>().FirstOrDefault(v => NameOf(v) == knownDifferences.Name, V1Variant.Native);
    }

    private static string NameOf(V1Variant variant) => variant.ToString().ToLowerInvariant();
}
