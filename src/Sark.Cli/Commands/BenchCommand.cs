using System.CommandLine;
using System.Globalization;
using Npgsql;
using Sark.Cli.Bench;
using Sark.Cli.Output;
using Sark.Data.Errors;

namespace Sark.Cli.Commands;

/// <summary>
/// <c>sark bench</c>: the library operations of SPEC §7 on generated data, with their targets
/// and pgbench's figures for the same statements (see docs/performance.md); <c>sark bench
/// migrate-v1</c> measures the v1→v2 tool. Results go to stdout as Markdown, progress to stderr.
/// </summary>
internal static class BenchCommand
{
    private static readonly Option<ReportFile?> JsonFile = MigrateV1Command.JsonFileOption("Also write every figure and the environment as JSON to FILE");

    private static readonly Option[] MeasuringOptions =
    [
        BenchOptions.Quick, BenchOptions.Full, BenchOptions.Only, BenchOptions.Scale, BenchOptions.Concurrency,
        BenchOptions.Writers, BenchOptions.Duration, JsonFile, BenchOptions.Targets,
    ];

    public static Command Build()
    {
        var bench = new Command("bench", "Benchmark the library's operations against their targets and pgbench; exit 1 when a target is missed");
        foreach (var option in MeasuringOptions.Append(BenchOptions.Cleanup))
        {
            bench.Options.Add(option);
        }

        bench.Validators.Add(result =>
        {
            if (result.GetResult(BenchOptions.Quick) is not null && result.GetResult(BenchOptions.Full) is not null)
            {
                result.AddError("--quick and --full cannot be combined; choose one");
            }

            // Global options (--database, --data-dir) still choose the database to clean.
            if (result.GetResult(BenchOptions.Cleanup) is not null
                && MeasuringOptions.FirstOrDefault(o => result.GetResult(o) is { Implicit: false }) is { } other)
            {
                result.AddError($"--cleanup takes no other option (got {other.Name}); it only removes the benchmark's data");
            }
        });
        var migrateV1 = MigrateV1Bench.Build();

        // "sark bench --quick migrate-v1" would otherwise run the migration benchmark and quietly drop --quick.
        migrateV1.Validators.Add(result =>
        {
            if (result.Parent is System.CommandLine.Parsing.CommandResult bench
                && MeasuringOptions.Append(BenchOptions.Cleanup).FirstOrDefault(o => bench.GetResult(o) is { Implicit: false }) is { } misplaced)
            {
                result.AddError($"{misplaced.Name} is an option of 'sark bench', not of 'sark bench migrate-v1'; give the migration benchmark its own options after its name");
            }
        });
        bench.Subcommands.Add(migrateV1);
        var maintain = MaintainBench.Build();
        maintain.Validators.Add(result =>
        {
            if (result.Parent is System.CommandLine.Parsing.CommandResult bench
                && MeasuringOptions.Append(BenchOptions.Cleanup).FirstOrDefault(o => bench.GetResult(o) is { Implicit: false }) is { } misplaced)
            {
                result.AddError($"{misplaced.Name} is an option of 'sark bench', not of 'sark bench maintain'; give the maintenance benchmark its own options after its name");
            }
        });
        bench.Subcommands.Add(maintain);
        bench.SetHandler(RunAsync);
        return bench;
    }

    private static async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var cleanup = context.Get(BenchOptions.Cleanup);
        var concurrency = context.Get(BenchOptions.Concurrency);
        var writers = context.Get(BenchOptions.Writers);

        // Checked before anything starts: the clients and the benchmark's own connection share the pool.
        var poolSize = context.ConfiguredMaxPoolSize;
        foreach (var (option, clients) in new[] { ("--concurrency", concurrency), ("--writers", writers) })
        {
            if (!cleanup && clients + 1 > poolSize)
            {
                throw new UsageException($"{option} {clients} needs {clients + 1} connections (one more for the benchmark itself) but the pool holds {poolSize} (Maximum Pool Size); lower it or raise the pool size");
            }
        }

        // An operation with its own number of clients (the concurrent charge's 32) needs them too.
        if (!cleanup && BenchOptions.Operations(context.Get(BenchOptions.Only)).FirstOrDefault(o => o.Clients + 1 > poolSize) is { } crowded)
        {
            throw new UsageException($"{crowded.Name} runs {crowded.Clients} clients and needs {crowded.Clients + 1} connections (one more for the benchmark itself) but the pool holds {poolSize} (Maximum Pool Size); raise the pool size or leave it out with --only");
        }

        // The benchmark measures a component's pooled, prepared calls; these settings measure something else.
        if (context.ConfiguredConnection is { } given && (!given.Pooling || given.Multiplexing))
        {
            throw new UsageException($"the connection string sets {(given.Pooling ? "Multiplexing=true" : "Pooling=false")}; the benchmark measures calls through a connection pool without multiplexing (what SARK components use): remove it for the benchmark");
        }

        var dataSource = await context.GetDataSourceAsync(cancellationToken);
        if (cleanup)
        {
            return await CleanupAsync(context, dataSource, cancellationToken);
        }

        var quick = context.Get(BenchOptions.Quick);
        var settings = new BenchSettings(
            quick ? "quick" : "full",
            context.Get(BenchOptions.Scale) ?? (quick ? BenchOptions.QuickScale : BenchOptions.FullScale),
            BenchOptions.FullScale,
            TimeSpan.FromSeconds(quick ? 0.5 : 2),
            context.Get(BenchOptions.Duration) ?? (quick ? BenchOptions.QuickSeconds : BenchOptions.FullSeconds),
            concurrency,
            writers,
            BenchOptions.Operations(context.Get(BenchOptions.Only)),
            context.Get(BenchOptions.Targets) ?? new Dictionary<string, double>(),
            WithPgbench: true);
        var run = await BenchSession.RunAsync(
            dataSource, context.ConnectionSettings, settings, context.Output.Progress, new GenerationProgress(context.Output.Error), cancellationToken);
        foreach (var line in BenchReport.Markdown(run))
        {
            context.Output.Line(line);
        }

        var exitCode = run.Passed ? ExitCodes.Success : ExitCodes.Failure;
        using var reportFile = context.Get(JsonFile);
        if (reportFile is not null && !await reportFile.TryWriteAsync(BenchReport.Json(run), "bench", context.Output.Error, cancellationToken))
        {
            // A missed target stays the more important news; otherwise the report's loss is.
            return exitCode == ExitCodes.Success ? ExitCodes.ReportNotWritten : exitCode;
        }

        return exitCode;
    }

    private static async Task<int> CleanupAsync(CliContext context, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        // Cleanup works on any schema version that has the tables: after a rollback, say.
        await using var control = await BenchControl.OpenAsync(dataSource, requireNewest: false, cancellationToken);
        var removed = await BenchCleanup.RunAsync(control.Connection, cancellationToken);
        context.Output.Line(removed.Dataset is null
            ? "no benchmark data here; nothing removed"
            : string.Create(CultureInfo.InvariantCulture,
                $"removed the benchmark data made on {removed.Dataset.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC: {BenchDataset.Count(removed.Resources, "resource")}, {BenchDataset.Count(removed.Capabilities, "capability")}, {BenchDataset.Count(removed.CostRows, "cost row")}, {BenchDataset.Count(removed.FederationNodes, "federation node")}, {BenchDataset.Count(removed.AuditEvents, "audit event")}"));
        return ExitCodes.Success;
    }
}
