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
