using System.CommandLine;
using Npgsql;
using Sark.Cli.Bench;
using Sark.Cli.Output;
using Sark.Data.Audit;
using Sark.Data.Costs;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Federation;
using Sark.Data.Registry;
using Sark.Data.Rollups;
using Sark.Data.Schema;
using Sark.V1Import;

namespace Sark.Cli.Commands;

/// <summary>
/// <c>sark quickstart</c>: the main job end to end on the embedded default database — start or
/// reuse the local PostgreSQL, migrate it to the newest version, load the sample v1 data set when
/// the v1 tables are empty, run the v1→v2 migration's dry run, execute and validate, show the
/// schema status, use the registry, federation and audit stores (<see cref="QuickstartDemo"/>) and
/// the cost ledger with its budgets and summaries (<see cref="QuickstartCosts"/>), and
/// measure three operations of <c>sark bench</c>. Running it again reuses everything and changes nothing.
/// </summary>
internal static class QuickstartCommand
{
    private const int SampleServers = 300;
    private const int SampleToolsPerServer = 10;

    public static Command Build()
    {
        var command = new Command("quickstart", "Start the embedded PostgreSQL (or use --database), migrate it, migrate the sample v1 data to v2 and show the result") { GlobalOptions.Json };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var output = context.Output;
            output.Progress("1/12 database: starting or reusing it");
            var dataSource = await context.GetDataSourceAsync(cancellationToken);
            var runner = await context.GetAsync<MigrationRunner>(cancellationToken);
            runner.Progress = new ProgressLines<MigrationProgress>(line => output.Progress($"    {line}"));

            output.Progress($"2/12 schema: migrating to version {runner.Migrations.Head}");
            var outcome = await runner.MigrateAsync(cancellationToken: cancellationToken);
            output.Progress(outcome.ChangedNothing ? "    already up to date" : $"    {outcome.Steps.Count} migration(s) applied");

            output.Progress("3/12 v1 data");
            if (await CountServersAsync(dataSource, cancellationToken) == 0)
            {
                var (servers, tools) = await SampleData.GenerateAsync(dataSource, SampleServers, SampleToolsPerServer, cancellationToken);
                output.Progress($"    v1 tables empty: {servers} sample servers and {tools} tools generated (some invalid on purpose)");
            }
            else
            {
                output.Progress("    v1 tables already hold data; using it as it is");
            }

            // With --json, stdout carries only the status document; the summaries go to stderr.
            var summaries = context.Json ? new ConsoleOutput(output.Error, output.Error, false, output.Verbose) : output;
            var view = new MigrateV1View(summaries);
            output.Progress("4/12 v1 -> v2 dry run");
            view.WriteSummary(await new Planner(dataSource).PlanAsync(cancellationToken));
            output.Progress("5/12 v1 -> v2 execute");
            view.WriteSummary(await new Importer(dataSource).ExecuteAsync(cancellationToken));
            output.Progress("6/12 v1 -> v2 validate, and the schema status");
            var validation = await new Validator(dataSource).ValidateAsync(cancellationToken);
            view.WriteSummary(validation);
            StatusView.Write(context, await runner.GetStatusAsync(cancellationToken));

            var demo = new QuickstartDemo(
                await context.GetAsync<ResourceStore>(cancellationToken), await context.GetAsync<FederationRegistry>(cancellationToken),
                await context.GetAsync<AuditLog>(cancellationToken), summaries);
            output.Progress("7/12 registry: HTTP and gRPC resources next to the migrated MCP ones");
            await demo.RegisterResourcesAsync(cancellationToken);
            output.Progress($"8/12 federation: trusting the node {QuickstartDemo.PeerNodeId} with a certificate made here");
            await demo.TrustPeerAsync(cancellationToken);
            output.Progress($"9/12 audit: a cross-org request from {QuickstartDemo.PeerNodeId}, read back by its correlation id {QuickstartDemo.CorrelationId}");
            await demo.RecordCrossOrgRequestAsync(cancellationToken);
            var costs = new QuickstartCosts(
                await context.GetAsync<CostLedger>(cancellationToken), await context.GetAsync<CostRollups>(cancellationToken),
                await context.GetAsync<CostSummaries>(cancellationToken), summaries);
            output.Progress("10/12 budgets: three principals charged until one is denied, then their status");
            await costs.ChargeUntilDeniedAsync(cancellationToken);
            output.Progress("11/12 costs: the rollups refreshed as 'sark maintain' does, then the last 30 days by principal");
            await costs.SummarizeAsync(cancellationToken);
            await QuickBenchAsync(context, dataSource, cancellationToken);
            return validation.Passed ? ExitCodes.Success : ExitCodes.Drift;
        });
        return command;
    }

    /// <summary>
    /// Three reads of <c>sark bench</c>, a second each, on the benchmark's quick data set (or whatever
    /// data set a benchmark left here): a first look at speed. Informational: the targets are
    /// judged by <c>sark bench</c>, so a slow machine does not fail the quickstart.
    /// </summary>
    private static async Task QuickBenchAsync(CliContext context, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var output = context.Output;
        output.Progress("12/12 quick bench: three operations, 1 s each ('sark bench' measures all of them, against pgbench too)");
        var settings = new BenchSettings(
            "quickstart", Scale: null, BenchOptions.QuickScale, TimeSpan.FromSeconds(0.2), Seconds: 1, Concurrency: 1, Writers: 1,
            BenchOperations.Quickstart, new Dictionary<string, double>(), WithPgbench: false);
        BenchRun run;
        try
        {
            run = await BenchSession.RunAsync(dataSource, context.ConnectionSettings, settings, line => output.Progress($"    {line}"), new GenerationProgress(output.Error, "    "), cancellationToken);
        }
        catch (Exception ex) when (ex is SarkException or NpgsqlException && !cancellationToken.IsCancellationRequested)
        {
            // Data of another generator, a benchmark running right now, a role that may not create
            // the benchmark's schema: the quickstart's own work is done and stays a success.
            var reason = ex is SarkException sark ? sark : PostgresErrors.Translate((NpgsqlException)ex);
            output.Progress($"    skipped: {CliWording.Render(reason.Text)}");
            return;
        }

        // With --json, stdout carries only the status document.
        foreach (var line in BenchReport.Markdown(run))
        {
            if (context.Json)
            {
                output.Progress(line);
            }
            else
            {
                output.Line(line);
            }
        }
    }

    private static async Task<long> CountServersAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await SarkDataSource.OpenAsync(dataSource, cancellationToken);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM mcp_servers", connection);
        return (long)(await count.ExecuteScalarAsync(cancellationToken))!;
    }
}
