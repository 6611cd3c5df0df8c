using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Sark.Cli.Commands;
using Sark.Cli.Output;
using Sark.Data.Connection;
using Sark.Data.Rollups;
using Sark.Data.Schema;

namespace Sark.Cli.Bench;

/// <summary>
/// <c>sark bench maintain</c>: the cost rollups' refresh (what <c>sark maintain</c> runs each time)
/// on a large cost history, in a scratch database: generates the rows, rolls the whole history up
/// once (reported), then per run adds rows that arrive late inside the trailing window and times the
/// trailing-window refresh, which is judged against its target. The scratch database is dropped.
/// </summary>
internal static class MaintainBench
{
    private static readonly Option<int> Rows = new Option<int>("--rows")
    {
        Description = "Cost rows to generate (default 10,000,000)",
        DefaultValueFactory = _ => 10_000_000,
    }.InRange(1_000, 100_000_000);

    private static readonly Option<int> Days = new Option<int>("--days")
    {
        Description = "Days the rows are spread over, evenly, ending now (default 365; 3 puts them all in the trailing window)",
        DefaultValueFactory = _ => 365,
    }.InRange(1, 3660);

    private static readonly Option<int> LateRows = new Option<int>("--late-rows")
    {
        Description = "Rows added before each run, stamped inside the trailing window (default 10,000)",
        DefaultValueFactory = _ => 10_000,
    }.InRange(0, 10_000_000);

    private static readonly Option<int> Runs = new Option<int>("--runs") { Description = "Measured runs (medians are reported)", DefaultValueFactory = _ => 3 }.InRange(1, 100);
    private static readonly Option<ReportFile?> JsonFile = MigrateV1Command.JsonFileOption("Also write the results as JSON to FILE");
    private static readonly Option<bool> Keep = new("--keep") { Description = "Keep the scratch database afterwards" };

    /// <summary>The issue's target for the trailing-window refresh on 10 million cost rows.</summary>
    private const double RefreshTargetSeconds = 30;

    private const int Principals = 1_000;
    private const int Resources = 1_000;
    private const long GenerateChunk = 1_000_000;

    public static Command Build()
    {
        var maintain = new Command("maintain", "Benchmark the cost rollups' refresh of sark maintain on generated cost rows (default 10,000,000)")
        {
            Rows, Days, LateRows, Runs, JsonFile, Keep,
        };
        maintain.SetHandler(RunAsync);
        return maintain;
    }

    private static async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var output = context.Output;
        var server = await context.GetDataSourceAsync(cancellationToken);
        await MigrateV1Bench.MentionLeftoversAsync(server, "sark_bench_maintain_", output, cancellationToken);
        var scratch = $"sark_bench_maintain_{Environment.ProcessId}";
        await MigrateV1Bench.ExecuteAsync(server, $"CREATE DATABASE {scratch}", cancellationToken);
        var builder = context.ConnectionSettings;
        builder.Database = scratch;
        SecretMasker.Register(builder.Password);
        var first = 0.0;
        var refreshes = new List<(double Seconds, long RowsRead)>();
        try
        {
            await using var services = CliContext.BuildServices(options =>
            {
                options.ConnectionString = builder.ConnectionString;
                options.ApplicationName = "sark bench";
            });
            var dataSource = services.GetRequiredService<NpgsqlDataSource>();
            await services.GetRequiredService<MigrationRunner>().MigrateAsync(cancellationToken: cancellationToken);
            var rows = context.Get(Rows);
            var days = context.Get(Days);
            await GenerateAsync(dataSource, rows, days, output, cancellationToken);
            var rollups = new CostRollups(dataSource);

            output.Progress("rolling up the whole history once (the first sark maintain on this database)");
            var clock = Stopwatch.StartNew();
            var initial = await rollups.RefreshAsync(cancellationToken: cancellationToken);
            first = clock.Elapsed.TotalSeconds;
            output.Progress(Invariant($"first refresh: {first:0.0} s, {initial.CostRowsRead:N0} rows read"));

            for (var run = 1; run <= context.Get(Runs); run++)
            {
                await AddLateRowsAsync(dataSource, context.Get(LateRows), run, cancellationToken);
                clock.Restart();
                var report = await rollups.RefreshAsync(cancellationToken: cancellationToken);
                refreshes.Add((clock.Elapsed.TotalSeconds, report.CostRowsRead));
                output.Progress(Invariant($"run {run}/{context.Get(Runs)}: trailing-window refresh {refreshes[^1].Seconds:0.00} s, {report.CostRowsRead:N0} rows read"));
            }
        }
        finally
        {
            if (!context.Get(Keep))
            {
                await MigrateV1Bench.ExecuteAsync(server, $"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)", CancellationToken.None);
            }
        }

