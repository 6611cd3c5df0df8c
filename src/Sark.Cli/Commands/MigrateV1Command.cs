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
    private static readonly Option<int> BatchSize = new("--batch-size") { Description = "v1 rows per batch (one transaction and checkpoint each)", DefaultValueFactory = _ => 5000 };
    private static readonly Option<string> LockWait = new("--lock-wait") { Description = "How long to wait for a schema change's migration lock or another run's v1 import lock", DefaultValueFactory = _ => "2s" };
    private static readonly Option<string?> JsonFile = new("--json") { Description = "Also write the report as JSON to FILE" };

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
        var mode = Mode(context);
        var batchSize = context.Get(BatchSize);
        if (batchSize < 1)
        {
            throw new UsageException($"--batch-size '{batchSize}' is not valid; expected a positive number of rows");
        }

        var jsonPath = context.Get(JsonFile);
        if (jsonPath is not null && Path.GetDirectoryName(Path.GetFullPath(jsonPath)) is { } directory && !Directory.Exists(directory))
        {
            throw new UsageException($"--json '{jsonPath}': the folder {directory} does not exist");
        }

        var lockWait = DurationParser.Parse(context.Get(LockWait)!, "--lock-wait");
        var options = new ImportOptions { BatchSize = batchSize, TimeStatements = context.Output.Verbose, LockWait = lockWait };
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

        if (jsonPath is not null)
        {
            await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(report, MigrateV1View.JsonOptions), cancellationToken);
            context.Output.Detail($"report written to {jsonPath}");
        }

        if (exitCode == ExitCodes.Drift)
        {
            context.Output.Error.WriteLine("sark: validation failed; see the failed checks above");
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
