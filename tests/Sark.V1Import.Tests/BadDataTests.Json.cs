namespace Sark.V1Import.Tests;

/// <summary>ORM-built v1 stores json: values jsonb cannot hold make their row invalid, never the run fail.</summary>
public sealed partial class BadDataTests
{
    [Theory]
    [InlineData("parameters", """{"type": "object", "default": "a\u0000b"}""", "unsupported Unicode escape sequence")]
    [InlineData("tool extra_metadata", """{"note": "\ud800"}""", "invalid input syntax for type json")]
    [InlineData("extra_metadata", """{"size": 1e1000000}""", "value overflows numeric format")]
    [InlineData("tags", """["ok", "\u0000"]""", "unsupported Unicode escape sequence")]
    [InlineData("capabilities", """["tools\u0000"]""", "unsupported Unicode escape sequence")]
    public async Task A_json_value_jsonb_cannot_hold_makes_its_row_invalid_in_every_mode(string column, string json, string message)
    {
        await using var scenario = await ImportScenario.CreateAsync(orm: true);
        await scenario.SeedBasicAsync();
        var onTool = column is "parameters" or "tool extra_metadata";
        var badRow = onTool ? Ids.Tool(13) : Ids.Server(9);
        var reason = $"{column.Replace("tool ", "", StringComparison.Ordinal)} cannot be stored as jsonb: {message}";
        if (onTool)
        {
            await scenario.Rows.AddToolAsync(Ids.Tool(13), Ids.Server(1), "odd",
                parameters: column == "parameters" ? json : "{}", extraMetadata: column == "parameters" ? "{}" : json);
        }
        else
        {
            await scenario.Rows.AddServerAsync(Ids.Server(9), "odd", "stdio", "cmd", null,
                extraMetadata: column == "extra_metadata" ? json : "{}", capabilities: column == "capabilities" ? json : "[]", tags: column == "tags" ? json : "[]");
            await scenario.Rows.AddToolAsync(Ids.Tool(91), Ids.Server(9), "its_tool");
        }

        var plan = await scenario.DryRunAsync();
        var planned = Assert.Single(plan.Tables.SelectMany(t => t.Rows), r => r.SourceId == badRow);
        Assert.Equal(("invalid", reason), (planned.Action, planned.Detail));

        var result = await scenario.ExecuteAsync(batchSize: 1000);
        Assert.Equal(("invalid", reason), (Issue(result, badRow).Action, Issue(result, badRow).Detail));
        Assert.Equal((3L, 4L), (result.Tables["resources"].Inserted, result.Tables["capabilities"].Inserted));
        if (!onTool)
        {
            Assert.StartsWith($"its server {Ids.Server(9)} is not migrated: {reason}", Issue(result, Ids.Tool(91)).Detail);
        }

        var validation = await scenario.ValidateAsync();
        Assert.True(validation.Passed);
        Assert.Contains($"{badRow} (invalid): {reason}", SkippedDetails(validation, onTool ? "capabilities" : "resources"));
    }

    [Fact]
    public async Task Json_escapes_exponents_and_long_values_jsonb_can_hold_are_migrated_unchanged()
    {
        await using var scenario = await ImportScenario.CreateAsync(orm: true);
        var text = new string('x', 20_000);
        await scenario.Rows.AddServerAsync(Ids.Server(1), "s", "stdio", "cmd", null, extraMetadata: $$"""{"long": "{{text}}", "n": 2.5e3}""");
        await scenario.Rows.AddToolAsync(Ids.Tool(1), Ids.Server(1), "t",
            parameters: """{"type": "object", "title": "caf\u00e9 \ud83d\ude00", "quoted": "a\\u0000b"}""");

        var result = await scenario.ExecuteAsync();

        Assert.Empty(result.Issues);
        Assert.Equal("café 😀|a\\u0000b", await scenario.Database.ScalarAsync<string>(
            "SELECT (input_schema->>'title') || '|' || (input_schema->>'quoted') FROM capabilities"));
        Assert.Equal("2500|20000", await scenario.Database.ScalarAsync<string>(
            "SELECT (metadata->'extra_metadata'->>'n')::numeric::int || '|' || length(metadata->'extra_metadata'->>'long') FROM resources"));
        Assert.True((await scenario.ValidateAsync()).Passed);
    }
}