        return await ReportAsync(context, first, refreshes, cancellationToken);
    }

    // Rows in arrival order, evenly over the days up to now, over 1,000 principals and resources
    // of three protocols, ten capabilities each; made in the server in chunks (progress per chunk).
    private static async Task GenerateAsync(NpgsqlDataSource dataSource, long rows, int days, ConsoleOutput output, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            await BenchPartitions.EnsureAsync(connection, now.AddDays(-days), now, cancellationToken);
        }

        await MigrateV1Bench.ExecuteAsync(dataSource, Invariant($"""
            INSERT INTO resources (id, name, protocol, endpoint)
            SELECT 'r-' || i, 'resource ' || i, (ARRAY['mcp', 'http', 'grpc'])[1 + i % 3], 'https://bench.example/' || i
            FROM generate_series(1, {Resources}) AS i
            """), cancellationToken);
        for (long from = 1; from <= rows; from += GenerateChunk)
        {
            var to = Math.Min(rows, from + GenerateChunk - 1);
            await MigrateV1Bench.ExecuteAsync(dataSource, Invariant($"""
                INSERT INTO cost_tracking ("timestamp", principal_id, resource_id, capability_id, estimated_cost, actual_cost, currency)
                SELECT '{now:O}'::timestamptz - make_interval(secs => ({rows} - i) * {days * 86400.0 / rows}),
                       'p-' || i % {Principals}, 'r-' || 1 + (i * 7) % {Resources}, 'r-' || 1 + (i * 7) % {Resources} || '-c-' || i % 10,
                       (1 + i % 1000) / 10000.0, CASE WHEN i % 5 = 0 THEN NULL ELSE (1 + i % 997) / 10000.0 END, 'USD'
                FROM generate_series({from}, {to}) AS i
                """), cancellationToken);
            output.Progress(Invariant($"  cost rows: {to:N0}/{rows:N0} ({100.0 * to / rows:0}%)"));
        }

        output.Progress("vacuuming and analysing cost_tracking");
        await MigrateV1Bench.ExecuteAsync(dataSource, "VACUUM ANALYZE cost_tracking", cancellationToken);
    }

    // Rows stamped a day or two back that arrive now: what the trailing window exists for.
    private static Task AddLateRowsAsync(NpgsqlDataSource dataSource, int count, int run, CancellationToken cancellationToken) =>
        count == 0 ? Task.CompletedTask : MigrateV1Bench.ExecuteAsync(dataSource, Invariant($"""
            INSERT INTO cost_tracking ("timestamp", principal_id, resource_id, capability_id, actual_cost, currency)
            SELECT now() - interval '1 day' - make_interval(secs => i % 86400), 'p-late-{run}', 'r-' || 1 + i % {Resources}, 'r-' || 1 + i % {Resources} || '-c-0', 0.0013, 'USD'
            FROM generate_series(1, {count}) AS i
            """), cancellationToken);

    private static async Task<int> ReportAsync(CliContext context, double first, List<(double Seconds, long RowsRead)> refreshes, CancellationToken cancellationToken)
    {
        var sorted = refreshes.Select(r => r.Seconds).Order().ToList();
        var median = MigrateV1Bench.Median(sorted);
        var passed = median < RefreshTargetSeconds;
        string[] headers = ["Operation", "Runs", "Min s", "Median s", "Max s", "Rows read", "Target", "Result"];
        context.Output.Line("| " + string.Join(" | ", headers) + " |");
        context.Output.Line("| " + string.Join(" | ", headers.Select((_, i) => i is 0 or 6 or 7 ? "---" : "--:")) + " |");
        context.Output.Line(Invariant($"| first refresh (whole history) | 1 | {first:0.00} | {first:0.00} | {first:0.00} | - | - | - |"));
        context.Output.Line(Invariant(
            $"| trailing-window refresh | {refreshes.Count} | {sorted[0]:0.00} | {median:0.00} | {sorted[^1]:0.00} | {refreshes.Max(r => r.RowsRead):N0} | < {RefreshTargetSeconds:0} s | {(passed ? "pass" : "MISSED")} |"));

        var exitCode = passed ? ExitCodes.Success : ExitCodes.Failure;
        using var reportFile = context.Get(JsonFile);
        var json = JsonSerializer.Serialize(new
        {
            benchmark = "maintain",
            rows = context.Get(Rows),
            days = context.Get(Days),
            late_rows = context.Get(LateRows),
            first_refresh_seconds = first,
            refresh = new { runs = refreshes.Count, min_seconds = sorted[0], median_seconds = median, max_seconds = sorted[^1], target_seconds = RefreshTargetSeconds, passed },
            refresh_seconds = refreshes.Select(r => r.Seconds),
        }, MigrateV1View.JsonOptions);
        if (reportFile is not null && !await reportFile.TryWriteAsync(json, "bench maintain", context.Output.Error, cancellationToken))
        {
            return exitCode == ExitCodes.Success ? ExitCodes.ReportNotWritten : exitCode;
        }

        return exitCode;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
