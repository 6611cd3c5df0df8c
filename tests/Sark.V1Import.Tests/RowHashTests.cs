using Npgsql;
using Sark.Testing;
using Sark.V1Import.Mapping;

namespace Sark.V1Import.Tests;

/// <summary>
/// The importer hashes a mapped row with json_build_array (it prints the text directly); provenance
/// written by earlier versions, and rollback, hash with jsonb_build_array. Both must print the same
/// text for every value the mapping can produce, or a rollback would take unchanged rows for
/// changed ones.
/// </summary>
public sealed class RowHashTests
{
    // Strings a JSON printer must escape, characters beyond ASCII, empty and NULL values, JSON with
    // nested structures and numbers in several spellings, and timestamps that print unusual epochs.
    private const string AwkwardTexts = """
        (VALUES (E'quote " backslash \\ tab \t newline \n return \r bell \u0007'), (E'é 😀 \u2028 \u00a0'), (''), (NULL), ('plain'))
        """;

    private const string AwkwardJson = """
        (VALUES ('{}'::jsonb), ('{"a": [1, 1.50, -0, 1e3, 12345678901234567890.5, "x\ty", "\u00e9"], "b": {"c": null, "d": true}}'),
                ('{"k\"ey": "v\\\\w", "sig": null, "list": []}'), ('"a string"'), ('[1, "two", {"three": 3}]'))
        """;

    private const string AwkwardTimes = """
        (VALUES ('infinity'::timestamptz), ('-infinity'), ('1900-01-01 00:00:00.123456+00'), ('1970-01-01 00:00:00+00'),
                ('2024-02-29 12:34:56.7+02'), ('294276-12-31 23:59:59.999999+00'), (NULL))
        """;

    [Fact]
    public async Task A_capability_hash_is_the_same_text_as_the_stored_and_rollback_hash()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var sql = $"""
            SELECT count(*), count(*) FILTER (WHERE {MappingSql.CapabilitiesRowHash} IS DISTINCT FROM md5(jsonb_build_array(
                       m.resource_id, m.name, m.description, m.input_schema, m.output_schema, m.sensitivity_level, m.metadata,
                       extract(epoch FROM m.created_at), extract(epoch FROM m.updated_at))::text))
            FROM (
                SELECT t.v AS resource_id, t.v AS name, t.v AS description, j.v AS input_schema, j.v AS output_schema,
                       'high'::varchar(20) AS sensitivity_level, j.v AS metadata, c.v AS created_at, u.v AS updated_at
                FROM {AwkwardTexts} t (v), {AwkwardJson} j (v), {AwkwardTimes} c (v), {AwkwardTimes} u (v)) m
            """;

        var (rows, different) = await CountAsync(database, sql);

        Assert.Equal(5 * 5 * 7 * 7, rows);
        Assert.Equal(0, different);
    }

    [Fact]
    public async Task A_resource_hash_is_the_same_text_as_the_stored_and_rollback_hash()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var sql = $"""
            SELECT count(*), count(*) FILTER (WHERE {MappingSql.ResourcesRowHash} IS DISTINCT FROM md5(jsonb_build_array(
                       m.name, m.protocol, m.endpoint, m.sensitivity_level, m.metadata,
                       extract(epoch FROM m.created_at), extract(epoch FROM m.updated_at))::text))
            FROM (
                SELECT t.v AS name, 'mcp'::varchar(50) AS protocol, t.v AS endpoint, 'low'::varchar(20) AS sensitivity_level,
                       j.v AS metadata, c.v AS created_at, c.v AS updated_at
                FROM {AwkwardTexts} t (v), {AwkwardJson} j (v), {AwkwardTimes} c (v)) m
            """;

        var (rows, different) = await CountAsync(database, sql);

        Assert.Equal(5 * 5 * 7, rows);
        Assert.Equal(0, different);
    }

    [Fact]
    public async Task The_hash_tells_rows_apart()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var sql = $"""
            SELECT count(*), count(DISTINCT {MappingSql.ResourcesRowHash})
            FROM (SELECT t.v AS name, 'mcp'::varchar(50) AS protocol, t.v AS endpoint, 'low'::varchar(20) AS sensitivity_level,
                         jsonb_build_object() AS metadata, now() AS created_at, now() AS updated_at FROM {AwkwardTexts} t (v)) m
            """;

        var (rows, distinct) = await CountAsync(database, sql);

        Assert.Equal(5, rows);
        Assert.Equal(5, distinct);
    }

    private static async Task<(long, long)> CountAsync(TestDatabase database, string sql)
    {
        await using var connection = await database.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
