using System.Text.Json;
using Npgsql;
using Sark.Data.Connection;
using Sark.Testing;

namespace Sark.Cli.Tests;

/// <summary>
/// sark bench at tiny scales against a real PostgreSQL: what it prints and writes, the data it keeps,
/// cleans up and refuses, and its exit codes. Behaviour only: generous targets keep speed out of it,
/// except where a target is set impossibly low on purpose.
/// </summary>
public sealed class BenchCommandTests
{
    // Far above anything a loaded machine takes, so only the impossible-target test can miss one.
    private static readonly string GenerousTargets = WriteTargets("""{"resource-by-id": 60000, "cost-charge": 60000, "federation-lookup": 60000, "metadata-containment": 60000, "audit-append": 60000, "audit-correlation": 60000, "audit-batch-append": 1}""");

    private static Task<CliResult> Bench(TestDatabase database, params string[] args) =>
        CliRunner.RunAsync(["bench", .. args, "--database", database.Url]);

    [Fact]
    public async Task A_run_prints_a_markdown_table_and_writes_every_figure_and_the_environment_as_json()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var report = Path.Combine(Path.GetTempPath(), $"sark-bench-{Guid.NewGuid():N}.json");

        var result = await Bench(database, "--scale", "20", "--duration", "1s", "--only", "resource-by-id", "cost-charge", "--targets", GenerousTargets, "--json", report);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("| Operation | Clients | Samples | Min ms | p50 ms | p95 ms | p99 ms | Max ms | Mean ms | Ops/s | Target | Result | pgbench p50 ms |", lines[0]);
        Assert.StartsWith("| --- | --: |", lines[1]);
        Assert.StartsWith("| resource-by-id | 1 | ", lines[2]);
        Assert.StartsWith("| cost-charge | 1 | ", lines[3]);
        Assert.Contains("| p99 < 60000 | pass |", lines[2]);
        Assert.Contains("| p99 < 60000 | pass |", lines[3]);
        Assert.Contains("2 of 2 targets met", result.Out);
        Assert.Contains("generating benchmark data: 20 resources, 200 capabilities, 2,000 cost rows over 90 days, 1 federation node, 198 audit events", result.Error);

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        File.Delete(report);
        var root = json.RootElement;
        Assert.True(root.GetProperty("passed").GetBoolean());
        Assert.Equal(20, root.GetProperty("data").GetProperty("scale").GetInt32());
        Assert.Equal(2000, root.GetProperty("data").GetProperty("cost_rows").GetInt64());
        Assert.True(root.GetProperty("data").GetProperty("generated_now").GetBoolean());
        var environment = root.GetProperty("environment");
        Assert.StartsWith("15", environment.GetProperty("postgres_version").GetString());
        Assert.Equal(Environment.ProcessorCount, environment.GetProperty("cpu_count").GetInt32());
        Assert.Matches("^(on|off)$", environment.GetProperty("postgres_settings").GetProperty("fsync").GetString());
        Assert.False(string.IsNullOrEmpty(environment.GetProperty("sark_version").GetString()));
        var operations = root.GetProperty("operations").EnumerateArray().ToList();
        Assert.Equal(["resource-by-id", "cost-charge"], operations.Select(o => o.GetProperty("name").GetString()));
        foreach (var operation in operations)
        {
            var samples = operation.GetProperty("samples").GetInt64();
            Assert.True(samples > 0);
            var (min, p50, p95, p99, max) = (Ms(operation, "min_ms"), Ms(operation, "p50_ms"), Ms(operation, "p95_ms"), Ms(operation, "p99_ms"), Ms(operation, "max_ms"));
            Assert.True(min > 0 && min <= p50 && p50 <= p95 && p95 <= p99 && p99 <= max, $"{operation.GetProperty("name")}: {min} {p50} {p95} {p99} {max}");
            Assert.True(operation.GetProperty("throughput_per_second").GetDouble() > 0);
            Assert.Equal(60000, operation.GetProperty("target_value").GetDouble());
            const string kind = "p99";
            Assert.Equal(kind, operation.GetProperty("target_kind").GetString());
            Assert.Equal($"{kind} < 60000", operation.GetProperty("target").GetString());
            var pgbench = operation.GetProperty("pgbench");
            Assert.True(pgbench.GetProperty("p50_ms").GetDouble() > 0, pgbench.ToString());
            Assert.True(pgbench.GetProperty("transactions").GetInt64() > 0);
            Assert.Equal(Ms(operation, "p50_ms") / pgbench.GetProperty("p50_ms").GetDouble(), operation.GetProperty("p50_ratio").GetDouble(), 6);
        }

