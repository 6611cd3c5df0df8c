using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Sark.Data.Schema;
using Sark.Testing;

namespace Sark.Data.Tests.Hosting;

/// <summary>
/// A host as a SARK component writes it: a plain ServiceCollection, AddSark, and the runner and
/// data source resolved from the container, against a real database.
/// </summary>
public sealed class AddSarkTests : EmptyDatabaseTest
{
    // The test cluster names an application in its connection string, which would win over the option.
    private string ConnectionStringWithoutApplicationName =>
        new NpgsqlConnectionStringBuilder(Database.ConnectionString) { ApplicationName = null }.ConnectionString;

    /// <summary>Builds the container and checks the options as a host's start does.</summary>
    internal static ServiceProvider Start(IServiceCollection services)
    {
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        provider.GetRequiredService<IStartupValidator>().Validate();
        return provider;
    }

    [Fact]
    public async Task A_host_configured_in_code_resolves_the_runner_and_migrates_a_fresh_database_to_head()
    {
        await using var provider = Start(new ServiceCollection().AddSark(o => o.ConnectionString = Database.ConnectionString));

        var outcome = await provider.GetRequiredService<MigrationRunner>().MigrateAsync();
        var status = await provider.GetRequiredService<MigrationRunner>().GetStatusAsync();

        Assert.Equal(0, outcome.FromVersion);
        Assert.Equal(MigrationSet.Embedded.Head, outcome.ToVersion);
        Assert.Equal(MigrationSet.Embedded.Head, status.CurrentVersion);
        Assert.False(status.HasPending);
        Assert.Equal(MigrationSet.Embedded.Head, await Database.ScalarAsync<int>("SELECT max(version) FROM sark_migrations"));
    }

    [Fact]
    public async Task A_host_bound_to_a_Sark_configuration_section_gets_its_pool_timeouts_and_application_name()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sark:ConnectionString"] = ConnectionStringWithoutApplicationName,
            ["Sark:ApplicationName"] = "sark registry",
            ["Sark:MaxPoolSize"] = "7",
            ["Sark:CommandTimeout"] = "00:00:45",
            ["Sark:Migrations:LockWait"] = "00:00:05",
            ["Sark:Migrations:StatementTimeout"] = "00:10:00",
        }).Build();
        await using var provider = Start(new ServiceCollection().AddSark(configuration));

        var runner = provider.GetRequiredService<MigrationRunner>();
        var outcome = await runner.MigrateAsync(3);
        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var name = new NpgsqlCommand("SELECT current_setting('application_name')", connection);

        Assert.Equal(3, outcome.ToVersion);
        Assert.Equal(TimeSpan.FromSeconds(5), runner.Options.LockWait);
        Assert.Equal(TimeSpan.FromMinutes(10), runner.Options.StatementTimeout);
        Assert.Equal(new MigrationRunnerOptions().LockTimeout, runner.Options.LockTimeout);
        Assert.Equal("sark registry", await name.ExecuteScalarAsync());
        var effective = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Assert.Equal(7, effective.MaxPoolSize);
        Assert.Equal(45, effective.CommandTimeout);
    }

    [Fact]
    public async Task The_connection_strings_own_application_name_wins_over_the_option()
    {
        var withName = new NpgsqlConnectionStringBuilder(Database.ConnectionString) { ApplicationName = "named in the string" }.ConnectionString;
        await using var provider = Start(new ServiceCollection().AddSark(o =>
        {
            o.ConnectionString = withName;
            o.ApplicationName = "named in code";
        }));

        await using var connection = await provider.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        await using var name = new NpgsqlCommand("SELECT current_setting('application_name')", connection);

        Assert.Equal("named in the string", await name.ExecuteScalarAsync());
    }

    [Fact]
    public async Task AddSark_twice_registers_one_data_source_and_the_later_settings_win()
    {
        var services = new ServiceCollection()
            .AddSark(o => o.ConnectionString = ConnectionStringWithoutApplicationName)
            .AddSark(o => o.ApplicationName = "sark second call");
        await using var provider = Start(services);

        var first = provider.GetRequiredService<NpgsqlDataSource>();
        var second = provider.GetRequiredService<NpgsqlDataSource>();
        await using var connection = await first.OpenConnectionAsync();
        await using var name = new NpgsqlCommand("SELECT current_setting('application_name')", connection);

        Assert.Single(services, d => d.ServiceType == typeof(NpgsqlDataSource));
        Assert.Single(services, d => d.ServiceType == typeof(MigrationRunner));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<SarkOptions>));
        Assert.Same(first, second);
        Assert.Single(provider.GetServices<NpgsqlDataSource>());
        Assert.Equal("sark second call", await name.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Runners_are_resolved_afresh_so_one_callers_progress_is_not_anothers()
    {
        await using var provider = Start(new ServiceCollection().AddSark(o => o.ConnectionString = Database.ConnectionString));

        var one = provider.GetRequiredService<MigrationRunner>();
        one.Progress = new InlineProgress<MigrationProgress>(_ => { });
        var other = provider.GetRequiredService<MigrationRunner>();

        Assert.NotSame(one, other);
        Assert.Null(other.Progress);
        Assert.Same(provider.GetRequiredService<MigrationSet>(), MigrationSet.Embedded);
        Assert.NotNull(provider.GetRequiredService<SchemaVerifier>());
    }

    [Fact]
    public async Task The_container_disposes_its_data_source_with_itself()
    {
        NpgsqlDataSource dataSource;
        await using (var provider = Start(new ServiceCollection().AddSark(o => o.ConnectionString = Database.ConnectionString)))
        {
            dataSource = provider.GetRequiredService<NpgsqlDataSource>();
            await using var connection = await dataSource.OpenConnectionAsync();
        }

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await dataSource.OpenConnectionAsync());
    }
}
