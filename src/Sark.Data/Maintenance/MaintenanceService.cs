using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Sark.Data.Maintenance;

/// <summary>
/// Runs <see cref="MaintenanceJob"/> when the host starts and then every
/// <see cref="MaintenanceOptions.Interval"/>, until the host stops. A run that cannot start (the
/// database is down, say) is logged and the service waits for the next one; it never stops the host.
/// Several instances of a service may run it: the maintenance lock lets one of them do the work.
/// </summary>
public sealed class MaintenanceService(MaintenanceJob job, ILogger<MaintenanceService>? logger = null) : BackgroundService
{
    private readonly MaintenanceJob job = job ?? throw new ArgumentNullException(nameof(job));
    private readonly ILogger logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>The last report, or null before the first run ends (for a host's status page).</summary>
    public MaintenanceReport? LastReport { get; private set; }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the host's start-up path: StartAsync returns before the first run does any I/O.
        await Task.Yield();
        using var timer = new PeriodicTimer(job.Options.Interval);
        do
        {
            try
            {
                LastReport = await job.RunAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.RunFailed(ex, job.Options.Interval);
            }
        }
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
