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
/// <remarks>
/// A predicate may raise an error for one row instead of being false (an operator's CHECK that
/// casts a JSON field to int, say). Inlined into a set-based statement, that error would fail the
/// whole statement and so every mode. Trapping errors costs a subtransaction per row, so it is
/// only done when needed: the callers run the fast inlined form first and, when it fails with an
/// error about row data, run again with <see cref="TrappingErrorsAsync"/>, which evaluates the
/// rules in a function that turns such an error into that row's reason.
/// </remarks>
internal sealed class V2Constraints
{
    // The expression is the constraint's own (pg_get_expr), over unqualified column names; the
    // names are quoted by the server, so none needs escaping here.
    private const string CatalogSql = """
        SELECT c.relname::text, pg_get_expr(k.conbin, k.conrelid),
               quote_literal(columns.list || ' violates v2 check ' || k.conname),
               quote_literal(columns.list || ': v2 check ' || k.conname),
               array(SELECT a.attname::text FROM unnest(k.conkey) n JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = n)
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace s ON s.oid = c.relnamespace
        CROSS JOIN LATERAL (SELECT array_to_string(array(
            SELECT a.attname FROM unnest(k.conkey) n JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = n ORDER BY n), ', ') AS list) columns
        WHERE k.contype = 'c' AND s.nspname = current_schema() AND c.relname IN ('resources', 'capabilities')
        ORDER BY 1, k.conname
        """;

    // The declared types of the columns, for the parameters of the error-trapping function, and
    // the declared length of a varchar or char column (atttypmod holds it plus a 4-byte header).
    private const string ColumnsSql = """
        SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod),
               CASE WHEN a.atttypid IN ('varchar'::regtype, 'bpchar'::regtype) AND a.atttypmod > 4 THEN a.atttypmod - 4 END
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace s ON s.oid = c.relnamespace
        WHERE s.nspname = current_schema() AND c.relname IN ('resources', 'capabilities') AND a.attnum > 0 AND NOT a.attisdropped
        """;

    private readonly Dictionary<string, List<Rule>> rules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> columnTypes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> maxLengths = new(StringComparer.Ordinal);

    private V2Constraints()
    {
    }

    /// <summary>Whether the rules are evaluated through the error-trapping functions.</summary>
    public bool TrapsErrors { get; private init; }

    public static async Task<V2Constraints> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var constraints = new V2Constraints();
        await using (var command = Sql.Command(CatalogSql, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var table = V2Table.All.Single(t => t.Target == reader.GetString(0));
                var columns = reader.GetFieldValue<string[]>(4);
                // Only rules over columns the mapping writes can be checked on a mapped row.
                if (columns.All(c => c == "id" || table.Fields.Contains(c)))
                {
                    constraints.For(table).Add(new Rule(reader.GetString(1), reader.GetString(2), reader.GetString(3)));
                }
            }
        }

        await using (var command = Sql.Command(ColumnsSql, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                constraints.columnTypes[$"{reader.GetString(0)}.{reader.GetString(1)}"] = reader.GetString(2);
                if (!reader.IsDBNull(3))
                {
                    constraints.maxLengths[$"{reader.GetString(0)}.{reader.GetString(1)}"] = reader.GetInt32(3);
                }
            }
        }

