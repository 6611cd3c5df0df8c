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
/// <remarks>
/// The mapping statements call <c>pg_temp.sark_v1_jsonb(column)</c> (the value, or NULL when it
/// cannot be jsonb) and <c>pg_temp.sark_v1_jsonb_problem(column)</c> (why, or NULL) whatever the
/// column's type; PostgreSQL picks the overload by that type, so one statement text serves both v1
/// shapes. The jsonb and json overloads are one-line SQL functions, which the planner inlines:
/// for a jsonb column the call becomes the column itself, and no function is called per row.
/// </remarks>
internal static class JsonValues
{
    // Temporary functions: they die with the session, need only the TEMP privilege every
    // database grants by default, and are created outside the read-only snapshot of a dry run or
    // validate (a read-only transaction may not create them). The text overload also serves
    // varchar columns; it is created first because the json overload calls it.
    private const string CreateFunctionsSql = """
        CREATE OR REPLACE FUNCTION pg_temp.sark_v1_jsonb_problem(value text) RETURNS text
        LANGUAGE plpgsql IMMUTABLE PARALLEL RESTRICTED AS $$
        BEGIN
            PERFORM value::jsonb;
            RETURN NULL;
        EXCEPTION WHEN data_exception OR program_limit_exceeded THEN
            RETURN SQLERRM;
        END
        $$;

        -- Valid JSON already: only these values can fail the conversion.
        CREATE OR REPLACE FUNCTION pg_temp.sark_v1_jsonb_problem(value json) RETURNS text
        LANGUAGE sql IMMUTABLE AS $$
            SELECT CASE WHEN strpos(value::text, E'\\u') > 0 OR value::text ~ '[0-9][eE][-+]?[0-9]' OR length(value::text) > 16000
                        THEN pg_temp.sark_v1_jsonb_problem(value::text) END
        $$;

        CREATE OR REPLACE FUNCTION pg_temp.sark_v1_jsonb_problem(value jsonb) RETURNS text
        LANGUAGE sql IMMUTABLE AS $$ SELECT NULL::text $$;

        CREATE OR REPLACE FUNCTION pg_temp.sark_v1_jsonb(value text) RETURNS jsonb
        LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN pg_temp.sark_v1_jsonb_problem(value) IS NULL THEN value::jsonb END $$;

        CREATE OR REPLACE FUNCTION pg_temp.sark_v1_jsonb(value json) RETURNS jsonb
        LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN pg_temp.sark_v1_jsonb_problem(value) IS NULL THEN value::jsonb END $$;

        CREATE OR REPLACE FUNCTION pg_temp.sark_v1_jsonb(value jsonb) RETURNS jsonb
        LANGUAGE sql IMMUTABLE AS $$ SELECT value $$
        """;

    /// <summary>Creates the functions in the connection's session.</summary>
    public static async Task CreateFunctionsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        using var command = Sql.Command(CreateFunctionsSql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
