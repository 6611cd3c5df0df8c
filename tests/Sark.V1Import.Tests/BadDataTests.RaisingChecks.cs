namespace Sark.V1Import.Tests;

/// <summary>A v2 CHECK whose predicate raises an error for one row: that row is invalid, nothing else changes.</summary>
public sealed partial class BadDataTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_check_that_raises_an_error_for_one_row_makes_only_that_row_invalid_in_every_mode(bool orm)
    {
        await using var scenario = await ImportScenario.CreateAsync(orm);
        await scenario.SeedBasicAsync();
        await scenario.Database.ExecuteAsync("""
            ALTER TABLE resources ADD CONSTRAINT ck_owner_num CHECK (
                metadata->'extra_metadata'->>'owner' IS NULL OR substr(metadata->'extra_metadata'->>'owner', 6)::int >= 0)
            """);
        await scenario.Database.ExecuteAsync($"""UPDATE mcp_servers SET extra_metadata = '{"{"}"owner": "team-x"{"}"}' WHERE id = '{Ids.Server(2)}'""");
        await scenario.Database.ExecuteAsync($"""UPDATE mcp_servers SET extra_metadata = '{"{"}"owner": "team-7"{"}"}' WHERE id = '{Ids.Server(3)}'""");
        const string reason = "metadata: v2 check ck_owner_num failed on this row: invalid input syntax for type integer: \"x\"";

        var plan = await scenario.DryRunAsync();
        var planned = Assert.Single(plan.Tables[0].Rows, r => r.SourceId == Ids.Server(2));
        Assert.Equal(("invalid", reason), (planned.Action, planned.Detail));
        Assert.Equal((2L, 2L), (plan.Tables[0].Count("insert"), plan.Tables[1].Count("insert")));

        var result = await scenario.ExecuteAsync(batchSize: 1000);
        Assert.Equal(("invalid", reason), (Issue(result, Ids.Server(2)).Action, Issue(result, Ids.Server(2)).Detail));
        Assert.StartsWith($"its server {Ids.Server(2)} is not migrated: {reason}", Issue(result, Ids.Tool(21)).Detail);
        Assert.Equal((2L, 2L), (result.Tables["resources"].Inserted, result.Tables["capabilities"].Inserted));
        Assert.Equal("events, files", await scenario.Database.ScalarAsync<string>("SELECT string_agg(name, ', ' ORDER BY name) FROM resources"));

        var validation = await scenario.ValidateAsync();
        Assert.True(validation.Passed, string.Join("\n", validation.Checks.Where(c => !c.Passed).Select(c => $"{c.Name}: {c.Summary}")));
        Assert.Contains($"{Ids.Server(2)} (invalid): {reason}", SkippedDetails(validation, "resources"));
    }
}
