using System.Reflection;
using System.Text.RegularExpressions;
using Npgsql;
using Sark.Testing;
using Sark.Testing.V1;
using Sark.V1Import.Adoption;
using Sark.V1Import.Mapping;

namespace Sark.V1Import.Tests;

/// <summary>
/// Every SQL statement of the importer, planner, validator and rollback as the source holds it (a
/// <c>…Sql</c> constant, or a <c>…Sql</c> array of statements run in order) is compiled by
/// PostgreSQL against a migrated database of each v1 shape, in a session set up as the tool sets
/// it up. A query or data change is prepared and its plan explained with NULL parameters of the
/// types the server infers (a CREATE TABLE … AS by its query); a statement PostgreSQL cannot
/// prepare (SET, CREATE INDEX, ANALYZE, a function or view) is run and rolled back. So a statement
/// that no longer parses fails here, whichever path runs it, even one only a rare case reaches.
/// </summary>
public sealed partial class StatementTests
{
    private static readonly List<(string Name, string Sql)> Statements = FindStatements();

    [Fact]
    public void The_statements_are_found_in_the_source()
    {
        Assert.True(Statements.Count >= 60, $"only {Statements.Count} statements found; are the …Sql constants still there?");
        Assert.Contains(Statements, s => s.Name.EndsWith("MapServersSql", StringComparison.Ordinal));
        Assert.Contains(Statements, s => s.Name.StartsWith("Importer.ResourcesBatchSql[", StringComparison.Ordinal));
        Assert.Contains(Statements, s => s.Name.StartsWith("Rollback.StageSql[", StringComparison.Ordinal));
        Assert.Contains(Statements, s => s.Name.EndsWith("CheckCapabilitiesSql", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_statement_compiles_against_a_migrated_database_of_each_v1_shape(bool orm)
    {
        await using var database = await V1Rows.CreateDatabaseAsync(orm);
        await using var connection = await database.OpenAsync();
        var source = await V1Source.DetectAsync(connection);
        await MappingSql.LoadAsync(connection, source, CancellationToken.None);
        await Importer.PrepareSessionAsync(connection, CancellationToken.None);
        await using var transaction = await connection.BeginTransactionAsync();
        await Rollback.StageAsync(connection, transaction, force: false, CancellationToken.None);
        var otherShapesView = MappingSql.ToolsViewSql(source with { ToolParametersColumn = orm ? "parameters_schema" : "parameters" });

        var failures = new List<string>();
        var prepared = 0;
        foreach (var (name, sql) in Statements.Where(s => s.Sql != otherShapesView))
        {
            await transaction.SaveAsync("statement");
            try
            {
                prepared += await CompileAsync(connection, transaction, sql) ? 1 : 0;
            }
            catch (PostgresException error)
            {
                failures.Add($"{name}: {error.SqlState} {error.MessageText}\n{sql}");
            }
            finally
            {
                await transaction.RollbackAsync("statement");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} statement(s) do not compile ({(orm ? "ORM" : "Alembic")} shape):\n\n" + string.Join("\n\n", failures));
        Assert.True(prepared >= 40, $"only {prepared} statements were prepared; the others were run");
    }

    [Fact]
    public async Task A_statement_that_no_longer_parses_is_caught()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() =>
            CompileAsync(connection, transaction, "UPDATE resources SET nmae = $1 WHERE id = $2"));
        Assert.Equal(PostgresErrorCodes.UndefinedColumn, error.SqlState);
    }

    /// <summary>Prepares and explains a query (true), or runs any other statement (false).</summary>
    private static async Task<bool> CompileAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        var query = CreateTableAs().Match(sql) is { Success: true } ctas ? sql[ctas.Length..] : sql;
        if (!Query().IsMatch(query))
        {
            Assert.DoesNotMatch(@"\$[0-9]", sql);
            await ExecuteAsync(connection, transaction, sql);
            return false;
        }

        await ExecuteAsync(connection, transaction, $"PREPARE sark_statement AS {query}");
        await using (var count = new NpgsqlCommand(
            "SELECT cardinality(parameter_types) FROM pg_prepared_statements WHERE name = 'sark_statement'", connection, transaction))
        {
            var parameters = (int)(await count.ExecuteScalarAsync())!;
            var nulls = parameters == 0 ? "" : $"({string.Join(", ", Enumerable.Repeat("NULL", parameters))})";
            await ExecuteAsync(connection, transaction, $"EXPLAIN EXECUTE sark_statement{nulls}");
        }

        await ExecuteAsync(connection, transaction, "DEALLOCATE sark_statement");
        return true;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync();
    }

    // Every …Sql constant and every …Sql array of statements of the v1→v2 tool, by type and name.
    // Adoption's statements are not among them: they create and fill the adoption record, so
    // whether they run depends on the database's state, and the adoption tests run each of them.
    private static List<(string Name, string Sql)> FindStatements()
    {
        var statements = new List<(string Name, string Sql)>();
        foreach (var type in typeof(Importer).Assembly.GetTypes().Where(t => t.Namespace != typeof(DatabaseAdopter).Namespace))
        {
            foreach (var field in type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                         .Where(f => f.Name.EndsWith("Sql", StringComparison.Ordinal)))
            {
                if (field.IsLiteral && field.FieldType == typeof(string))
                {
                    statements.Add(($"{type.Name}.{field.Name}", (string)field.GetRawConstantValue()!));
                }
                else if (field.IsInitOnly && field.FieldType == typeof(string[]))
                {
                    statements.AddRange(((string[])field.GetValue(null)!).Select((sql, i) => ($"{type.Name}.{field.Name}[{i}]", sql)));
                }
            }
        }

        return statements;
    }

    [GeneratedRegex(@"^\s*CREATE TEMP TABLE \w+ (ON COMMIT DROP )?AS\s")]
    private static partial Regex CreateTableAs();

    [GeneratedRegex(@"^\s*(SELECT|WITH|INSERT|UPDATE|DELETE)\b")]
    private static partial Regex Query();
}