        return constraints;
    }

    /// <summary>
    /// The same rules, evaluated through one temporary function per table that catches an error a
    /// predicate raises and makes it the row's reason. Call it outside any read-only transaction:
    /// it creates the functions (temporary, so they need only the TEMP privilege and die with the session).
    /// </summary>
    public async Task<V2Constraints> TrappingErrorsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        foreach (var table in V2Table.All.Where(HasChecks))
        {
            await using var command = Sql.Command(TrappingFunctionSql(table), connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var trapping = new V2Constraints { TrapsErrors = true };
        foreach (var (table, list) in rules)
        {
            trapping.rules[table] = list;
        }

        foreach (var (column, type) in columnTypes)
        {
            trapping.columnTypes[column] = type;
        }

        foreach (var (column, length) in maxLengths)
        {
            trapping.maxLengths[column] = length;
        }

        return trapping;
    }

    private List<Rule> For(V2Table table) =>
        rules.TryGetValue(table.Target, out var list) ? list : rules[table.Target] = [];

    private static string FunctionName(V2Table table) => $"pg_temp.sark_v2_checks_{table.Target}";

    private static IEnumerable<string> Columns(V2Table table) => table.Fields.Prepend("id");

    // Every rule in order, the first that fails giving the reason. One exception block for all of
    // them (one subtransaction per row, not one per rule); the variable that names the rule being
    // evaluated keeps its value when the block is left for the handler.
    private string TrappingFunctionSql(V2Table table)
    {
        var parameters = string.Join(", ", Columns(table).Select(c => $"{c} {columnTypes.GetValueOrDefault($"{table.Target}.{c}", "text")}"));
        var body = string.Concat(For(table).Select(r => $"""

                sark_rule := {r.Label};
                IF NOT coalesce(({r.Predicate}), true) THEN
                    RETURN {r.Reason};
                END IF;
            """));
        return $"""
            CREATE OR REPLACE FUNCTION {FunctionName(table)}({parameters}) RETURNS text
            LANGUAGE plpgsql AS $sark_checks$
            DECLARE
                sark_rule text;
            BEGIN{body}
                RETURN NULL;
            EXCEPTION WHEN OTHERS THEN
                RETURN sark_rule || ' failed on this row: ' || SQLERRM;
            END
            $sark_checks$
            """;
    }

    /// <summary>
    /// CASE branches yielding 'invalid|reason' for the first rule a mapped row breaks. The row's
    /// columns must be in scope unqualified, under their v2 names. Like the database, a rule that
    /// evaluates to NULL passes. When trapping errors, the branch reads <c>trapped.problem</c>
    /// from <see cref="TrappingJoin"/> instead.
    /// </summary>
    public string Violations(V2Table table) => TooLong(table) + (TrapsErrors && HasChecks(table)
        ? "\n    WHEN trapped.problem IS NOT NULL THEN 'invalid|' || trapped.problem"
        : string.Concat(For(table).Select(r => $"\n    WHEN NOT coalesce(({r.Predicate}), true) THEN 'invalid|' || {r.Reason}")));

    // A value longer than its v2 column's declared length: the mapping writes text, so such a
    // value is never cut short by a cast, and the database would refuse it. The length is the
    // column's own, so a column an operator widened or narrowed is honoured.
    private string TooLong(V2Table table) => string.Concat(Columns(table)
        .Where(c => maxLengths.ContainsKey($"{table.Target}.{c}"))
        .Select(c => (Column: c, Length: maxLengths[$"{table.Target}.{c}"]))
        .Select(c => $"\n    WHEN length({c.Column}) > {c.Length} THEN 'invalid|{c.Column} is longer than {c.Length} characters (' || length({c.Column}) || ')'"));

    /// <summary>
    /// When trapping errors, the join that evaluates the rules once per row of <paramref name="alias"/>
    /// through the function (OFFSET 0 keeps it from being inlined and called once per reference); else nothing.
    /// </summary>
    public string TrappingJoin(V2Table table, string alias) => !TrapsErrors || !HasChecks(table) ? "" : $"""

        CROSS JOIN LATERAL (SELECT {FunctionName(table)}({string.Join(", ", Columns(table).Select(c => $"{alias}.{c}"))}) AS problem OFFSET 0) trapped
        """;

    /// <summary>Whether any rule (a check or a declared length) applies to a row of <paramref name="table"/>.</summary>
    public bool Any(V2Table table) => For(table).Count > 0 || Columns(table).Any(c => maxLengths.ContainsKey($"{table.Target}.{c}"));

    /// <summary>Whether <paramref name="table"/> has CHECKs, which are what can raise an error.</summary>
    public bool HasChecks(V2Table table) => For(table).Count > 0;

    /// <param name="Predicate">The constraint's expression over unqualified column names.</param>
    /// <param name="Reason">'columns violates v2 check name', as a quoted literal.</param>
    /// <param name="Label">'columns: v2 check name', as a quoted literal, for an error it raises.</param>
    private sealed record Rule(string Predicate, string Reason, string Label);
}
