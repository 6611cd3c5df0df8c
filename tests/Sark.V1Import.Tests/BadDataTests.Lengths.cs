namespace Sark.V1Import.Tests;

/// <summary>v1 values longer than their v2 column allows: invalid, never cut short.</summary>
public sealed partial class BadDataTests
{
    [Fact]
    public async Task A_value_longer_than_its_v2_column_is_invalid_in_every_mode_not_truncated()
    {
        await using var scenario = await ImportScenario.CreateAsync(orm: true);
        await scenario.SeedBasicAsync();
        // An operator widened the v1 columns beyond what v2 declares.
        await scenario.Database.ExecuteAsync("""
            ALTER TABLE mcp_servers ALTER COLUMN name TYPE text, ALTER COLUMN endpoint TYPE text;
            ALTER TABLE mcp_tools ALTER COLUMN name TYPE text
            """);
        await scenario.Rows.AddServerAsync(Ids.Server(4), new string('n', 256), "http", null, "https://long-name.example");
        await scenario.Rows.AddServerAsync(Ids.Server(5), "long-endpoint", "http", null, "https://x.example/" + new string('e', 1000));
        await scenario.Rows.AddToolAsync(Ids.Tool(13), Ids.Server(1), new string('t', 300));
        var expected = new Dictionary<Guid, string>
        {
            [Ids.Server(4)] = "name is longer than 255 characters (256)",
            [Ids.Server(5)] = "endpoint is longer than 1000 characters (1018)",
            [Ids.Tool(13)] = "name is longer than 255 characters (300)",
        };

        var plan = await scenario.DryRunAsync();
        Assert.All(expected, e => Assert.Equal(("invalid", e.Value), Row(plan.Tables.SelectMany(t => t.Rows), e.Key)));

        var result = await scenario.ExecuteAsync(batchSize: 2);
        Assert.All(expected, e => Assert.Equal(("invalid", e.Value), Row(result.Issues, e.Key)));
        Assert.Equal((3L, 4L), (result.Tables["resources"].Inserted, result.Tables["capabilities"].Inserted));
        Assert.Equal(0L, await scenario.Database.ScalarAsync<long>("SELECT count(*) FROM resources WHERE length(name) = 255 OR length(endpoint) = 1000"));

        var validation = await scenario.ValidateAsync();
        Assert.True(validation.Passed, string.Join("\n", validation.Checks.Where(c => !c.Passed).Select(c => $"{c.Name}: {c.Summary}")));
        Assert.Contains($"{Ids.Server(4)} (invalid): {expected[Ids.Server(4)]}", SkippedDetails(validation, "resources"));

        // The limit is the v2 column's declared length, read from the catalog: widened, the name fits.
        await scenario.Database.ExecuteAsync("ALTER TABLE resources ALTER COLUMN name TYPE varchar(300)");
        var widened = await scenario.DryRunAsync();
        Assert.Equal((1L, 0L), (widened.Tables[0].Count("insert"), widened.Tables[0].Rows.Count(r => r.SourceId == Ids.Server(4))));
    }

    private static (string Action, string Detail) Row(IEnumerable<RowNote> rows, Guid id)
    {
        var row = Assert.Single(rows, r => r.SourceId == id);
        return (row.Action, row.Detail);
    }
}
