using Microsoft.Extensions.Logging;
using Npgsql;
using Sark.Data.Connection;
using Sark.Testing;

namespace Sark.V1Import.Tests;

/// <summary>What the importer logs: its run, each committed batch and each phase, by fixed ids, and never a row's contents.</summary>
public sealed class ImportLoggingTests : IDisposable
{
    private const string MetadataMarker = "metadata-value-never-logged-3381";

    private readonly LogCapture capture = new();

    public void Dispose() => capture.Dispose();

    [Fact]
    public async Task An_import_logs_its_start_batches_phases_and_end_without_any_metadata()
    {
        await using var scenario = await ImportScenario.CreateAsync();
        await scenario.SeedBasicAsync();
        await scenario.Rows.AddServerAsync(Ids.Server(4), "secrets", "stdio", "run", null, extraMetadata: $$"""{"api_key": "{{MetadataMarker}}"}""");

        var result = await new Importer(scenario.Database.DataSource, new ImportOptions { BatchSize = 2 }, capture.For<Importer>()).ExecuteAsync();

        var events = capture.Events;
        Assert.All(events, e => Assert.Equal(typeof(Importer).FullName, e.Category));
        var started = Assert.Single(events, e => e.EventId.Id == 2001);
        Assert.Equal(LogLevel.Information, started.Level);
        Assert.Equal($"Started v1 import run {result.RunId}: 8 v1 rows in batches of 2", started.Message);
        var batches = events.Where(e => e.EventId.Id == 2003).ToList();
        Assert.Equal(4, batches.Count);
        Assert.All(batches, b => Assert.Equal(LogLevel.Debug, b.Level));
        Assert.Equal(result.Tables["resources"].Inserted, batches.Where(b => Equals(b.Values.Single(v => v.Key == "Table").Value, "resources")).Sum(b => (long)b.Values.Single(v => v.Key == "Inserted").Value!));
        Assert.Equal(["cleanup", "servers", "tools"], events.Where(e => e.EventId.Id == 2005).Select(e => e.Values.Single(v => v.Key == "Phase").Value));
        var finished = Assert.Single(events, e => e.EventId.Id == 2006);
        Assert.Equal(result.Tables.Values.Sum(t => t.Inserted), finished.Values.Single(v => v.Key == "Inserted").Value);
        Assert.All(events, e => Assert.DoesNotContain(MetadataMarker, e.AllText, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_resumed_run_says_where_it_resumes()
    {
        await using var scenario = await ImportScenario.CreateAsync();
        await scenario.SeedBasicAsync();
        using var cancel = new CancellationTokenSource();
        var progress = new InlineProgress<ImportProgress>(p =>
        {
            if (p.Phase == "tools")
            {
                cancel.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new Importer(scenario.Database.DataSource, new ImportOptions { BatchSize = 2 }) { Progress = progress }.ExecuteAsync(cancel.Token));

        var result = await new Importer(scenario.Database.DataSource, new ImportOptions { BatchSize = 2 }, capture.For<Importer>()).ExecuteAsync();

        Assert.True(result.Resumed);
        var resumed = Assert.Single(capture.Events, e => e.EventId.Id == 2002);
        Assert.Equal("tools", resumed.Values.Single(v => v.Key == "Phase").Value);
        Assert.DoesNotContain(capture.Events, e => e.EventId.Id == 2001);
    }

    [Fact]
    public async Task A_wait_for_another_runs_import_lock_is_logged_with_its_holder()
    {
        await using var scenario = await ImportScenario.CreateAsync();
        await scenario.SeedBasicAsync();
        var holder = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(scenario.Database.ConnectionString) { ApplicationName = "other-import-9", Pooling = false }.ConnectionString);
        await holder.OpenAsync();
        await AdvisoryLock.AcquireAsync(holder, AdvisoryLock.V1Import, TimeSpan.Zero, CancellationToken.None);

        var import = new Importer(scenario.Database.DataSource, new ImportOptions { LockWait = TimeSpan.FromMinutes(1) }, capture.For<Importer>()).ExecuteAsync();
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!capture.Events.Any(e => e.EventId.Id == 2007) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await holder.DisposeAsync();
        await import;

        var waiting = Assert.Single(capture.Events, e => e.EventId.Id == 2007);
        Assert.Equal("other-import-9", waiting.Values.Single(v => v.Key == "HolderApplicationName").Value);
        Assert.StartsWith("Waiting up to 60 s for the v1 import lock", waiting.Message);
    }
}
