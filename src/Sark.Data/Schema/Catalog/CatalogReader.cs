using System.Text.RegularExpressions;
using Npgsql;

namespace Sark.Data.Schema.Catalog;

/// <summary>
/// Reads the shape of one schema from the system catalogs. Partitions are left out (the
/// maintenance job creates them by date), and so are sark's bookkeeping tables and those the caller
/// names (the bookkeeping of a tool that built the database before sark).
/// Definitions are read with the schema as search_path and its name stripped, so a reference
/// schema and <c>public</c> compare equal when they have the same shape.
/// </summary>
internal static class CatalogReader
{
    // The journal, and the record of how a baselined database was built (written by whoever baselined it).
    public static readonly IReadOnlySet<string> BookkeepingTables = new HashSet<string>(StringComparer.Ordinal)
    {
        "sark_migrations", "sark_adoption",
    };

    private const string RelationsSql = """
        SELECT c.oid::bigint, c.relname, c.relkind::text,
               CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
        """;

    private const string ColumnsSql = """
        SELECT a.attrelid::bigint, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               pg_get_expr(d.adbin, d.adrelid)
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = $1 AND a.attnum > 0 AND NOT a.attisdropped
        """;

    private const string ConstraintsSql = """
        SELECT con.conrelid::bigint, con.conname, pg_get_constraintdef(con.oid)
        FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1
        """;

    // An index of a partitioned table prints as "ON ONLY t": the same index as "ON t" on a plain
    // table, which is how known differences (and people) write it; the table's kind is compared apart.
    private const string IndexesSql = """
        SELECT i.indrelid::bigint, ic.relname, regexp_replace(pg_get_indexdef(i.indexrelid), ' ON ONLY ', ' ON ')
        FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
        WHERE n.nspname = $1
        """;

    private const string TriggersSql = """
        SELECT tg.tgrelid::bigint, tg.tgname, pg_get_triggerdef(tg.oid)
        FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND NOT tg.tgisinternal
        """;

    private const string EnumsSql = """
        SELECT t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid
        WHERE n.nspname = $1
        GROUP BY t.typname
        """;

    private const string FunctionsSql = """
        SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', pg_get_functiondef(p.oid)
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = $1 AND p.prokind = 'f'
        """;

    /// <summary>
    /// Reads <paramref name="schema"/>, leaving out <paramref name="otherBookkeepingTables"/> too;
    /// the caller's transaction (if any) is used.
    /// </summary>
    public static async Task<CatalogModel> ReadAsync(
        NpgsqlConnection connection, string schema, IReadOnlyCollection<string> otherBookkeepingTables, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(otherBookkeepingTables);
        var strip = new Regex($@"\b{Regex.Escape(schema)}\.", RegexOptions.CultureInvariant);
        string Clean(string definition) => strip.Replace(definition, "");

        await Execute(connection, "SELECT set_config('search_path', quote_ident($1), true)", schema, cancellationToken).ConfigureAwait(false);
        var relations = new Dictionary<long, (string Name, string Kind, string? Definition)>();
        await ForEachRow(connection, RelationsSql, schema, r =>
        {
            var name = r.GetString(1);
            if (!BookkeepingTables.Contains(name) && !otherBookkeepingTables.Contains(name))
            {
                relations[r.GetInt64(0)] = (name, r.GetString(2), r.IsDBNull(3) ? null : Clean(r.GetString(3)));
            }
        }, cancellationToken).ConfigureAwait(false);

        var columns = Group<ColumnShape>();
        var constraints = Group<string>();
        var indexes = Group<string>();
        var triggers = Group<string>();
        await ForEachRow(connection, ColumnsSql, schema, r => Add(columns, relations, r.GetInt64(0), r.GetString(1),
            new ColumnShape(r.GetString(1), r.GetString(2), r.GetBoolean(3), r.IsDBNull(4) ? null : Clean(r.GetString(4)))), cancellationToken).ConfigureAwait(false);
        await ForEachRow(connection, ConstraintsSql, schema, r => Add(constraints, relations, r.GetInt64(0), r.GetString(1), Clean(r.GetString(2))), cancellationToken).ConfigureAwait(false);
        await ForEachRow(connection, IndexesSql, schema, r => Add(indexes, relations, r.GetInt64(0), r.GetString(1), Clean(r.GetString(2))), cancellationToken).ConfigureAwait(false);
        await ForEachRow(connection, TriggersSql, schema, r => Add(triggers, relations, r.GetInt64(0), r.GetString(1), Clean(r.GetString(2))), cancellationToken).ConfigureAwait(false);

        var tables = relations.ToDictionary(
            r => r.Value.Name,
            r => new TableShape(r.Value.Name, r.Value.Kind, Of(columns, r.Key), Of(constraints, r.Key), Of(indexes, r.Key), Of(triggers, r.Key), r.Value.Definition),
            StringComparer.Ordinal);

        var enums = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        await ForEachRow(connection, EnumsSql, schema, r => enums[r.GetString(0)] = r.GetFieldValue<string[]>(1), cancellationToken).ConfigureAwait(false);
        var functions = new Dictionary<string, string>(StringComparer.Ordinal);
        await ForEachRow(connection, FunctionsSql, schema, r => functions[r.GetString(0)] = Clean(r.GetString(1)), cancellationToken).ConfigureAwait(false);
        return new CatalogModel(tables, enums, functions);
    }

    private static Dictionary<long, Dictionary<string, T>> Group<T>() => [];

    private static void Add<T>(
        Dictionary<long, Dictionary<string, T>> groups, Dictionary<long, (string, string, string?)> relations, long relation, string name, T value)
    {
        if (!relations.ContainsKey(relation))
        {
            return;
        }

        if (!groups.TryGetValue(relation, out var group))
        {
            groups[relation] = group = new Dictionary<string, T>(StringComparer.Ordinal);
        }

        group[name] = value;
    }

    private static Dictionary<string, T> Of<T>(Dictionary<long, Dictionary<string, T>> groups, long relation) =>
        groups.TryGetValue(relation, out var group) ? group : new Dictionary<string, T>(StringComparer.Ordinal);

    private static async Task Execute(NpgsqlConnection connection, string sql, string schema, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = schema });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ForEachRow(NpgsqlConnection connection, string sql, string schema, Action<NpgsqlDataReader> row, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = schema });
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            row(reader);
        }
    }
}
