using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Maintenance;

namespace Sark.Data.Tests.Maintenance;

public sealed class MaintenanceJobTests : MaintenanceTestDatabase
{
    [Fact]
    public async Task Six_maintainers_at_once_do_the_work_exactly_once()
    {
        var options = new MaintenanceOptions { MonthsAhead = 12 };

        var reports = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => Job(options).RunAsync())));

        // cost_tracking: this month and the next exist (007); audit_events: the legacy partition covers them.
        Assert.Equal(22, reports.Sum(r => r.Actions.Count(a => a.Kind == MaintenanceActionKinds.PartitionCreated)));
        Assert.All(reports, r => Assert.False(r.HasFailures));
        Assert.Contains(reports, r => r.Actions.Count(a => a.Step != "rollups") == 22);

        // The rollups too are recomputed by the one maintainer that ran.
        Assert.Single(reports.SelectMany(r => r.Actions), a => a.Kind == MaintenanceActionKinds.RollupsRefreshed);
        Assert.All(reports.Where(r => r.Actions.Count == 0), r => Assert.True(r.SkippedBecause is not null || r.Actions.Count == 0));
        Assert.Equal(13 + 1, (await PartitionsAsync("cost_tracking")).Split(',').Length);
        Assert.Equal(11 + 2, (await PartitionsAsync("audit_events")).Split(',').Length);
    }

    [Fact]
    public async Task A_run_while_another_maintainer_holds_the_lock_does_nothing_and_says_who()
    {
        await using var other = await Database.OpenAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock($1, $2)", other))
        {
            take.Parameters.AddWithValue(AdvisoryLock.ClassKey);
            take.Parameters.AddWithValue(MaintenanceJob.Lock.ObjectKey);
            await take.ExecuteScalarAsync();
        }

        var pid = other.ProcessID;

        var skipped = await Job(new MaintenanceOptions { MonthsAhead = 6 }).RunAsync();

        Assert.Empty(skipped.Actions);
        Assert.False(skipped.HasFailures);
        Assert.StartsWith($"another maintainer is running (pid {pid}, application_name '", skipped.SkippedBecause, StringComparison.Ordinal);
        Assert.False(await ExistsAsync(Month("cost_tracking", CurrentMonth.AddMonths(6))));

        await using (var release = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", other))
        {
            await release.ExecuteNonQueryAsync();
        }

        var ran = await Job(new MaintenanceOptions { MonthsAhead = 6 }).RunAsync();
        Assert.Null(ran.SkippedBecause);
        Assert.True(await ExistsAsync(Month("cost_tracking", CurrentMonth.AddMonths(6))));
    }

    [Fact]
    public async Task A_failing_step_is_reported_and_the_steps_after_it_still_run()
    {
        var failing = new MaintenanceStep("broken", (_, _) => throw new InvalidOperationException("the step broke"));
        var report = await Job(new MaintenanceOptions { MonthsAhead = 2 }, failing, MaintenanceSteps.Partitions).RunAsync();

        Assert.True(report.HasFailures);
        Assert.Equal("broken: failed: the step broke", report.Actions[0].Message);
        Assert.Equal(MaintenanceActionKinds.Failed, report.Actions[0].Kind);
        Assert.True(await ExistsAsync(Month("cost_tracking", CurrentMonth.AddMonths(2))));
        // The connection went back clean: a later run works.
        Assert.False((await Job(new MaintenanceOptions { MonthsAhead = 2 }, MaintenanceSteps.Partitions).RunAsync()).HasFailures);
    }

    [Fact]
    public async Task Old_federation_request_counters_are_cleaned_and_reported()
    {
        await Database.ExecuteAsync("""
            INSERT INTO federation_nodes (node_id, name, endpoint, trust_anchor_cert, cert_fingerprint_sha256)
            VALUES ('maint-node', 'n', 'https://n.example.org', 'PEM', repeat('a', 64));
            INSERT INTO federation_request_counts (node_id, hour_start, requests)
            VALUES ('maint-node', date_trunc('hour', now(), 'UTC') - interval '3 days', 5),
                   ('maint-node', date_trunc('hour', now(), 'UTC') - interval '2 days', 5),
                   ('maint-node', date_trunc('hour', now(), 'UTC'), 5);
            """);

        var report = await Job(new MaintenanceOptions { MonthsAhead = 1 }).RunAsync();

        var cleaned = Assert.Single(report.Actions, a => a.Step == "request-counters");
        Assert.Equal((MaintenanceActionKinds.RowsDeleted, 2L), (cleaned.Kind, cleaned.Rows!.Value));
        Assert.Equal(1L, await CountAsync("federation_request_counts"));
    }

    [Theory]
    [InlineData("months", "MonthsAhead is -1; expected a number of months from 0 to 120")]
    [InlineData("cost", "CostRetention is 00:00:00; expected from 1.00:00:00 to 36500.00:00:00")]
    [InlineData("audit", "AuditRetention is 36501.00:00:00; expected from 1.00:00:00")]
    [InlineData("lock", "LockTimeout is 00:00:00; expected whole milliseconds above 0")]
    [InlineData("interval", "Interval is 00:00:00.5000000; expected from 00:00:01")]
    public void Bad_options_are_refused_naming_the_setting_and_its_value(string which, string says)
    {
        var options = which switch
        {
            "months" => new MaintenanceOptions { MonthsAhead = -1 },
            "cost" => new MaintenanceOptions { CostRetention = TimeSpan.Zero },
            "audit" => new MaintenanceOptions { AuditRetention = TimeSpan.FromDays(36501) },
            "lock" => new MaintenanceOptions { LockTimeout = TimeSpan.Zero },
            _ => new MaintenanceOptions { Interval = TimeSpan.FromMilliseconds(500) },
        };

        var error = Assert.Throws<UsageException>(() => Job(options));

        Assert.Contains(says, error.Message, StringComparison.Ordinal);
        Assert.Equal(SarkErrorKind.Usage, error.Kind);
    }

    [Fact]
    public void Steps_must_have_names_of_their_own_and_a_data_source_is_required()
    {
        Assert.Throws<UsageException>(() => Job(null, MaintenanceSteps.Partitions, MaintenanceSteps.Partitions));
        Assert.Throws<ArgumentNullException>(() => new MaintenanceJob(null!, null, [MaintenanceSteps.Partitions]));
        Assert.Throws<ArgumentNullException>(() => new MaintenanceJob(Database.DataSource, null, null!));
    }
}
