using Npgsql;

namespace Sark.V1Import.Mapping;

/// <summary>
/// The row rules of the v2 tables as the database itself defines them: every CHECK constraint of
/// resources and capabilities, read from the catalog of the current schema.
/// The mapping evaluates exactly these predicates on each mapped row, so a row the constraints
/// would refuse is skipped as invalid in every mode (dry run, execute, validate) instead of
/// aborting a batch; there is no second copy of the rules that could drift from the schema, and a
/// constraint an operator adds is honoured too. A CHECK over a column the mapping does not write
/// cannot be evaluated here; the importer's per-row fallback catches what it refuses, and so NOT
/// NULL (every NOT NULL v2 column the mapping writes comes from a NOT NULL v1 column or a
/// coalesce; testing them on every row cost more than the rest of the rules together).
/// </summary>
internal sealed class V2Constraints
{
    // The expression is the constraint's own (pg_get_expr), over unqualified column names; the
    // reason is quoted by the server, so no name needs escaping here.
    private const string CatalogSql = """
        SELECT c.relname::text, pg_get_expr(k.conbin, k.conrelid),
               quote_literal(array_to_string(array(
                   SELECT a.attname FROM unnest(k.conkey) n JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = n ORDER BY n), ', ')
                   || ' violates v2 check ' || k.conname),
               array(SELECT a.attname::text FROM unnest(k.conkey) n JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = n)
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace s ON s.oid = c.relnamespace
        WHERE k.contype = 'c' AND s.nspname = current_schema() AND c.relname IN ('resources', 'capabilities')
        ORDER BY 1, k.conname
        """;

    private readonly Dictionary<string, List<(string Predicate, string ReasonLiteral)>> rules = new(StringComparer.Ordinal);

    private V2Constraints()
    {
    }

    public static async Task<V2Constraints> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var constraints = new V2Constraints();
        await using var command = Sql.Command(CatalogSql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var table = V2Table.All.Single(t => t.Target == reader.GetString(0));
            var columns = reader.GetFieldValue<string[]>(3);
            // Only rules over columns the mapping writes can be checked on a mapped row.
            if (columns.All(c => c == "id" || table.Fields.Contains(c)))
            {
                constraints.For(table).Add((reader.GetString(1), reader.GetString(2)));
            }
        }

        return constraints;
    }

    private List<(string Predicate, string ReasonLiteral)> For(V2Table table) =>
        rules.TryGetValue(table.Target, out var list) ? list : rules[table.Target] = [];

    /// <summary>
    /// CASE branches yielding 'invalid|reason' for the first rule a mapped row breaks. The row's
    /// columns must be in scope unqualified, under their v2 names. Like the database, a rule that
    /// evaluates to NULL passes.
    /// </summary>
    public string Violations(V2Table table) =>
        string.Concat(For(table).Select(r => $"\n    WHEN NOT coalesce(({r.Predicate}), true) THEN 'invalid|' || {r.ReasonLiteral}"));

    public bool Any(V2Table table) => For(table).Count > 0;
}
