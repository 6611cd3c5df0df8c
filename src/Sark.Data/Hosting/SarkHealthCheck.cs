using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Schema;

namespace Sark.Data.Hosting;

/// <summary>
/// Opens one connection and compares the database's schema version with the binary's: healthy
/// when they are equal, degraded when migrations are pending, and the registration's failure
/// status (unhealthy by default) when the database cannot be reached, answers too slowly, was
/// migrated by a newer binary, has a journal this binary must not touch, or has tables but no
/// journal (an existing database that must be adopted before it can be migrated). The result's data holds
/// <c>database_version</c> and <c>binary_version</c> (and <c>pending</c> when degraded).
/// Register it with <c>services.AddHealthChecks().AddSarkHealthCheck()</c>.
/// </summary>
public sealed class SarkHealthCheck(NpgsqlDataSource dataSource, MigrationSet migrations) : IHealthCheck
{
    /// <summary>How long the check may take unless its registration says otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Opens a connection and compares the versions, within the registration's timeout (<see
    /// cref="DefaultTimeout"/> when it has none).
    /// </summary>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var failure = context.Registration?.FailureStatus ?? HealthStatus.Unhealthy;
        var timeout = OwnTimeout(context.Registration?.Timeout);
        var data = new Dictionary<string, object> { ["binary_version"] = migrations.Head };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var reading = ReadStatusAsync(deadline.Token);
        (MigrationStatus Status, SarkMessage? Unjournaled) read;
        try
        {
            // Npgsql does not give up opening a connection on cancellation (only at its own connect
            // timeout), so the check stops waiting by itself; the abandoned attempt closes its own connection.
            read = await reading.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            await deadline.CancelAsync().ConfigureAwait(false);
            _ = reading.ContinueWith(abandoned => abandoned.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return new HealthCheckResult(failure, $"the database did not answer within {timeout.TotalSeconds:0.#} s", data: data);
        }
        catch (Exception ex) when (ex is SarkException or NpgsqlException)
        {
            // A database error is translated like every operation's, so health writers see its kind
            // and message, not the server's raw exception. Messages name the server without its
            // password; anything else is masked too.
            var error = ex as SarkException ?? PostgresErrors.Translate((NpgsqlException)ex);
            return new HealthCheckResult(failure, SecretMasker.Redact(error.Message), error, data);
        }

        var status = read.Status;
        data["database_version"] = status.CurrentVersion;
        if ((JournalCheck.FindProblem(status, migrations) ?? read.Unjournaled) is { } problem)
        {
            // Not "degraded, migrations pending": the runner refuses to migrate such a database.
            return new HealthCheckResult(failure, problem.ToString(), data: data);
        }

        if (status.CurrentVersion < migrations.Head)
        {
            data["pending"] = migrations.Head - status.CurrentVersion;
            return HealthCheckResult.Degraded(
                $"the database is at schema version {status.CurrentVersion}, behind this binary's {migrations.Head}: {migrations.Head - status.CurrentVersion} migration(s) pending", data: data);
        }

        return HealthCheckResult.Healthy($"the database is at schema version {status.CurrentVersion}, as this binary expects", data);
    }

    /// <summary>
    /// The check's own time limit: a little under the registration's, so that it answers with its
    /// own result ("did not answer within …") before the health check service gives up on it and
    /// reports a bare timeout.
    /// </summary>
    internal static TimeSpan OwnTimeout(TimeSpan? registered)
    {
        var limit = registered is { } given && given > TimeSpan.Zero && given != Timeout.InfiniteTimeSpan ? given : DefaultTimeout;
        return limit - TimeSpan.FromMilliseconds(Math.Min(500, limit.TotalMilliseconds / 10));
    }

    private async Task<(MigrationStatus, SarkMessage?)> ReadStatusAsync(CancellationToken cancellationToken)
    {
        var connection = await SarkDataSource.OpenPooledAsync(dataSource, cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        var status = await JournalCheck.ReadStatusAsync(connection, migrations, cancellationToken).ConfigureAwait(false);
        var unjournaled = status.CurrentVersion == 0
            ? await MigrationRunner.FindUnjournaledObjectsAsync(connection, cancellationToken).ConfigureAwait(false)
            : null;
        return (status, unjournaled);
    }
}
