using Npgsql;
using Sark.Testing;

namespace Sark.Data.Tests.Schema;

/// <summary>What the 001–007 schema enforces, against one migrated database for the class.</summary>
public sealed class SchemaConstraintTests(MigratedDatabase fixture) : IClassFixture<MigratedDatabase>
{
    private readonly TestDatabase database = fixture.Database;

    private async Task<string> RejectedAsync(string sql)
    {
        var error = await Assert.ThrowsAsync<PostgresException>(() => database.ExecuteAsync(sql));
        return error.ConstraintName ?? error.SqlState;
    }

    [Theory]
    [InlineData("INSERT INTO resources (id, name, protocol, endpoint, sensitivity_level) VALUES ('r-bad1', 'n', 'mcp', 'e', 'extreme')", "ck_resources_sensitivity")]
    [InlineData("INSERT INTO resources (id, name, protocol, endpoint, sensitivity_level) VALUES ('r-bad2', 'n', 'mcp', 'e', 'LOW')", "ck_resources_sensitivity")]
    [InlineData("INSERT INTO resources (id, name, protocol, endpoint) VALUES ('r-bad3', 'n', 'MCP', 'e')", "ck_resources_protocol")]
    [InlineData("INSERT INTO resources (id, name, protocol, endpoint) VALUES ('r-bad4', 'n', 'http api', 'e')", "ck_resources_protocol")]
    [InlineData("INSERT INTO resources (id, name, protocol, endpoint) VALUES ('r-bad5', 'n', 'mcp', '   ')", "ck_resources_endpoint_not_blank")]
    [InlineData("INSERT INTO resources (id, name, protocol, endpoint, metadata) VALUES ('r-bad6', 'n', 'mcp', 'e', '[1]')", "ck_resources_metadata_object")]
    [InlineData("INSERT INTO resources (id, name, protocol, endpoint, metadata) VALUES ('r-bad7', 'n', 'mcp', 'e', '\"text\"')", "ck_resources_metadata_object")]
    [InlineData("INSERT INTO cost_tracking (principal_id, resource_id, capability_id, actual_cost) VALUES ('p', 'r', 'c', -0.000001)", "ck_cost_tracking_actual_cost_nonnegative")]
    [InlineData("INSERT INTO cost_tracking (principal_id, resource_id, capability_id, estimated_cost) VALUES ('p', 'r', 'c', -1)", "ck_cost_tracking_estimated_cost_nonnegative")]
    [InlineData("INSERT INTO cost_tracking (principal_id, resource_id, capability_id) VALUES ('p', 'r', '')", "ck_cost_tracking_capability_id_not_blank")]
    [InlineData("INSERT INTO principal_budgets (principal_id, daily_budget) VALUES ('p-neg', -5)", "ck_principal_budgets_daily_budget_nonnegative")]
    [InlineData("INSERT INTO principal_budgets (principal_id, currency) VALUES ('p-cur', 'usd')", "ck_principal_budgets_currency")]
    [InlineData("INSERT INTO federation_nodes (node_id, name, endpoint, trust_anchor_cert, rate_limit_per_hour) VALUES ('n-zero', 'n', 'https://x', 'pem', 0)", "ck_federation_nodes_rate_limit_positive")]
    [InlineData("INSERT INTO federation_nodes (node_id, name, endpoint, trust_anchor_cert, rate_limit_per_hour) VALUES ('n-null', 'n', 'https://x', 'pem', NULL)", "23502")]
    public async Task Bad_values_are_rejected_by_the_named_constraint(string sql, string constraint) =>
        Assert.Equal(constraint, await RejectedAsync(sql));

    [Fact]
    public async Task Capability_checks_and_the_unique_name_per_resource_hold()
    {
        await database.ExecuteAsync("INSERT INTO resources (id, name, protocol, endpoint) VALUES ('r-cap', 'n', 'grpc', 'h:1')");
        await database.ExecuteAsync("INSERT INTO capabilities (id, resource_id, name) VALUES ('c-1', 'r-cap', 'Get')");
        Assert.Equal("ix_capabilities_resource", await RejectedAsync("INSERT INTO capabilities (id, resource_id, name) VALUES ('c-2', 'r-cap', 'Get')"));
        Assert.Equal("ck_capabilities_sensitivity", await RejectedAsync("INSERT INTO capabilities (id, resource_id, name, sensitivity_level) VALUES ('c-3', 'r-cap', 'Put', 'huge')"));
        Assert.Equal("ck_capabilities_input_schema_object", await RejectedAsync("INSERT INTO capabilities (id, resource_id, name, input_schema) VALUES ('c-4', 'r-cap', 'Del', '[]')"));
        Assert.Equal("capabilities_resource_id_fkey", await RejectedAsync("INSERT INTO capabilities (id, resource_id, name) VALUES ('c-5', 'nope', 'X')"));
    }

