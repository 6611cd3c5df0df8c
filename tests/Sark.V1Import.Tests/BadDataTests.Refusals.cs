namespace Sark.V1Import.Tests;

/// <summary>Rows the database refuses on write: skipped and listed in execute, accepted as skipped by validate.</summary>
public sealed partial class BadDataTests
{
    [Fact]
    public async Task A_refused_update_of_a_migrated_row_is_skipped_and_validate_still_passes()
    {
        await using var scenario = await ImportScenario.CreateAsync(orm: false);
        await scenario.SeedBasicAsync();
        Assert.Equal(3, (await scenario.ExecuteAsync()).Tables["resources"].Inserted);
        await scenario.Database.ExecuteAsync("CREATE UNIQUE INDEX ux_resources_name_ci ON resources (lower(name))");
        await scenario.Database.ExecuteAsync($"UPDATE mcp_servers SET name = 'FILES' WHERE id = '{Ids.Server(2)}'");

        var result = await scenario.ExecuteAsync();
        Assert.StartsWith("refused by the database (constraint ux_resources_name_ci)", Issue(result, Ids.Server(2)).Detail);
        Assert.Equal("weather", await scenario.Database.ScalarAsync<string>($"SELECT name FROM resources WHERE id = '{Ids.Server(2)}'"));

        var validation = await scenario.ValidateAsync();
        Assert.True(validation.Passed, string.Join("\n", validation.Checks.Where(c => !c.Passed).Select(c => $"{c.Name}: {c.Summary}")));
        Assert.Contains(SkippedDetails(validation, "resources"), d => d.StartsWith($"{Ids.Server(2)} (invalid): refused by the database", StringComparison.Ordinal));
    }
}

/// <summary>A schema that refuses every row stops the run whatever the batch size.</summary>
public sealed class BrokenSchemaTests
{
    [Theory]
    [InlineData(3, 2)]
    [InlineData(60, 40)]
    public async Task A_table_the_database_refuses_as_a_whole_stops_the_run_with_small_batches_too(int servers, int batchSize)
    {
        await using var scenario = await ImportScenario.CreateAsync(orm: false);
        for (var i = 1; i <= servers; i++)
        {
            await scenario.Rows.AddServerAsync(Ids.Server(i), $"s{i}", "stdio", "cmd", null);
        }

        // A column the mapping does not write: every insert is refused.
        await scenario.Database.ExecuteAsync("ALTER TABLE resources ADD COLUMN owner text NOT NULL");

        var error = await Assert.ThrowsAsync<Sark.Data.Errors.SarkException>(() => scenario.ExecuteAsync(batchSize));
        Assert.Contains($"refused every one of the {servers} rows of resources", error.Message);
        Assert.Contains("SQLSTATE 23502", error.Message);
        Assert.Equal(0L, await scenario.Database.ScalarAsync<long>("SELECT count(*) FROM v1_import_issues"));

        // Fixed, the resume starts the table again: no row is left behind as skipped.
        await scenario.Database.ExecuteAsync("ALTER TABLE resources ALTER COLUMN owner SET DEFAULT 'ops'");
        var resumed = await scenario.ExecuteAsync(batchSize);
        Assert.True(resumed.Resumed);
        Assert.Equal((servers, 0L), (resumed.Tables["resources"].Inserted, resumed.Tables["resources"].Invalid));
        Assert.True((await scenario.ValidateAsync()).Passed);
    }
}
