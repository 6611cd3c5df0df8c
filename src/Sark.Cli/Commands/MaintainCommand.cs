using System.CommandLine;
using Sark.Data.Errors;
using Sark.Data.Costs;
using Sark.Data.Federation;
using Sark.Data.Maintenance;
using Sark.Data.Rollups;

namespace Sark.Cli.Commands;

/// <summary><c>sark maintain</c>: SPEC §6's maintenance job (<see cref="MaintenanceJob"/>), once or on an interval.</summary>
internal static class MaintainCommand
{
    // 128 + SIGINT, as shells report a command stopped by Ctrl-C: an interval run was interrupted
    // in the middle of a run (its open transaction rolled back). Between runs the stop is clean: 0.
    internal const int Interrupted = 130;

    private static readonly Option<bool> Once = new("--once") { Description = "Run the job once and exit (the default)" };

    private static readonly Option<TimeSpan?> Interval = new Option<TimeSpan?>("--interval")
    {
        Description = "Run the job now and then every interval (1s to 168h, such as 5min or 1h) until Ctrl-C",
    }.CheckedBy(text => CostView.Duration(text, "--interval", MaintenanceOptions.IntervalMinimum, MaintenanceOptions.IntervalLimit, "5min"));

    private static readonly Option<int> MonthsAhead = new Option<int>("--months-ahead")
    {
        Description = "Monthly partitions kept ready after the current month (default 3)",
        DefaultValueFactory = _ => new MaintenanceOptions().MonthsAhead,
    }.InRange(0, MaintenanceOptions.MonthsAheadLimit);

    private static readonly Option<int> CostRetentionDays = new Option<int>("--cost-retention-days")
    {
        Description = "Days cost rows are kept; older partitions are dropped whole (default 365)",
        DefaultValueFactory = _ => (int)new MaintenanceOptions().CostRetention.TotalDays,
    }.InRange(1, (int)MaintenanceOptions.RetentionLimit.TotalDays);

    private static readonly Option<int> AuditRetentionDays = new Option<int>("--audit-retention-days")
    {
        Description = "Days audit events are kept; older partitions are dropped whole (default 730)",
        DefaultValueFactory = _ => (int)new MaintenanceOptions().AuditRetention.TotalDays,
    }.InRange(1, (int)MaintenanceOptions.RetentionLimit.TotalDays);

    private static readonly Option<TimeSpan> LockTimeout = new Option<TimeSpan>("--lock-timeout")
    {
        Description = "How long each DDL may wait for its lock before it is reported and left for the next run (default 5s)",
        DefaultValueFactory = _ => new MaintenanceOptions().LockTimeout,
    }.CheckedBy(text => CostView.Duration(text, "--lock-timeout", DurationParser.Minimum, MaintenanceOptions.LockTimeoutLimit, "5s"));

    public static Command Build()
    {
        var command = new Command("maintain", "Create time partitions ahead, drop partitions past retention, clean up old counters")
        {
            Once, Interval, MonthsAhead, CostRetentionDays, AuditRetentionDays, LockTimeout, GlobalOptions.Json,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(Once) is not null && result.GetResult(Interval) is not null)
            {
                result.AddError("--once and --interval cannot be given together; --once runs the job once, --interval runs it until Ctrl-C");
            }
        });
        command.SetHandler(async (context, cancellationToken) =>
        {
            var options = new MaintenanceOptions
            {
                MonthsAhead = context.Get(MonthsAhead),
                CostRetention = TimeSpan.FromDays(context.Get(CostRetentionDays)),
                AuditRetention = TimeSpan.FromDays(context.Get(AuditRetentionDays)),
                LockTimeout = context.Get(LockTimeout),
            };
            var steps = MaintenanceSteps.Standard(
                await context.GetAsync<FederationRegistry>(cancellationToken), await context.GetAsync<CostLedger>(cancellationToken),
                await context.GetAsync<CostRollups>(cancellationToken));
            var job = new MaintenanceJob(await context.GetDataSourceAsync(cancellationToken), options, steps);
            return context.Get(Interval) is { } interval
                ? await RunEveryAsync(context, job, interval, cancellationToken)
                : Print(context, await job.RunAsync(cancellationToken));
        });
        return command;
    }

    private static async Task<int> RunEveryAsync(CliContext context, MaintenanceJob job, TimeSpan interval, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                Print(context, await job.RunAsync(cancellationToken));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                context.Output.Progress("maintain: interrupted during a run; its open transaction was rolled back");
                return Interrupted;
            }
            catch (SarkException ex) when (ex.Kind != SarkErrorKind.Usage)
            {
                // A database that is down now may be back by the next run: keep going, as the host's service does.
                context.Output.Progress($"sark: {Output.CliWording.Render(ex.Text)}; the next run is in {DurationParser.Readable(interval)}");
            }

            try
            {
                await Task.Delay(interval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                context.Output.Progress("maintain: stopped");
                return ExitCodes.Success;
            }
        }
    }

    private static int Print(CliContext context, MaintenanceReport report)
    {
        if (context.Json)
        {
            context.Output.WriteJson(new
            {
                StartedAt = report.StartedAt,
                FinishedAt = report.FinishedAt,
                SkippedBecause = report.SkippedBecause,
                Failed = report.HasFailures,
                Actions = report.Actions.Select(a => new { a.Step, a.Kind, a.Target, a.Rows, a.Message }),
            });
        }
        else if (report.SkippedBecause is { } reason)
        {
            context.Output.Line($"maintain: skipped, {reason}");
        }
        else if (report.Actions.Count == 0)
        {
            context.Output.Line("maintain: nothing to do");
        }
        else
        {
            foreach (var action in report.Actions)
            {
                context.Output.Line(action.Message);
            }
        }

        return report.HasFailures ? ExitCodes.Failure : ExitCodes.Success;
    }
}
