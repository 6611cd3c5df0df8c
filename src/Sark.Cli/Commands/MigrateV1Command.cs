using System.CommandLine;
using System.Text.Json;
using Sark.Cli.Output;
using Sark.Data.Errors;
using Sark.V1Import;

namespace Sark.Cli.Commands;

/// <summary><c>sark migrate-v1</c>: the v1→v2 data migration (dry run, execute, validate, rollback).</summary>
internal static class MigrateV1Command
{
    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "Report what would change and write nothing (alone, or with --rollback)" };
    private static readonly Option<bool> Execute = new("--execute") { Description = "Copy v1 servers and tools into resources and capabilities (batched, resumable)" };
    private static readonly Option<bool> Validate = new("--validate") { Description = "Compare every migrated row with its v1 row; exits 5 on any failed check" };
    private static readonly Option<bool> RollbackOption = new("--rollback") { Description = "Remove exactly the rows this tool wrote" };
    private static readonly Option<bool> Force = new("--force") { Description = "With --rollback: also remove migrated rows changed since" };
    private static readonly Option<int> BatchSize = BatchSizeOption("v1 rows per batch (one transaction and checkpoint each)");
    private static readonly Option<string> LockWait = CheckedOptions.Duration("--lock-wait", "How long to wait for a schema change's migration lock or another run's v1 import lock", "2s");
    private static readonly Option<ReportFile?> JsonFile = JsonFileOption("Also write the report as JSON to FILE");

    /// <summary>Largest --batch-size: a batch is one transaction, and beyond this it only holds locks longer.</summary>
    public const int MaximumBatchSize = 1_000_000;

    /// <summary>--batch-size, shared with the benchmark, which passes it on.</summary>
    public static Option<int> BatchSizeOption(string description) =>
        new Option<int>("--batch-size") { Description = description, DefaultValueFactory = _ => 5000 }.InRange(1, MaximumBatchSize);

    /// <summary>--json FILE, checked before the work (see <see cref="ReportFile"/>).</summary>
    public static Option<ReportFile?> JsonFileOption(string description) =>
        new Option<ReportFile?>("--json") { Description = description, HelpName = "FILE" }.CheckedBy(text => ReportFile.Prepare(text, "--json"));

    public static Command Build()
    {
        var command = new Command("migrate-v1", "Migrate SARK v1 servers and tools to v2 resources and capabilities")
        {
            DryRun, Execute, Validate, RollbackOption, Force, BatchSize, LockWait, JsonFile,
        };
        command.SetHandler(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        // Values were checked when the command line was parsed; the mode combination is checked here,
        // still before anything starts.
        var mode = Mode(context);
        using var reportFile = context.Get(JsonFile);
        var lockWait = DurationParser.Parse(context.Get(LockWait)!, "--lock-wait");
        var options = new ImportOptions { BatchSize = context.Get(BatchSize), TimeStatements = context.Output.Verbose, LockWait = lockWait };
        var dataSource = await context.GetDataSourceAsync(cancellationToken);
        var view = new MigrateV1View(context.Output);
        object report;
        var exitCode = ExitCodes.Success;
        switch (mode)
        {
            case "dry-run":
                var plan = await new Planner(dataSource, options).PlanAsync(cancellationToken);
                view.Write(plan);
                report = MigrateV1View.ToJson(plan);
                break;
            case "execute":
                var reporter = new ImportProgressReporter(context.Output.Error);
                ImportResult result;
                try
                {
                    result = await reporter.RunAsync(progress =>
                        new Importer(dataSource, options) { Progress = progress }.ExecuteAsync(cancellationToken));
                }
                catch (OperationCanceledException)
                {
                    throw new SarkException("interrupted; every committed batch is kept, run 'sark migrate-v1 --execute' again to resume");
                }

                view.Write(result);
                report = MigrateV1View.ToJson(result);
                break;
            case "validate":
                var validation = await new Validator(dataSource, options).ValidateAsync(cancellationToken);
                view.Write(validation);
                report = MigrateV1View.ToJson(validation);
                exitCode = validation.Passed ? ExitCodes.Success : ExitCodes.Drift;
                break;
            default:
                var rollback = await new Rollback(dataSource, options).RollBackAsync(context.Get(DryRun), context.Get(Force), cancellationToken);
                view.Write(rollback);
                report = MigrateV1View.ToJson(rollback);
                break;
        }

        if (exitCode == ExitCodes.Drift)
        {
            context.Output.Error.WriteLine("sark: validation failed; see the failed checks above");
        }

        if (reportFile is not null)
        {
            var work = $"migrate-v1 --{(mode == "rollback" && context.Get(DryRun) ? "rollback --dry-run" : mode)}";
            if (!await reportFile.TryWriteAsync(JsonSerializer.Serialize(report, MigrateV1View.JsonOptions), work, context.Output.Error, cancellationToken))
            {
                // A failed validation stays the more important news; otherwise the report's loss is.
                return exitCode == ExitCodes.Success ? ExitCodes.ReportNotWritten : exitCode;
            }

            context.Output.Detail($"report written to {reportFile.Given}");
        }

        return exitCode;
    }

    private static string Mode(CliContext context)
    {
        var chosen = new[] { (Execute, "execute"), (Validate, "validate"), (RollbackOption, "rollback") }
            .Where(m => context.Get(m.Item1)).Select(m => m.Item2).ToList();
        var dryRun = context.Get(DryRun);
        if (chosen.Count > 1 || (dryRun && chosen.Count == 1 && chosen[0] != "rollback"))
        {
            var given = string.Join(" ", (dryRun ? chosen.Prepend("dry-run") : chosen).Select(m => "--" + m));
            throw new UsageException($"modes '{given}' cannot be combined; expected one of --dry-run, --execute, --validate, --rollback (or --rollback --dry-run)");
        }

        if (context.Get(Force) && (chosen.Count == 0 || chosen[0] != "rollback"))
        {
            throw new UsageException("--force only applies to --rollback");
        }

        return chosen.Count == 1 ? chosen[0]
            : dryRun ? "dry-run"
            : throw new UsageException("no mode given; expected one of --dry-run, --execute, --validate, --rollback (or --rollback --dry-run)");
    }
}
