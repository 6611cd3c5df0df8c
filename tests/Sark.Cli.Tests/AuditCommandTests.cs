using System.Text.Json;
using Sark.Data.Audit;
using Sark.Testing;

namespace Sark.Cli.Tests;

/// <summary><c>sark audit query</c> against a migrated database holding a few events.</summary>
public sealed class AuditCommandTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 17, 0, 0, TimeSpan.Zero);

    private readonly TestDatabase database = fixture.Database;

    private async Task SeedAsync(string correlationId, string org)
    {
        var log = new AuditLog(database.DataSource);
        await log.AppendBatchAsync(
        [
            new AuditEvent { Timestamp = Start, EventType = AuditEventType.CrossOrgRequest, CorrelationId = correlationId, PrincipalOrg = org, UserEmail = "ada@example.org", SourceNode = "node-a", TargetNode = "node-b", CapabilityId = "cap-1" },
            new AuditEvent { Timestamp = Start.AddSeconds(1), EventType = AuditEventType.CrossOrgAuthorization, Severity = AuditSeverity.High, CorrelationId = correlationId, PrincipalOrg = org, Decision = "deny", SourceNode = "node-b", TargetNode = "node-b" },
            new AuditEvent { Timestamp = Start.AddSeconds(2), EventType = AuditEventType.ToolInvoked, CorrelationId = correlationId + "-other", PrincipalOrg = org, ActualCost = 0.25m },
        ]);
    }

    [Fact]
    public async Task A_query_prints_a_table_newest_first_and_pages_with_the_cursor()
    {
        await SeedAsync("cli-corr-1", "org-cli-1");
        var result = await CliRunner.RunAsync("audit", "query", "--database", database.Url, "--org", "org-cli-1", "--limit", "2");
        Assert.Equal(0, result.ExitCode);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("Time (UTC)", lines[0], StringComparison.Ordinal);
        Assert.Contains("tool_invoked", lines[1], StringComparison.Ordinal);
        Assert.Contains("cross_org_authorization", lines[2], StringComparison.Ordinal);
        Assert.Contains("node-b -> node-b", lines[2], StringComparison.Ordinal);
        var cursor = lines[3][(lines[3].IndexOf("--cursor ", StringComparison.Ordinal) + 9)..].Trim();

        var next = await CliRunner.RunAsync("audit", "query", "--database", database.Url, "--org", "org-cli-1", "--limit", "2", "--cursor", cursor);
        Assert.Equal(0, next.ExitCode);
        Assert.Contains("cross_org_request", next.Out, StringComparison.Ordinal);
        Assert.Contains("ada@example.org", next.Out, StringComparison.Ordinal);
        Assert.Contains("1 event(s)", next.Out, StringComparison.Ordinal);

        var foreign = await CliRunner.RunAsync("audit", "query", "--database", database.Url, "--org", "org-other", "--cursor", cursor);
        Assert.Equal(2, foreign.ExitCode);
        Assert.Contains("belongs to another listing or other filters", foreign.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_holds_every_column_with_labels_and_the_filters_combine()
    {
        await SeedAsync("cli-corr-2", "org-cli-2");
        var result = await CliRunner.RunAsync("audit", "query", "--database", database.Url, "--json", "--correlation-id", "cli-corr-2",
            "--type", "cross_org_request,cross_org_authorization", "--severity", "high", "--since", "2026-11-30T18:00:00+01:00", "--until", "2026-11-30T17:00:01Z");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("[]", JsonDocument.Parse(result.Out).RootElement.GetProperty("events").GetRawText());

        result = await CliRunner.RunAsync("audit", "query", "--database", database.Url, "--json", "--correlation-id", "cli-corr-2",
            "--type", "cross_org_request", "--type", "cross_org_authorization", "--severity", "high", "--since", "2026-11-30T18:00:00+01:00");
        Assert.Equal(0, result.ExitCode);
        var json = JsonDocument.Parse(result.Out).RootElement;
        var only = Assert.Single(json.GetProperty("events").EnumerateArray());
        Assert.Equal("cross_org_authorization", only.GetProperty("event_type").GetString());
        Assert.Equal("high", only.GetProperty("severity").GetString());
        Assert.Equal("deny", only.GetProperty("decision").GetString());
        Assert.Equal(JsonValueKind.Object, only.GetProperty("details").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("next_cursor").ValueKind);
        Assert.Equal(Start.AddSeconds(1), only.GetProperty("timestamp").GetDateTimeOffset());
    }

    [Fact]
    public async Task The_next_page_of_a_query_since_a_duration_ago_is_the_same_command_with_the_cursor()
    {
        // A duration is counted back from each run's now, so the two runs ask for different ranges.
        var now = DateTimeOffset.UtcNow;
        await new AuditLog(database.DataSource).AppendBatchAsync(Enumerable.Range(1, 3).Select(n =>
            new AuditEvent { Timestamp = now.AddMinutes(-n), EventType = AuditEventType.ToolInvoked, PrincipalOrg = "org-cli-recent" }));
        string[] command = ["audit", "query", "--database", database.Url, "--json", "--org", "org-cli-recent", "--since", "1h", "--limit", "2"];
        var first = JsonDocument.Parse((await CliRunner.RunAsync(command)).Out).RootElement;
        Assert.Equal(2, first.GetProperty("events").GetArrayLength());

        var next = await CliRunner.RunAsync([.. command, "--cursor", first.GetProperty("next_cursor").GetString()!]);
        Assert.Equal(0, next.ExitCode);
        var last = Assert.Single(JsonDocument.Parse(next.Out).RootElement.GetProperty("events").EnumerateArray());
        Assert.Equal(AuditEventRules.Normalise(now.AddMinutes(-3)), last.GetProperty("timestamp").GetDateTimeOffset());
    }

    [Theory]
    [InlineData("--type", "tool_called", "--type 'tool_called' is not an audit event type; expected one of server_registered, server_updated,")]
    [InlineData("--severity", "HIGH", "--severity 'HIGH' is not a severity; expected low, medium, high or critical")]
    [InlineData("--since", "2026-11-30T17:00:00", "--since '2026-11-30T17:00:00' has no time zone; add Z for UTC or an offset such as +01:00")]
    [InlineData("--until", "yesterday", "--until 'yesterday' is not a time; expected an ISO 8601 time")]
    [InlineData("--since", "99999d", "--since '99999d' is too far back")]
    [InlineData("--limit", "0", "--limit '0' is not valid; expected a whole number from 1 to 1,000")]
    [InlineData("--org", " ", "--org is empty")]
    public async Task Bad_values_are_usage_errors_at_parse_time(string option, string value, string expected)
    {
        // No database is given: a parse error stops before the embedded server would start.
        var result = await CliRunner.RunAsync("audit", "query", option, value, "--database", "postgresql://nobody@127.0.0.1:1/none");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.Single(result.ErrorLines);
        Assert.Equal("", result.Out);
    }
}
