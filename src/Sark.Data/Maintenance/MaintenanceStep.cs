using Npgsql;

namespace Sark.Data.Maintenance;

/// <summary>
/// One step of <see cref="MaintenanceJob"/>: a name and the work. Steps run in order on the job's
/// connection, which holds the maintenance lock; each reports what it did through
/// <see cref="MaintenanceContext.Report"/>. A step that throws is reported as failed and the job
/// goes on with the next one. Adding a step (a rollup refresh, say) is one more entry in the list
/// given to <see cref="MaintenanceJob"/>:
/// <code>new MaintenanceStep("rollups", (context, ct) => rollups.RefreshAsync(context, ct))</code>
/// </summary>
/// <param name="Name">Short and lower-case; shown with every action and failure of the step.</param>
/// <param name="RunAsync">The work.</param>
public sealed record MaintenanceStep(string Name, Func<MaintenanceContext, CancellationToken, Task> RunAsync);

/// <summary>What a <see cref="MaintenanceStep"/> works with.</summary>
public sealed class MaintenanceContext
{
    private readonly MaintenanceReport report;

    internal MaintenanceContext(NpgsqlConnection connection, MaintenanceOptions options, MaintenanceReport report)
    {
        Connection = connection;
        Options = options;
        this.report = report;
    }

    /// <summary>
    /// The job's connection (it holds the maintenance lock and the migration lock, shared). Leave it
    /// as found: no open transaction, session settings restored.
    /// </summary>
    public NpgsqlConnection Connection { get; }

    /// <summary>The options of this run.</summary>
    public MaintenanceOptions Options { get; }

    /// <summary>The name of the step running now.</summary>
    public string Step { get; internal set; } = "";

    /// <summary>Records what the running step did.</summary>
    public void Report(string kind, string target, long? rows, string message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        report.Add(new MaintenanceAction(Step, kind, target, rows, message));
    }
}
