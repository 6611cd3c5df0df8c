using System.CommandLine;
using Sark.Cli.Output;
using Sark.Data.Errors;
using Sark.Data.Schema;

namespace Sark.Cli.Commands;

/// <summary><c>sark db …</c>: the schema migration runner.</summary>
internal static class DbCommand
{
    private const string VersionHelp = "Target version: a number (0 = empty schema) or a name such as 005_gateway_audit";

    // Versions and durations are checked when the command line is parsed (see CheckedOptions), so
    // a typo fails before the embedded server starts or a connection opens.
    private static readonly Option<string?> To = new Option<string?>("--to") { Description = VersionHelp }.CheckedBy(CheckVersion);
    private static readonly Option<string> RequiredTo = new Option<string>("--to") { Description = VersionHelp, Required = true }.CheckedBy(CheckVersion);
    private static readonly Option<string> From = new Option<string>("--from") { Description = "Version the script starts from", Required = true }.CheckedBy(CheckVersion);
    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "Print the SQL that would run and change nothing" };
    private static readonly Option<bool> AllowDataLoss = new("--allow-data-loss") { Description = "Allow down scripts that destroy data" };
    private static readonly Option<string> LockTimeout = CheckedOptions.Duration("--lock-timeout", "lock_timeout for each DDL statement", "10s");
    private static readonly Option<string> StatementTimeout = CheckedOptions.Duration("--statement-timeout", "statement_timeout for each statement", "30min");
    private static readonly Option<string> LockWait = CheckedOptions.Duration("--lock-wait", "How long to wait for another runner's migration lock", "60s");

    private static string CheckVersion(string text)
    {
        MigrationSet.Embedded.ParseVersion(text);
        return text;
    }

    public static Command Build()
    {
        var db = new Command("db", "Schema migrations: status, migrate, rollback, script, repair, adopt, verify") { GlobalOptions.Json };
        db.Subcommands.Add(StatusCommand());
        db.Subcommands.Add(MigrateCommand());
        db.Subcommands.Add(RollbackCommand());
        db.Subcommands.Add(ScriptCommand());
        db.Subcommands.Add(RepairCommand());
        db.Subcommands.Add(SchemaCheckCommands.Adopt());
        db.Subcommands.Add(SchemaCheckCommands.Verify());
        return db;
    }

    private static Command StatusCommand()
    {
        var command = new Command("status", $"Show applied and pending migrations; exits {ExitCodes.Pending} when migrations are pending");
        command.SetHandler(async (context, cancellationToken) =>
        {
            var runner = await CreateRunnerAsync(context, cancellationToken);
            var status = await runner.GetStatusAsync(cancellationToken);
            StatusView.Write(context, status);
            if (runner.FindProblem(status) is { } problem)
            {
                throw new MigrationException(SarkErrorKind.SchemaDrift, problem);
            }

            if (status.CurrentVersion == 0 && await runner.FindUnjournaledObjectsAsync(cancellationToken) is { } unjournaled)
            {
                throw new MigrationException(SarkErrorKind.SchemaDrift, unjournaled);
            }

            if (status.HasPending)
            {
                context.Output.Progress($"{status.Entries.Count(e => e.State == MigrationState.Pending)} migration(s) pending; run 'sark db migrate'");
                return ExitCodes.Pending;
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command MigrateCommand()
    {
        var command = new Command("migrate", "Apply pending migrations up to --to (default: the newest)") { To, DryRun, LockTimeout, StatementTimeout, LockWait };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var runner = await CreateRunnerAsync(context, cancellationToken);
            int? target = context.Get(To) is { } to ? runner.Migrations.ParseVersion(to) : null;
            if (context.Get(DryRun))
            {
                var plan = await runner.PlanMigrateAsync(target, cancellationToken);
                context.Output.Out.Write(MigrationScriptWriter.Write(plan, runner.Options));
                return ExitCodes.Success;
            }

            var outcome = await runner.MigrateAsync(target, cancellationToken);
            Report(context, outcome, "migrate");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command RollbackCommand()
    {
        var command = new Command("rollback", "Revert applied migrations down to --to") { RequiredTo, AllowDataLoss, DryRun, LockTimeout, StatementTimeout, LockWait };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var runner = await CreateRunnerAsync(context, cancellationToken);
            var target = runner.Migrations.ParseVersion(context.Get(RequiredTo)!);
            if (context.Get(DryRun))
            {
                var plan = await runner.PlanRollbackAsync(target, cancellationToken);
                context.Output.Out.Write(MigrationScriptWriter.Write(plan, runner.Options));
                return ExitCodes.Success;
            }

            var outcome = await runner.RollbackAsync(target, context.Get(AllowDataLoss), cancellationToken);
            Report(context, outcome, "rollback");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ScriptCommand()
    {
        var command = new Command("script", "Print the SQL from one version to another without connecting to a database") { From, RequiredTo, LockTimeout, StatementTimeout };
        command.SetHandler((context, _) =>
        {
            var migrations = MigrationSet.Embedded;
            var plan = MigrationPlan.Between(migrations, migrations.ParseVersion(context.Get(From)!), migrations.ParseVersion(context.Get(RequiredTo)!));
            context.Output.Out.Write(MigrationScriptWriter.Write(plan, RunnerOptions(context)));
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static Command RepairCommand()
    {
        var command = new Command("repair", $"Accept edited migration files by recording their new checksums; list the journal problems it cannot fix (exit {ExitCodes.Failure})") { LockWait };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var runner = await CreateRunnerAsync(context, cancellationToken);
            var outcome = await runner.RepairAsync(cancellationToken);
            ReportRepair(context, outcome);
            return outcome.JournalIsSound ? ExitCodes.Success
                : throw new MigrationException($"repair cannot fix {outcome.NotRepaired.Count} journal problem(s) (listed in its output); sark refuses this database until they are fixed by hand");
        });
        return command;
    }

    private static void ReportRepair(CliContext context, RepairOutcome outcome)
    {
        if (context.Json)
        {
            context.Output.WriteJson(new
            {
                action = "repair", from_version = outcome.Version, to_version = outcome.Version, steps = outcome.Repaired.Select(r => r.ToString()), not_repaired = outcome.NotRepaired,
            });
            return;
        }

        foreach (var problem in outcome.NotRepaired)
        {
            context.Output.Line(problem);
        }

        context.Output.Line((outcome.Repaired.Count, outcome.JournalIsSound) switch
        {
            (0, true) => "repair: nothing to repair, every applied migration matches its file",
            (0, false) => "repair: no checksum to accept; nothing was changed",
            _ => $"repair: accepted the new checksums of {outcome.Repaired.Count} migration(s)",
        });
    }

    private static async Task<MigrationRunner> CreateRunnerAsync(CliContext context, CancellationToken cancellationToken)
    {
        context.MigrationOptions = RunnerOptions(context);
        var runner = await context.GetAsync<MigrationRunner>(cancellationToken);
        runner.Progress = new ProgressLines<MigrationProgress>(context.Output.Progress);
        return runner;
    }

    private static MigrationRunnerOptions RunnerOptions(CliContext context)
    {
        var command = context.ParseResult.CommandResult.Command;
        var defaults = new MigrationRunnerOptions();
        return defaults with
        {
            LockTimeout = command.Options.Contains(LockTimeout) ? DurationParser.Parse(context.Get(LockTimeout)!, "--lock-timeout") : defaults.LockTimeout,
            StatementTimeout = command.Options.Contains(StatementTimeout) ? DurationParser.Parse(context.Get(StatementTimeout)!, "--statement-timeout") : defaults.StatementTimeout,
            LockWait = command.Options.Contains(LockWait) ? DurationParser.Parse(context.Get(LockWait)!, "--lock-wait") : defaults.LockWait,
        };
    }

    private static void Report(CliContext context, MigrationOutcome outcome, string action)
    {
        if (context.Json)
        {
            context.Output.WriteJson(new { action, from_version = outcome.FromVersion, to_version = outcome.ToVersion, steps = outcome.Steps.Select(s => s.ToString()) });
            return;
        }

        context.Output.Line((action, outcome.ChangedNothing) switch
        {
            (_, true) => $"{action}: nothing to do, the database is at version {outcome.ToVersion}",
            _ => $"{action}: version {outcome.FromVersion} -> {outcome.ToVersion}, {outcome.Steps.Count} step(s)",
        });
    }
}
