using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Schema;
using Sark.Testing;

namespace Sark.V1Import.Tests;

/// <summary>
/// A real import against a real schema change. The import is paused between two of its batches
/// (the progress callback blocks the importer until the test lets it go), so "in the middle of an
/// import" is a fixed point, not a race; likewise a migration is paused after its last step, still
/// holding the lock.
/// </summary>
public sealed class SchemaLockTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    private static int Head => MigrationSet.Embedded.Head;

    // The version just before the import's bookkeeping tables exist: rolling back to it drops them.
    private static int BeforeImportTables =>
        MigrationSet.Embedded.Migrations.Single(m => m.Name == "v1_import").Version - 1;

    private static MigrationRunner Runner(ImportScenario scenario, TimeSpan lockWait) =>
        new(scenario.Database.DataSource, MigrationSet.Embedded, new MigrationRunnerOptions { LockWait = lockWait });

    /// <summary>An import paused after its first committed batch of servers.</summary>
    private sealed class PausedImport : IDisposable
    {
        private readonly ManualResetEventSlim resume = new();
        private readonly TaskCompletionSource paused = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public PausedImport(ImportScenario scenario)
        {
            var progress = new SynchronousProgress(p =>
            {
                if (p.Phase == "servers" && paused.TrySetResult())
                {
                    resume.Wait(Patience);
                }
            });
            Run = Task.Run(() => scenario.ExecuteAsync(batchSize: 1, progress));
        }

        public Task<ImportResult> Run { get; }

        public Task Paused => paused.Task.WaitAsync(Patience);

        public void Resume() => resume.Set();

        public void Dispose()
        {
            resume.Set();
            resume.Dispose();
        }
    }

    /// <summary>The backend holding the migration lock in <paramref name="mode"/> (ShareLock, ExclusiveLock); 0 when none.</summary>
    private static Task<int> HolderPidAsync(ImportScenario scenario, string mode) => scenario.Database.ScalarAsync<int>($"""
        SELECT coalesce(max(pid), 0) FROM pg_locks
        WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND classid = {AdvisoryLock.ClassKey} AND objid = 1 AND mode = '{mode}' AND granted
        """);

    [Fact]
    public async Task A_schema_rollback_in_the_middle_of_an_import_is_refused_naming_the_import()
    {
        await using var scenario = await ImportScenario.CreateAsync();
        await scenario.SeedBasicAsync();
        using var import = new PausedImport(scenario);
        await import.Paused;
        var importPid = await HolderPidAsync(scenario, "ShareLock");

        var refused = await Assert.ThrowsAsync<SarkException>(() =>
            Runner(scenario, TimeSpan.FromMilliseconds(500)).RollbackAsync(BeforeImportTables, allowDataLoss: true));
        // Other data jobs share the lock: a dry run still runs beside the paused import.
        var plan = await scenario.DryRunAsync();
        import.Resume();
        var result = await import.Run;

        Assert.StartsWith($"timed out after 0.5 s waiting for the migration lock held by pid {importPid} (", refused.Message);
        Assert.Contains("in shared mode", refused.Message);
        Assert.Equal(3L, plan.Tables[0].Count("insert") + plan.Tables[0].Count("unchanged"));
        Assert.Equal(3L, result.Tables["resources"].Inserted);
        Assert.Equal(4L, result.Tables["capabilities"].Inserted);
        Assert.Equal(Head, (await Runner(scenario, TimeSpan.Zero).GetStatusAsync()).CurrentVersion);
        Assert.True((await scenario.ValidateAsync()).Passed);
    }

    [Fact]
    public async Task A_schema_rollback_waits_for_the_import_and_runs_after_it()
    {
        await using var scenario = await ImportScenario.CreateAsync();
        await scenario.SeedBasicAsync();
        using var import = new PausedImport(scenario);
        await import.Paused;
        var importPid = await HolderPidAsync(scenario, "ShareLock");
        var waiting = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var runner = Runner(scenario, TimeSpan.FromMinutes(2));
        runner.Progress = new InlineProgress<MigrationProgress>(line => waiting.TrySetResult(line.ToString()));

        var rollback = runner.RollbackAsync(BeforeImportTables, allowDataLoss: true);
        var notice = await waiting.Task.WaitAsync(Patience);
        var stillThere = await scenario.Database.ScalarAsync<bool>("SELECT to_regclass('v1_import_provenance') IS NOT NULL");
        import.Resume();
        var result = await import.Run;
        var outcome = await rollback;

        Assert.StartsWith($"waiting up to 120 s for the migration lock, held by pid {importPid} (", notice);
        Assert.True(stillThere);
        Assert.Equal(3L, result.Tables["resources"].Inserted);
        Assert.Equal(4L, result.Tables["capabilities"].Inserted);
        Assert.Equal(BeforeImportTables, outcome.ToVersion);
        Assert.False(await scenario.Database.ScalarAsync<bool>("SELECT to_regclass('v1_import_provenance') IS NOT NULL"));
    }

    [Fact]
    public async Task An_import_while_a_migration_holds_the_lock_is_refused_and_runs_after_it()
    {
        await using var scenario = await ImportScenario.CreateAsync();
        await scenario.SeedBasicAsync();
        await Runner(scenario, TimeSpan.Zero).RollbackAsync(BeforeImportTables, allowDataLoss: true);
        using var resume = new ManualResetEventSlim();
        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runner = Runner(scenario, TimeSpan.Zero);
        // Progress hears each step while the runner still holds the lock.
        runner.Progress = new InlineProgress<MigrationProgress>(line =>
        {
            if (line.ToString().StartsWith("applied ", StringComparison.Ordinal) && applied.TrySetResult())
            {
                resume.Wait(Patience);
            }
        });
        var migrate = Task.Run(() => runner.MigrateAsync());
        await applied.Task.WaitAsync(Patience);
        var migratorPid = await HolderPidAsync(scenario, "ExclusiveLock");

        var refused = await Assert.ThrowsAsync<SarkException>(() =>
            new Importer(scenario.Database.DataSource, new ImportOptions { LockWait = TimeSpan.FromMilliseconds(300) }).ExecuteAsync());
        var validateRefused = await Assert.ThrowsAsync<SarkException>(() =>
            new Validator(scenario.Database.DataSource, new ImportOptions { LockWait = TimeSpan.FromMilliseconds(300) }).ValidateAsync());
        resume.Set();
        await migrate;
        var result = await scenario.ExecuteAsync();

        Assert.StartsWith($"timed out after 0.3 s waiting for the migration lock held by pid {migratorPid} (", refused.Message);
        Assert.DoesNotContain("shared mode", refused.Message);
        Assert.StartsWith($"timed out after 0.3 s waiting for the migration lock held by pid {migratorPid} (", validateRefused.Message);
        Assert.Equal(3L, result.Tables["resources"].Inserted);
    }
}