    [Fact]
    public async Task Deleting_a_resource_deletes_its_capabilities()
    {
        await database.ExecuteAsync("""
            INSERT INTO resources (id, name, protocol, endpoint) VALUES ('r-del', 'n', 'http', 'https://api'), ('r-keep', 'k', 'http', 'https://k');
            INSERT INTO capabilities (id, resource_id, name) VALUES ('c-del-1', 'r-del', 'a'), ('c-del-2', 'r-del', 'b'), ('c-keep', 'r-keep', 'a');
            DELETE FROM resources WHERE id = 'r-del';
            """);
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM capabilities WHERE resource_id = 'r-del'"));
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM capabilities WHERE id = 'c-keep'"));
    }

    [Fact]
    public async Task Deleting_a_server_deletes_its_tools()
    {
        await database.ExecuteAsync("""
            INSERT INTO mcp_servers (id, name, transport, command) VALUES ('10000000-0000-0000-0000-000000000001', 's', 'stdio', 'cmd');
            INSERT INTO mcp_tools (id, server_id, name) VALUES
              ('10000000-0000-0000-0000-000000000011', '10000000-0000-0000-0000-000000000001', 't1'),
              ('10000000-0000-0000-0000-000000000012', '10000000-0000-0000-0000-000000000001', 't2');
            DELETE FROM mcp_servers WHERE id = '10000000-0000-0000-0000-000000000001';
            """);
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM mcp_tools WHERE server_id = '10000000-0000-0000-0000-000000000001'"));
    }

    [Fact]
    public async Task A_cost_row_for_a_month_without_a_partition_is_accepted()
    {
        await database.ExecuteAsync("INSERT INTO cost_tracking (\"timestamp\", principal_id, resource_id, capability_id, actual_cost) VALUES ('2031-07-15T12:00:00Z', 'p-future', 'r', 'c', 1.25)");
        Assert.Equal("cost_tracking_default", await database.ScalarAsync<string>("SELECT tableoid::regclass::text FROM cost_tracking WHERE principal_id = 'p-future'"));

        await database.ExecuteAsync("INSERT INTO cost_tracking (principal_id, resource_id, capability_id, actual_cost) VALUES ('p-now', 'r', 'c', 0.5)");
        var partition = await database.ScalarAsync<string>("SELECT tableoid::regclass::text FROM cost_tracking WHERE principal_id = 'p-now'");
        Assert.Equal($"cost_tracking_p{DateTime.UtcNow:yyyyMM}", partition);
    }

    [Fact]
    public async Task The_daily_cost_summary_refreshes_concurrently()
    {
        await database.ExecuteAsync("""
            INSERT INTO resources (id, name, protocol, endpoint) VALUES ('r-mv', 'n', 'grpc', 'h:1');
            INSERT INTO cost_tracking ("timestamp", principal_id, resource_id, capability_id, actual_cost, estimated_cost) VALUES
              ('2026-01-10T10:00:00Z', 'p-mv', 'r-mv', 'c', 2.5, NULL),
              ('2026-01-10T11:00:00Z', 'p-mv', 'r-mv', 'c', NULL, 1.5),
              ('2026-01-10T12:00:00Z', 'p-mv', 'r-mv', 'c', NULL, NULL);
            REFRESH MATERIALIZED VIEW CONCURRENTLY mv_daily_cost_summary;
            """);
        Assert.Equal(3L, await database.ScalarAsync<long>("SELECT invocation_count FROM mv_daily_cost_summary WHERE principal_id = 'p-mv' AND protocol = 'grpc'"));
        Assert.Equal(4.0m, await database.ScalarAsync<decimal>("SELECT total_cost FROM mv_daily_cost_summary WHERE principal_id = 'p-mv'"));
    }

    [Fact]
    public async Task Updated_at_is_maintained_and_federation_ids_default_on_the_server()
    {
        await database.ExecuteAsync("INSERT INTO resources (id, name, protocol, endpoint, updated_at) VALUES ('r-upd', 'n', 'mcp', 'e', '2020-01-01Z')");
        await database.ExecuteAsync("UPDATE resources SET name = 'renamed' WHERE id = 'r-upd'");
        Assert.True(await database.ScalarAsync<bool>("SELECT updated_at > '2025-01-01Z' FROM resources WHERE id = 'r-upd'"));

        await database.ExecuteAsync("INSERT INTO federation_nodes (node_id, name, endpoint, trust_anchor_cert) VALUES ('node-a', 'A', 'https://a', 'pem')");
        Assert.True(await database.ScalarAsync<bool>("SELECT id IS NOT NULL AND rate_limit_per_hour = 10000 FROM federation_nodes WHERE node_id = 'node-a'"));
        Assert.Equal("ix_federation_nodes_node_id", await RejectedAsync("INSERT INTO federation_nodes (node_id, name, endpoint, trust_anchor_cert) VALUES ('node-a', 'A2', 'https://a2', 'pem')"));
    }

    [Fact]
    public async Task Money_keeps_six_decimals_exactly()
    {
        await database.ExecuteAsync("INSERT INTO principal_budgets (principal_id, daily_budget, daily_spent) VALUES ('p-money', 10.123456, 0.000001)");
        Assert.Equal(10.123457m, await database.ScalarAsync<decimal>("SELECT daily_budget + daily_spent FROM principal_budgets WHERE principal_id = 'p-money'"));
    }
}