        Assert.Equal(JsonValueKind.Array, operations[0].GetProperty("indexes_used").ValueKind);

        // The insert operation's rows (ours and pgbench's) are gone again; the generated ones stay.
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM cost_tracking WHERE principal_id LIKE 'bench-%-w-%'"));
        Assert.Equal(2000L, await database.ScalarAsync<long>("SELECT count(*) FROM cost_tracking WHERE principal_id LIKE 'bench-%'"));
    }

    [Fact]
    public async Task The_audit_operations_go_through_the_audit_log_and_leave_only_the_generated_events()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var report = Path.Combine(Path.GetTempPath(), $"sark-bench-{Guid.NewGuid():N}.json");

        var result = await Bench(database, "--scale", "30", "--duration", "1s", "--only", "audit-append", "audit-batch-append", "audit-correlation", "--targets", GenerousTargets, "--json", report);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Out);
        Assert.Contains("| audit-batch-append | 1 | ", result.Out);
        Assert.Contains("| >= 1/s | pass |", result.Out);
        Assert.Contains("audit-batch-append: no pgbench figures (pgbench has no binary COPY).", result.Out);
        Assert.Matches(@"audit-batch-append: [\d,]+ rows a second \(1,000 a call\)\.", result.Out);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        File.Delete(report);
        var batch = json.RootElement.GetProperty("operations").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "audit-batch-append");
        Assert.Equal("persecond", batch.GetProperty("target_kind").GetString());
        Assert.Equal(batch.GetProperty("throughput_per_second").GetDouble() * 1000, batch.GetProperty("units_per_second").GetDouble(), 3);
        // pgbench runs the store's own 23-column INSERT, so its figures exist and compare like for like.
        var append = json.RootElement.GetProperty("operations").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "audit-append");
        Assert.Equal(JsonValueKind.Null, append.GetProperty("pgbench").GetProperty("failure").ValueKind);
        Assert.True(append.GetProperty("pgbench").GetProperty("transactions").GetInt64() > 0, append.ToString());
        var correlation = json.RootElement.GetProperty("operations").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "audit-correlation");
        Assert.Contains("ix_audit_events_correlation_id", correlation.GetProperty("indexes_used").EnumerateArray().Select(i => i.GetString()));

        // Everything the write operations appended (through the library and through pgbench) is gone; the 300 generated events stay.
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE correlation_id LIKE 'bench-%-w-%'"));
        Assert.Equal(300L, await database.ScalarAsync<long>("SELECT count(*) FROM audit_events"));
    }

    [Fact]
    public async Task A_second_run_reuses_the_data_and_cleanup_removes_exactly_it()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        await database.ExecuteAsync("""
            INSERT INTO resources (id, name, protocol, endpoint) VALUES ('mine', 'my server', 'mcp', 'npx mine');
            INSERT INTO capabilities (id, resource_id, name) VALUES ('mine-read', 'mine', 'read');
            INSERT INTO federation_nodes (node_id, name, endpoint, trust_anchor_cert) VALUES ('peer', 'peer', 'https://peer.example', 'pem');
            INSERT INTO cost_tracking (principal_id, resource_id, capability_id, actual_cost) VALUES ('alice', 'mine', 'mine-read', 0.5);
            INSERT INTO audit_events (id, event_type, correlation_id) VALUES (gen_random_uuid(), 'tool_invoked', 'mine-corr'), (gen_random_uuid(), 'tool_invoked', NULL);
            """);
        var first = await Bench(database, "--scale", "10", "--duration", "1s", "--only", "federation-lookup", "--targets", GenerousTargets);
        Assert.Equal(ExitCodes.Success, first.ExitCode);
        var tag = await database.ScalarAsync<string>("SELECT tag FROM sark_bench.datasets");

        var second = await Bench(database, "--scale", "10", "--duration", "1s", "--only", "federation-lookup", "--targets", GenerousTargets);
        Assert.Equal(ExitCodes.Success, second.ExitCode);
        Assert.DoesNotContain("generating", second.Error);
        Assert.Contains("using the benchmark data made on", second.Error);
        Assert.Equal(tag, await database.ScalarAsync<string>("SELECT tag FROM sark_bench.datasets"));
        Assert.Equal(11L, await database.ScalarAsync<long>("SELECT count(*) FROM resources"));

        var cleanup = await Bench(database, "--cleanup");
        Assert.Equal(ExitCodes.Success, cleanup.ExitCode);
        Assert.Contains("10 resources, 100 capabilities, 1,000 cost rows, 1 federation node, 99 audit events", cleanup.Out);
        Assert.Equal("mine", await database.ScalarAsync<string>("SELECT string_agg(id, ',') FROM resources"));
        Assert.Equal("mine-read", await database.ScalarAsync<string>("SELECT string_agg(id, ',') FROM capabilities"));
        Assert.Equal("peer", await database.ScalarAsync<string>("SELECT string_agg(node_id, ',') FROM federation_nodes"));
        Assert.Equal("alice", await database.ScalarAsync<string>("SELECT string_agg(principal_id, ',') FROM cost_tracking"));
        Assert.Equal("mine-corr|", await database.ScalarAsync<string>("SELECT string_agg(coalesce(correlation_id, ''), '|' ORDER BY correlation_id) FROM audit_events"));
        Assert.False(await database.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'sark_bench')"));

        var again = await Bench(database, "--cleanup");
        Assert.Equal(ExitCodes.Success, again.ExitCode);
        Assert.Contains("no benchmark data here; nothing removed", again.Out);
    }

    [Theory]
    [InlineData("UPDATE sark_bench.datasets SET generator = 0", "another version of the generator (generator 0", "sark bench --cleanup")]
    [InlineData("DELETE FROM resources WHERE id LIKE 'bench-%-r-3'", "is incomplete: 9 of 10 resources, 90 of 100 capabilities", "sark bench --cleanup")]
    [InlineData("DELETE FROM cost_tracking WHERE id = (SELECT min(id) FROM cost_tracking WHERE principal_id LIKE 'bench-%')", "999 of 1,000 cost rows", "sark bench --cleanup")]
    [InlineData("DELETE FROM audit_events WHERE correlation_id LIKE 'bench-%-corr-7'", "96 of 99 audit events", "sark bench --cleanup")]
    public async Task Data_it_cannot_use_is_refused_with_what_to_do_and_nothing_is_written(string change, string says, string advises)
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        Assert.Equal(ExitCodes.Success, (await Bench(database, "--scale", "10", "--duration", "1s", "--only", "federation-lookup", "--targets", GenerousTargets)).ExitCode);
        await database.ExecuteAsync(change);
        var before = await database.ScalarAsync<long>("SELECT count(*) FROM cost_tracking");

        var result = await Bench(database, "--scale", "10", "--duration", "1s", "--only", "cost-charge");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal("", result.Out);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains(says, line);
        Assert.Contains(advises, line);
        Assert.Equal(before, await database.ScalarAsync<long>("SELECT count(*) FROM cost_tracking"));
    }

    [Fact]
    public async Task Another_scale_replaces_only_the_benchmarks_own_data()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        await database.ExecuteAsync("INSERT INTO resources (id, name, protocol, endpoint) VALUES ('mine', 'my server', 'mcp', 'npx mine')");
        Assert.Equal(ExitCodes.Success, (await Bench(database, "--scale", "10", "--duration", "1s", "--only", "federation-lookup", "--targets", GenerousTargets)).ExitCode);
        var firstTag = await database.ScalarAsync<string>("SELECT tag FROM sark_bench.datasets");

        var result = await Bench(database, "--scale", "20", "--duration", "1s", "--only", "federation-lookup", "--targets", GenerousTargets);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("replacing the benchmark data of scale 10 with scale 20 (only the benchmark's own rows)", result.Error);
        Assert.NotEqual(firstTag, await database.ScalarAsync<string>("SELECT tag FROM sark_bench.datasets"));
        Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM resources WHERE id LIKE 'bench-{firstTag}-%'"));
        Assert.Equal(21L, await database.ScalarAsync<long>("SELECT count(*) FROM resources"));
        Assert.Equal(2000L, await database.ScalarAsync<long>("SELECT count(*) FROM cost_tracking"));
    }

    [Fact]
    public async Task Cleanup_refuses_when_another_capability_belongs_to_a_benchmark_resource()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        Assert.Equal(ExitCodes.Success, (await Bench(database, "--scale", "10", "--duration", "1s", "--only", "federation-lookup", "--targets", GenerousTargets)).ExitCode);
        await database.ExecuteAsync("INSERT INTO capabilities (id, resource_id, name) SELECT 'mine', id, 'extra' FROM resources WHERE id LIKE 'bench-%-r-1'");

        var result = await Bench(database, "--cleanup");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("1 capability that is not the benchmark's (such as 'mine') belongs to its resources", Assert.Single(result.ErrorLines));
        Assert.Equal(10L, await database.ScalarAsync<long>("SELECT count(*) FROM resources"));
        Assert.Equal(101L, await database.ScalarAsync<long>("SELECT count(*) FROM capabilities"));
    }

    [Fact]
    public async Task Several_clients_run_the_reads_at_once_and_the_pool_must_hold_them_and_the_benchmark()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var report = Path.Combine(Path.GetTempPath(), $"sark-bench-{Guid.NewGuid():N}.json");
        var result = await Bench(database, "--scale", "10", "--duration", "1s", "--concurrency", "3", "--only", "resource-by-id", "cost-charge", "--targets", GenerousTargets, "--json", report);
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        using (var json = JsonDocument.Parse(await File.ReadAllTextAsync(report)))
        {
            File.Delete(report);
            Assert.Equal([3, 1], json.RootElement.GetProperty("operations").EnumerateArray().Select(o => o.GetProperty("clients").GetInt32()));
        }

        var small = new NpgsqlConnectionStringBuilder(database.ConnectionString) { MaxPoolSize = 3 }.ConnectionString;
        var refused = await CliRunner.RunAsync("bench", "--concurrency", "3", "--database", small);
        Assert.Equal(ExitCodes.Usage, refused.ExitCode);
        Assert.Contains("--concurrency 3 needs 4 connections (one more for the benchmark itself) but the pool holds 3", Assert.Single(refused.ErrorLines));
        Assert.Equal(10L, await database.ScalarAsync<long>("SELECT count(*) FROM resources"));
    }

    [Fact]
    public async Task Several_writers_run_each_write_at_once_and_the_reads_keep_their_own_clients()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var report = Path.Combine(Path.GetTempPath(), $"sark-bench-{Guid.NewGuid():N}.json");
        var result = await Bench(database, "--scale", "10", "--duration", "1s", "--writers", "2", "--only", "resource-by-id", "audit-batch-append", "--targets", GenerousTargets, "--json", report);
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("audit-batch-append: ", result.Out);
        Assert.Contains(" a call, 2 clients at once).", result.Out);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        File.Delete(report);
        Assert.Equal(2, json.RootElement.GetProperty("writers").GetInt32());
        Assert.Equal([1, 2], json.RootElement.GetProperty("operations").EnumerateArray().Select(o => o.GetProperty("clients").GetInt32()));
        // Both writers' batches were removed afterwards, as one writer's are.
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM audit_events WHERE correlation_id LIKE '%w-%'"));
    }

    [Fact]
    public async Task A_missed_target_exits_1_and_marks_the_row()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var impossible = WriteTargets("""{"resource-by-id": 0.000001}""");

        var result = await Bench(database, "--scale", "10", "--duration", "1s", "--only", "resource-by-id", "--targets", impossible);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("| p99 < 0.000001 | MISSED |", result.Out);
        Assert.Contains("0 of 1 targets met", result.Out);
    }

    [Fact]
    public async Task The_containment_search_uses_the_gin_index()
    {
        // At a few hundred resources PostgreSQL rightly reads the whole small table instead; from
        // about a thousand on, one owner's rows are few enough for the index.
        await using var database = await TestDatabase.CreateMigratedAsync();
        var report = Path.Combine(Path.GetTempPath(), $"sark-bench-{Guid.NewGuid():N}.json");
        var result = await Bench(database, "--scale", "1000", "--duration", "1s", "--only", "resource-by-id", "metadata-containment", "--targets", GenerousTargets, "--json", report);
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        File.Delete(report);
        var operations = json.RootElement.GetProperty("operations").EnumerateArray().ToList();
        Assert.Equal(["resources_pkey"], operations[0].GetProperty("indexes_used").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal(["ix_resources_metadata_gin"], operations[1].GetProperty("indexes_used").EnumerateArray().Select(i => i.GetString()));
    }

    [Theory]
    [InlineData("[1, 2]", "is not a JSON object")]
    [InlineData("{\"resource-by-id\": ", "is not JSON")]
    [InlineData("{\"no-such-operation\": 5}", "unknown operation 'no-such-operation'")]
    [InlineData("{\"resource-by-id\": -1}", "the target of resource-by-id is -1; expected a number of milliseconds above 0")]
    [InlineData("{\"resource-by-id\": \"5\"}", "the target of resource-by-id is \"5\"")]
    [InlineData("{\"resource-by-id\": 5, \"resource-by-id\": 6}", "names resource-by-id twice")]
    [InlineData("", "is not JSON")]
    public async Task A_bad_targets_file_is_a_usage_error(string content, string says)
    {
        await using var home = new TempHome();
        var result = await CliRunner.RunAsync("bench", "--targets", WriteTargets(content), "--data-dir", home.Path);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(says, Assert.Single(result.ErrorLines));
        Assert.False(Directory.Exists(home.Path));
    }

    [Fact]
    public async Task A_database_behind_the_newest_schema_is_refused()
    {
        await using var database = await TestDatabase.CreateEmptyAsync();
        var result = await Bench(database, "--scale", "10");
        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("run 'sark db migrate' first", Assert.Single(result.ErrorLines));
        Assert.False(await database.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'sark_bench')"));
    }

    [Fact]
    public async Task A_second_benchmark_at_the_same_time_is_refused_naming_the_first()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        await using var other = await HoldBenchmarkLockAsync(database);

        var result = await Bench(database, "--scale", "10");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("the benchmark lock (another benchmark is running) held by", Assert.Single(result.ErrorLines));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM resources"));
    }

    [Fact]
    public async Task Data_left_unvacuumed_by_an_interrupted_run_is_vacuumed_by_the_next()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        Assert.Equal(ExitCodes.Success, (await Bench(database, "--scale", "10", "--duration", "1s", "--only", "federation-lookup", "--targets", GenerousTargets)).ExitCode);
        Assert.True(await database.ScalarAsync<bool>("SELECT vacuumed_at IS NOT NULL FROM sark_bench.datasets"));
        await database.ExecuteAsync("UPDATE sark_bench.datasets SET vacuumed_at = NULL");

        var next = await Bench(database, "--scale", "10", "--duration", "1s", "--only", "federation-lookup", "--targets", GenerousTargets);

        Assert.Equal(ExitCodes.Success, next.ExitCode);
        Assert.Contains("vacuuming and analysing the benchmark's tables", next.Error);
        Assert.True(await database.ScalarAsync<bool>("SELECT vacuumed_at IS NOT NULL FROM sark_bench.datasets"));
    }

    [Fact]
    public async Task Quickstart_skips_its_quick_bench_while_a_benchmark_runs_and_still_succeeds()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        await using var other = await HoldBenchmarkLockAsync(database);

        var result = await CliRunner.RunAsync("quickstart", "--database", database.Url);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("    skipped: timed out after 2 s waiting for the benchmark lock", result.Error);
        Assert.DoesNotContain("| Operation |", result.Out);
    }

    [Fact]
    public async Task Killed_while_generating_it_leaves_no_row_and_no_record()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        using var process = CliRunner.StartProcess(new Dictionary<string, string?>(), "bench", "--scale", "20000", "--database", database.Url);
        string? line;
        while ((line = await process.StandardError.ReadLineAsync()) is not null && !line.StartsWith("  cost rows", StringComparison.Ordinal))
        {
        }

        Assert.NotNull(line);
        process.Kill();
        await process.WaitForExitAsync();

        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM resources"));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM cost_tracking"));
        Assert.True(await database.ScalarAsync<bool>("SELECT to_regclass('sark_bench.datasets') IS NULL"));
    }

    // Another session holding the benchmark lock, as a running benchmark does.
    private static async Task<NpgsqlConnection> HoldBenchmarkLockAsync(TestDatabase database)
    {
        var connection = await database.OpenAsync();
        await using var hold = new NpgsqlCommand("SELECT pg_advisory_lock($1, $2)", connection);
        hold.Parameters.AddWithValue(AdvisoryLock.ClassKey);
        hold.Parameters.AddWithValue(AdvisoryLock.Benchmark.ObjectKey);
        await hold.ExecuteScalarAsync();
        return connection;
    }

    private static double Ms(JsonElement operation, string name) => operation.GetProperty(name).GetDouble();

    private static string WriteTargets(string content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"sark-targets-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, content);
        return path;
    }
}
