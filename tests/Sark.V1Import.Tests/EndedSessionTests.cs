using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Testing;

namespace Sark.V1Import.Tests;

/// <summary>
/// An import whose session is terminated between two batches (pg_terminate_backend, a failover)
/// reports the termination, and the next run resumes from the last committed batch.
/// </summary>
public sealed class EndedSessionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task An_import_whose_session_is_terminated_reports_the_termination_and_resumes_afterwards()
    {
        await using var scenario = await ImportScenario.CreateAsync();
        await scenario.SeedBasicAsync();
        using var resume = new ManualResetEventSlim();
        var paused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var progress = new SynchronousProgress(p =>
        {
            if (p.Phase == "servers" && paused.TrySetResult())
            {
                resume.Wait(Patience);
            }
        });
        var run = Task.Run(() => scenario.ExecuteAsync(batchSize: 1, progress));
        await paused.Task.WaitAsync(Patience);

        // The next batch writes resources: blocked there, it is terminated in the middle of its statement.
        await using (var blocker = await scenario.Database.OpenAsync())
        await using (await SessionTerminator.BlockTableAsync(blocker, "resources"))
        {
            resume.Set();
            await SessionTerminator.TerminateHolderAsync(scenario.Database, AdvisoryLock.V1Import);
        }

        // Translated by SQLSTATE like every database error the importer does not handle itself.
        var error = await Assert.ThrowsAsync<DatabaseException>(() => run.WaitAsync(Patience));

        Assert.Equal(SarkErrorKind.Interrupted, error.Kind);
        Assert.Equal(PostgresErrorCodes.AdminShutdown, error.SqlState);
        Assert.StartsWith("terminating connection", Assert.IsType<PostgresException>(error.InnerException).MessageText);
        var resumed = await scenario.ExecuteAsync();
        Assert.True(resumed.Resumed);
        Assert.Equal(3L, resumed.Tables["resources"].Inserted + resumed.Tables["resources"].Unchanged);
        Assert.True((await scenario.ValidateAsync()).Passed);
    }
}
