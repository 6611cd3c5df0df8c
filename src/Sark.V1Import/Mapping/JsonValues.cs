using Npgsql;

namespace Sark.V1Import.Mapping;

/// <summary>
/// Reads v1 JSON columns as <c>jsonb</c> without letting one value abort a statement. The ORM
/// stores <c>json</c>, text that passed a syntax check only: converting it to <c>jsonb</c> fails
/// for a <c>\u0000</c> escape (22P05), an unpaired surrogate escape (22P02) or a number outside
/// numeric's range (22003), and inside a set-based statement one such value fails every mode.
/// So each value is tested first and a failing one makes its row invalid, with the database's
/// own message as the reason. The test is a function that tries the cast and catches the error
/// (a subtransaction per call, a few microseconds), so a cheap filter sends it only the values
/// that can fail at all: those with a \u escape, a number with an exponent, or longer than any
/// number numeric accepts without one. <c>jsonb</c> columns (the Alembic shape) cost nothing.
/// </summary>
internal static class JsonValues
{
    private const string Function = "pg_temp.sark_v1_jsonb_problem";

    /// <summary>The v1 columns the mapping reads as JSON, whichever shape names them.</summary>
    private static readonly string[] Columns =
    [
        "mcp_servers.capabilities", "mcp_servers.tags", "mcp_servers.extra_metadata",
        "mcp_tools.parameters", "mcp_tools.parameters_schema", "mcp_tools.extra_metadata",
    ];

    // A temporary function: it dies with the session, needs only the TEMP privilege every
    // database grants by default, and is created outside the read-only snapshot of a dry run or
    // validate (a read-only transaction may not create it).
    private const string CreateSql = $"""
        CREATE OR REPLACE FUNCTION {Function}(value text) RETURNS text
        LANGUAGE plpgsql IMMUTABLE PARALLEL RESTRICTED AS $$
        BEGIN
            PERFORM value::jsonb;
            RETURN NULL;
        EXCEPTION WHEN data_exception OR program_limit_exceeded THEN
            RETURN SQLERRM;
        END
        $$
        """;

    /// <summary>Creates the test function when a JSON column of <paramref name="source"/> is not jsonb.</summary>
    public static async Task PrepareAsync(NpgsqlConnection connection, V1Source source, CancellationToken cancellationToken)
    {
        if (Columns.Any(c => source.ColumnTypes.GetValueOrDefault(c) is { } type && type != "jsonb"))
        {
            await using var command = Sql.Command(CreateSql, connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Why <paramref name="column"/> of <paramref name="alias"/> (a row of <paramref name="table"/>)
    /// cannot become jsonb, or NULL when it can (and when it is NULL).
    /// </summary>
    public static string Problem(V1Source source, string table, string alias, string column) =>
        source.ColumnTypes.GetValueOrDefault($"{table}.{column}") switch
        {
            "jsonb" or null => "NULL::text",
            // Valid JSON already: only these values can fail the conversion.
            "json" => $"""
                CASE WHEN strpos({alias}.{column}::text, E'\\u') > 0 OR {alias}.{column}::text ~ '[0-9][eE][-+]?[0-9]' OR length({alias}.{column}::text) > 16000
                     THEN {Function}({alias}.{column}::text) END
                """,
            _ => $"{Function}({alias}.{column}::text)",
        };

    /// <summary>The column as jsonb, NULL where <see cref="Problem"/> has a reason (that row is invalid).</summary>
    public static string AsJsonb(V1Source source, string table, string alias, string column) =>
        source.ColumnTypes.GetValueOrDefault($"{table}.{column}") is "jsonb" or null
            ? $"{alias}.{column}"
            : $"CASE WHEN {Problem(source, table, alias, column)} IS NULL THEN {alias}.{column}::jsonb END";
}
