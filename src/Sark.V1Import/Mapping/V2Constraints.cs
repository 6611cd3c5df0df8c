using Npgsql;

namespace Sark.V1Import.Mapping;

/// <summary>
/// The row rules of the v2 tables as the database itself defines them: every CHECK constraint of
/// resources and capabilities, read from the catalog of the current schema, and the declared
/// length of each varchar column.
/// The mapping evaluates exactly these predicates on each mapped row, so a row the constraints
/// would refuse is skipped as invalid in every mode (dry run, execute, validate) instead of
/// aborting a batch; there is no second copy of the rules that could drift from the schema, and a
/// constraint an operator adds is honoured too. A CHECK over a column the mapping does not write
/// cannot be evaluated here; the importer's per-row fallback catches what it refuses, and so NOT
/// NULL (every NOT NULL v2 column the mapping writes comes from a NOT NULL v1 column or a
/// coalesce; testing them on every row cost more than the rest of the rules together).
/// </summary>
/// <remarks>
/// The rules become one temporary function per table, <c>pg_temp.sark_v2_resources_problem</c>
/// and <c>pg_temp.sark_v2_capabilities_problem</c>, which the mapping statements call with a
/// mapped row and which return the first broken rule's reason, or NULL. Created as a one-line SQL
/// function, the planner inlines it: the rules run as expressions inside the statement, no
/// function is called per row.
/// A predicate may raise an error for one row instead of being false (an operator's CHECK that
/// casts a JSON field to int, say). Inlined into a set-based statement, that error would fail the
/// whole statement and so every mode. Trapping errors costs a subtransaction per row, so it is
/// only done when needed: the callers run the fast inlined form first and, when it fails with an
/// error about row data, run again after <see cref="TrapErrorsAsync"/> has replaced the
/// functions with PL/pgSQL ones that turn such an error into that row's reason.
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

    // The declared length of each varchar or char column (atttypmod holds it plus a 4-byte header).
    private const string LengthsSql = """
        SELECT c.relname::text, a.attname::text, a.atttypmod - 4
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace s ON s.oid = c.relnamespace
        WHERE s.nspname = current_schema() AND c.relname IN ('resources', 'capabilities') AND a.attnum > 0 AND NOT a.attisdropped
          AND a.atttypid IN ('varchar'::regtype, 'bpchar'::regtype) AND a.atttypmod > 4
        """;

    // The type the mapping gives each column it writes (MappingSql): the rules see a mapped row as
    // the mapping would write it. The functions take the row as id and then the table's fields,
    // in the order the mapping statements pass them.
    private static readonly Dictionary<string, string> MappedTypes = new(StringComparer.Ordinal)
    {
        ["id"] = "text", ["resource_id"] = "text", ["name"] = "text", ["description"] = "text", ["protocol"] = "varchar",
        ["endpoint"] = "text", ["sensitivity_level"] = "varchar", ["input_schema"] = "jsonb", ["output_schema"] = "jsonb",
        ["metadata"] = "jsonb", ["created_at"] = "timestamptz", ["updated_at"] = "timestamptz",
    };

    private readonly Dictionary<string, List<Rule>> rules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> maxLengths = new(StringComparer.Ordinal);

    private V2Constraints()
    {
    }

    /// <summary>Reads the rules and creates the (inlined) functions in the connection's session.</summary>
    public static async Task<V2Constraints> CreateAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var constraints = new V2Constraints();
        using (var command = Sql.Command(CatalogSql, connection))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
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

        using (var command = Sql.Command(LengthsSql, connection))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                constraints.maxLengths[$"{reader.GetString(0)}.{reader.GetString(1)}"] = reader.GetInt32(2);
            }
        }

        await constraints.CreateFunctionsAsync(connection, trapping: false, cancellationToken).ConfigureAwait(false);
        return constraints;
    }

    /// <summary>
    /// Replaces the functions with ones that evaluate the same rules catching an error a predicate
    /// raises and making it the row's reason. Call it outside any read-only transaction.
    /// </summary>
    public Task TrapErrorsAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        CreateFunctionsAsync(connection, trapping: true, cancellationToken);

    private async Task CreateFunctionsAsync(NpgsqlConnection connection, bool trapping, CancellationToken cancellationToken)
    {
        foreach (var table in V2Table.All)
        {
            using var command = Sql.Command(ProblemFunctionSql(table, trapping), connection);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private List<Rule> For(V2Table table) =>
        rules.TryGetValue(table.Target, out var list) ? list : rules[table.Target] = [];

    /// <summary>
    /// The function's definition: the one statement of the tool built at run time, because its
    /// body is the database's own rules, read from the catalog, which no constant can hold. The
    /// pieces are the server's own text (pg_get_expr, quote_literal) and fixed column names.
    /// Inlined form: one CASE, the first broken rule giving the reason; like the database, a rule
    /// that evaluates to NULL passes. Trapping form: every rule in order in one exception block (one
    /// subtransaction per row, not one per rule); the variable that names the rule being evaluated
    /// keeps its value when the block is left for the handler. It is VOLATILE so the planner calls it
    /// once per row instead of inlining the mapping's reference to it twice.
    /// </summary>
    internal string ProblemFunctionSql(V2Table table, bool trapping)
    {
        var columns = table.Fields.Prepend("id").ToList();
        var parameters = string.Join(", ", columns.Select(c => $"{c} {MappedTypes[c]}"));
        var tooLong = columns
            .Where(c => maxLengths.ContainsKey($"{table.Target}.{c}"))
            .Select(c => (Column: c, Length: maxLengths[$"{table.Target}.{c}"]))
            .Select(c => (Test: $"length({c.Column}) > {c.Length}", Reason: $"'{c.Column} is longer than {c.Length} characters (' || length({c.Column}) || ')'"))
            .ToList();
        var header = $"CREATE OR REPLACE FUNCTION pg_temp.sark_v2_{table.Target}_problem({parameters}) RETURNS text";
        if (!trapping)
        {
            var branches = tooLong.Select(c => $"\n        WHEN {c.Test} THEN {c.Reason}")
                .Concat(For(table).Select(r => $"\n        WHEN NOT coalesce(({r.Predicate}), true) THEN {r.Reason}"))
                .ToList();
            var body = branches.Count == 0 ? "SELECT NULL::text" : $"SELECT CASE{string.Concat(branches)}\n    END";
            return $"""
                {header}
                LANGUAGE sql STABLE AS $sark_checks$
                    {body}
                $sark_checks$
                """;
        }

        var statements = string.Concat(tooLong.Select(c => $"""

                IF {c.Test} THEN
                    RETURN {c.Reason};
                END IF;
            """)) + string.Concat(For(table).Select(r => $"""

                sark_rule := {r.Label};
                IF NOT coalesce(({r.Predicate}), true) THEN
                    RETURN {r.Reason};
                END IF;
            """));
        return $"""
            {header}
            LANGUAGE plpgsql VOLATILE AS $sark_checks$
            DECLARE
                sark_rule text;
            BEGIN{statements}
                RETURN NULL;
            EXCEPTION WHEN OTHERS THEN
                RETURN sark_rule || ' failed on this row: ' || SQLERRM;
            END
            $sark_checks$
            """;
    }

    /// <summary>Whether <paramref name="table"/> has CHECKs, which are what can raise an error.</summary>
    public bool HasChecks(V2Table table) => For(table).Count > 0;

    /// <param name="Predicate">The constraint's expression over unqualified column names.</param>
    /// <param name="Reason">'columns violates v2 check name', as a quoted literal.</param>
    /// <param name="Label">'columns: v2 check name', as a quoted literal, for an error it raises.</param>
    private sealed record Rule(string Predicate, string Reason, string Label);
}
