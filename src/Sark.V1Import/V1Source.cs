using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Schema;
using Sark.V1Import.Adoption;

namespace Sark.V1Import;

/// <summary>
/// Which v1 shape the database has. The variant recorded by adoption wins; a database
/// sark built itself (001–005) is the Alembic shape. The mapping SQL needs the name of the tool
/// parameters column and the type of each JSON column (the ORM stores <c>json</c>, which not every
/// value of can become <c>jsonb</c>); casts (<c>::text</c>, <c>::jsonb</c>) absorb the rest.
/// Everything is looked up in the connection's current schema, where the migration runner creates
/// the tables (the first existing schema of its search_path; normally <c>public</c>).
/// </summary>
/// <param name="Variant">The v1 shape: Alembic-built or ORM-built.</param>
/// <param name="ToolParametersColumn">The mcp_tools column with the parameters: <c>parameters_schema</c> or <c>parameters</c>.</param>
public sealed record V1Source(V1Variant Variant, string ToolParametersColumn)
{
    private static readonly string[] V1Tables = ["mcp_servers", "mcp_tools"];

    /// <summary>Column → type name (<c>udt_name</c>) of the v1 tables, as "table.column".</summary>
    public IReadOnlyDictionary<string, string> ColumnTypes { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    private const string ColumnsSql = """
        SELECT table_name::text, column_name::text, udt_name::text FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name IN ('mcp_servers', 'mcp_tools')
        """;

    internal static async Task<V1Source> DetectAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var columns = new Dictionary<string, string>(StringComparer.Ordinal);
        var schema = await CurrentSchemaAsync(connection, cancellationToken).ConfigureAwait(false);
        using (var command = Sql.Command(ColumnsSql, connection))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                columns[$"{reader.GetString(0)}.{reader.GetString(1)}"] = reader.GetString(2);
            }
        }

        var missing = V1Tables.Where(t => !columns.Keys.Any(c => c.StartsWith(t + ".", StringComparison.Ordinal))).ToList();
        if (missing.Count > 0)
        {
            throw new SarkException(
                SarkErrorKind.NotFound,
                $"the database has no v1 table {string.Join(" or ", missing)} in schema '{schema}': there is nothing to migrate (run {MigrationTerms.Adopt} on an existing SARK v1 database, or {MigrationTerms.Migrate} on a new one; tables in another schema are found through search_path)");
        }

        var variant = await AdoptionRecord.ReadVariantAsync(connection, cancellationToken).ConfigureAwait(false);
        var parameters = columns.ContainsKey("mcp_tools.parameters_schema") ? "parameters_schema"
            : columns.ContainsKey("mcp_tools.parameters") ? "parameters"
            : throw new SarkException(
                SarkErrorKind.SchemaDrift,
                $"mcp_tools has neither parameters_schema (Alembic-built v1) nor parameters (ORM-built v1); run {MigrationTerms.InspectAdoption} to see how the database differs");
        // Not adopted (yet): the parameters column tells the two v1 shapes apart.
        if (variant == V1Variant.Native)
        {
            variant = parameters == "parameters" ? V1Variant.Orm : V1Variant.Alembic;
        }

        return new V1Source(variant, parameters) { ColumnTypes = columns };
    }

    private const string MissingV2TablesSql = """
        SELECT t FROM unnest(ARRAY['resources', 'capabilities', 'v1_import_provenance', 'v1_import_runs', 'v1_import_issues']) t
        WHERE NOT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                          WHERE n.nspname = current_schema() AND c.relname = t)
        """;

    /// <summary>Whether the v2 tables and the tool's bookkeeping exist (validate reports rather than crashes when not).</summary>
    internal static async Task<IReadOnlyList<string>> MissingV2TablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = Sql.Command(MissingV2TablesSql, connection);
        var missing = new List<string>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            missing.Add(reader.GetString(0));
        }

        return missing;
    }

    /// <summary>The schema every table is looked up in (<see cref="WorkingSchema"/>: one rule for every sark command).</summary>
    internal static Task<string> CurrentSchemaAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default) =>
        WorkingSchema.RequireAsync(connection, cancellationToken);
}
