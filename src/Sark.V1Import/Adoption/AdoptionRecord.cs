using Npgsql;
using Sark.Data.Connection;

namespace Sark.V1Import.Adoption;

/// <summary>
/// The <c>sark_adoption</c> table: one row saying how an adopted database was built. The v1→v2
/// tool reads the variant from it; <c>sark db verify</c> applies the variant's tolerances.
/// </summary>
internal static class AdoptionRecord
{
    internal const string CreateSql = """
        CREATE TABLE sark_adoption (
            adopted_at       timestamptz NOT NULL DEFAULT now(),
            adopted_by       text        NOT NULL,
            variant          text        NOT NULL CHECK (variant IN ('alembic', 'orm')),
            source           text        NOT NULL,
            baseline_version integer     NOT NULL,
            tolerated        jsonb       NOT NULL
        )
        """;

    internal const string InsertSql = """
        INSERT INTO sark_adoption (adopted_by, variant, source, baseline_version, tolerated)
        VALUES (current_user || ' (' || $1 || ')', $2, $3, $4, $5)
        """;

    /// <summary>The recorded variant, or <see cref="V1Variant.Native"/> when the database was never adopted.</summary>
    public static async Task<V1Variant> ReadVariantAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!await WorkingSchema.RelationExistsAsync(connection, "sark_adoption", cancellationToken).ConfigureAwait(false))
        {
            return V1Variant.Native;
        }

        using var command = new NpgsqlCommand("SELECT variant FROM sark_adoption LIMIT 1", connection);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) switch
        {
            "alembic" => V1Variant.Alembic,
            "orm" => V1Variant.Orm,
            _ => V1Variant.Native,
        };
    }
}
