using Npgsql;
using Sark.Data.Errors;
using Sark.Data.Schema.Adoption;

namespace Sark.V1Import;

/// <summary>
/// Which v1 shape the database has. The variant recorded by <c>sark db adopt</c> wins; a database
/// sark built itself (001–005) is the Alembic shape. The only difference the mapping SQL needs is the
/// name of the tool parameters column; casts (<c>::text</c>, <c>::jsonb</c>) absorb the rest.
/// </summary>
public sealed record V1Source(V1Variant Variant, string ToolParametersColumn)
{
    private static readonly string[] V1Tables = ["mcp_servers", "mcp_tools"];

    private const string ColumnsSql = """
        SELECT table_name::text, column_name::text FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name IN ('mcp_servers', 'mcp_tools', 'resources', 'capabilities', 'v1_import_provenance')
        """;

    public static async Task<V1Source> DetectAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var columns = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = Sql.Command(ColumnsSql, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                columns.Add($"{reader.GetString(0)}.{reader.GetString(1)}");
            }
        }

        var missing = V1Tables.Where(t => !columns.Any(c => c.StartsWith(t + ".", StringComparison.Ordinal))).ToList();
        if (missing.Count > 0)
        {
            throw new SarkException($"the database has no v1 table {string.Join(" or ", missing)}: there is nothing to migrate (run 'sark db adopt' on an existing SARK v1 database, or 'sark db migrate' on a new one)");
        }

        var variant = await AdoptionRecord.ReadVariantAsync(connection, cancellationToken);
        var parameters = columns.Contains("mcp_tools.parameters_schema") ? "parameters_schema"
            : columns.Contains("mcp_tools.parameters") ? "parameters"
            : throw new SarkException("mcp_tools has neither parameters_schema (Alembic-built v1) nor parameters (ORM-built v1); run 'sark db adopt --dry-run' to see how the database differs");
        // Not adopted (yet): the parameters column tells the two v1 shapes apart.
        if (variant == V1Variant.Native)
        {
            variant = parameters == "parameters" ? V1Variant.Orm : V1Variant.Alembic;
        }

        return new V1Source(variant, parameters);
    }

    /// <summary>Whether the v2 tables and the tool's bookkeeping exist (validate reports rather than crashes when not).</summary>
    public static async Task<IReadOnlyList<string>> MissingV2TablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = Sql.Command(
            "SELECT t FROM unnest(ARRAY['resources', 'capabilities', 'v1_import_provenance', 'v1_import_runs', 'v1_import_issues']) t WHERE to_regclass(t) IS NULL",
            connection);
        var missing = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            missing.Add(reader.GetString(0));
        }

        return missing;
    }
}
