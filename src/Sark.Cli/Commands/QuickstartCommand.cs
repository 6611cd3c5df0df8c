using System.CommandLine;
using Sark.Data.Errors;
using Sark.Data.Schema;

namespace Sark.Cli.Commands;

/// <summary>
/// <c>sark quickstart</c>: the main job end to end on the embedded default database — start or
/// reuse the local PostgreSQL, migrate to the newest version, show where the schema stands.
/// </summary>
internal static class QuickstartCommand
{
    public static Command Build()
    {
        var command = new Command("quickstart", "Start the embedded PostgreSQL (or use --database), migrate it to the newest schema and show its status") { GlobalOptions.Json };
        command.SetHandler(async (context, cancellationToken) =>
        {
            context.Output.Progress("1/3 database: starting or reusing it");
            var dataSource = await context.GetDataSourceAsync(cancellationToken);
            var runner = new MigrationRunner(dataSource, MigrationSet.Embedded) { Progress = line => context.Output.Progress($"    {line}") };

            context.Output.Progress($"2/3 schema: migrating to version {runner.Migrations.Head}");
            var outcome = await runner.MigrateAsync(cancellationToken: cancellationToken);
            context.Output.Progress(outcome.ChangedNothing ? "    already up to date" : $"    {outcome.Steps.Count} migration(s) applied");

            context.Output.Progress("3/3 status");
            StatusView.Write(context, await runner.GetStatusAsync(cancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }
}
