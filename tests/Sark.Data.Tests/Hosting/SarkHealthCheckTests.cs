using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Sark.Data.Errors;
using Sark.Data.Schema;
using Sark.Testing;

namespace Sark.Data.Tests.Hosting;

/// <summary>
/// The health check as a host runs it (AddHealthChecks().AddSarkHealthCheck() and the framework's
/// HealthCheckService) against real databases: migrated, behind, newer, and not there at all.
/// </summary>
public sealed class SarkHealthCheckTests
{
    private static async Task<HealthReportEntry> CheckAsync(string connectionString, TimeSpan? timeout = null)
    {
        var services = new ServiceCollection().AddLogging().AddSark(o => o.ConnectionString = connectionString);
        services.AddHealthChecks().AddSarkHealthCheck(timeout: timeout);
        await using var provider = services.BuildServiceProvider();
        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return Assert.Single(report.Entries, e => e.Key == "sark").Value;
    }

    [Fact]
    public async Task A_database_at_the_binarys_version_is_healthy()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();

        var entry = await CheckAsync(database.ConnectionString);

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(MigrationSet.Embedded.Head, entry.Data["database_version"]);
        Assert.Equal(MigrationSet.Embedded.Head, entry.Data["binary_version"]);
    }

    [Fact]
    public async Task A_database_at_an_older_version_is_degraded_with_its_pending_migrations()
    {
        await using var database = await TestDatabase.CreateEmptyAsync();
        var older = MigrationSet.Embedded.Head - 2;
        await new MigrationRunner(database.DataSource, MigrationSet.Embedded).MigrateAsync(older);

        var entry = await CheckAsync(database.ConnectionString);

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal(older, entry.Data["database_version"]);
        Assert.Equal(MigrationSet.Embedded.Head, entry.Data["binary_version"]);
        Assert.Equal(2, entry.Data["pending"]);
        Assert.Contains("2 migration(s) pending", entry.Description);
    }

    [Fact]
    public async Task A_database_a_newer_binary_migrated_is_unhealthy()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        var newer = MigrationSet.Embedded.Head + 1;
        await database.ExecuteAsync($"INSERT INTO sark_migrations (version, name, checksum, applied_by, duration_ms) VALUES ({newer}, '{newer:D3}_from_the_future', 'x', 'test', 0)");

        var entry = await CheckAsync(database.ConnectionString);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal(newer, entry.Data["database_version"]);
        Assert.Contains("migrated by a newer sark", entry.Description);
    }

    [Fact]
    public async Task A_database_nobody_listens_for_is_unhealthy_at_once_without_showing_the_password()
    {
        // A port that was free a moment ago: connecting is refused at once.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var clock = Stopwatch.StartNew();

        var entry = await CheckAsync($"Host=127.0.0.1;Port={port};Username=sark;Password=hunter2-not-shown;Database=sark");

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.StartsWith($"cannot connect to postgresql://sark:***@127.0.0.1:{port}/sark", entry.Description);
        Assert.DoesNotContain("hunter2-not-shown", entry.Description);
        Assert.Equal(MigrationSet.Embedded.Head, entry.Data["binary_version"]);
        Assert.False(entry.Data.ContainsKey("database_version"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_missing_socket_directory_is_unhealthy()
    {
        var entry = await CheckAsync($"Host=/nonexistent-sark-socket-{Guid.NewGuid():N};Username=sark;Database=sark");

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.StartsWith("cannot connect to ", entry.Description);
    }

    [Fact]
    public async Task A_server_that_never_answers_is_unhealthy_with_the_checks_own_answer_before_the_service_gives_up()
    {
        // Accepts the connection and then says nothing, as a hung server or a black-holing proxy would.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var clock = Stopwatch.StartNew();

        // Through HealthCheckService, whose own timeout is the registration's: the check must answer
        // first. At 5 s it answers at 4.5 s: a margin a loaded machine does not eat (at 1 s, 0.1 s did).
        var entry = await CheckAsync($"Host=127.0.0.1;Port={port};Username=sark;Database=sark;Timeout=30", TimeSpan.FromSeconds(5));

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal("the database did not answer within 4.5 s", entry.Description);
        Assert.Equal(MigrationSet.Embedded.Head, entry.Data["binary_version"]);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_journal_the_role_may_not_read_is_unhealthy_with_the_translated_error()
    {
        await using var database = await TestDatabase.CreateMigratedAsync();
        await using var role = await LimitedRole.CreateAsync(database);

        var entry = await CheckAsync(role.DataSource.ConnectionString);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.StartsWith("permission denied for table sark_migrations (SQLSTATE 42501", entry.Description);
        Assert.Equal(SarkErrorKind.PermissionDenied, Assert.IsType<DatabaseException>(entry.Exception).Kind);
    }

    [Fact]
    public async Task A_database_with_tables_but_no_journal_is_unhealthy_not_degraded()
    {
        // An existing database (a SARK v1 one, say) that the runner refuses to migrate until it is adopted.
        await using var database = await TestDatabase.CreateEmptyAsync();
        await database.ExecuteAsync("CREATE TABLE users (id uuid PRIMARY KEY)");

        var entry = await CheckAsync(database.ConnectionString);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal(0, entry.Data["database_version"]);
        Assert.Contains("no journal for (users)", entry.Description);
    }

    [Fact]
    public async Task The_registrations_failure_status_is_what_an_unreachable_database_reports()
    {
        var services = new ServiceCollection().AddLogging().AddSark(o => o.ConnectionString = $"Host=/nonexistent-sark-socket-{Guid.NewGuid():N};Database=sark");
        services.AddHealthChecks().AddSarkHealthCheck(name: "sark-db", failureStatus: HealthStatus.Degraded, tags: ["ready"]);
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains("ready"));

        Assert.Equal(HealthStatus.Degraded, Assert.Single(report.Entries, e => e.Key == "sark-db").Value.Status);
    }
}
