using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Sark.Data.Connection;

namespace Sark.Data.Tests.Hosting;

/// <summary>
/// Each setting of the "Sark" section, set wrong alone, stops the host at start-up with one line
/// naming the setting, its value and what was expected. No database is needed: nothing connects.
/// </summary>
public sealed class SarkOptionsValidationTests
{
    private const string Valid = "Host=localhost;Database=sark;Username=sark";

    private static OptionsValidationException StartFails(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var provider = new ServiceCollection().AddSark(configuration).BuildServiceProvider();
        return Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
    }

    [Theory]
    [InlineData("Sark:ConnectionString", null, "Sark:ConnectionString is not set; expected postgresql://user@host:port/db or 'Host=…;Database=…'")]
    [InlineData("Sark:ConnectionString", "  ", "Sark:ConnectionString is empty; expected postgresql://user@host:port/db")]
    [InlineData("Sark:ConnectionString", "Host=localhost;Databse=sark", "Sark:ConnectionString is not valid: connection string has unknown keyword 'databse'")]
    [InlineData("Sark:ApplicationName", "", "Sark:ApplicationName is empty; expected a name for pg_stat_activity, such as 'sark'")]
    [InlineData("Sark:ApplicationName", "a-name-longer-than-postgresql-keeps-for-an-application-name-wxyz", "Sark:ApplicationName is 64 bytes long in UTF-8; expected at most 63")]
    [InlineData("Sark:ApplicationName", "sark-registry-ééééééééééééééééééééééééééé", "Sark:ApplicationName is 68 bytes long in UTF-8; expected at most 63")]
    [InlineData("Sark:MaxPoolSize", "0", "Sark:MaxPoolSize is 0; expected a number from 1 to 1,024")]
    [InlineData("Sark:MaxPoolSize", "1025", "Sark:MaxPoolSize is 1025; expected a number from 1 to 1,024")]
    [InlineData("Sark:MinPoolSize", "-1", "Sark:MinPoolSize is -1; expected a number from 0 to Maximum Pool Size (100)")]
    [InlineData("Sark:MinPoolSize", "101", "Sark:MinPoolSize is 101; expected a number from 0 to Maximum Pool Size (100)")]
    [InlineData("Sark:CommandTimeout", "-00:00:01", "Sark:CommandTimeout is -00:00:01; expected whole seconds up to 1.00:00:00, such as 00:00:30, or 00:00:00 for no limit (a bare number is read as days)")]
    [InlineData("Sark:CommandTimeout", "00:00:01.5", "Sark:CommandTimeout is 00:00:01.5000000; expected whole seconds")]
    [InlineData("Sark:CommandTimeout", "30", "Sark:CommandTimeout is 30.00:00:00; expected whole seconds up to 1.00:00:00")]
    [InlineData("Sark:ConnectionString", "Host=localhost;Database=sark;Command Timeout=4294968", "'Command Timeout' in Sark:ConnectionString is 4294968 s; expected at most 86400 (a day), or 0 for no limit")]
    [InlineData("Sark:ConnectTimeout", "00:00:00", "Sark:ConnectTimeout is 00:00:00; expected whole seconds from 00:00:01 to 00:17:04, such as 00:00:15")]
    [InlineData("Sark:ConnectTimeout", "00:20:00", "Sark:ConnectTimeout is 00:20:00; expected whole seconds from 00:00:01 to 00:17:04")]
    [InlineData("Sark:Migrations:LockTimeout", "00:00:00", "Sark:Migrations:LockTimeout is 00:00:00; expected whole milliseconds from 00:00:00.001 to 24.20:31:23.6470000 (24.8 days)")]
    [InlineData("Sark:Migrations:StatementTimeout", "30.00:00:00", "Sark:Migrations:StatementTimeout is 30.00:00:00; expected whole milliseconds from 00:00:00.001")]
    [InlineData("Sark:Migrations:LockWait", "-00:00:01", "Sark:Migrations:LockWait is -00:00:01; expected 00:00:00 (do not wait) or more, such as 00:01:00")]
    [InlineData("Sark:Migrations:AppliedBy", " ", "Sark:Migrations:AppliedBy is empty; expected who applies migrations, such as user@host")]
    public void A_bad_setting_stops_the_start_naming_the_setting_and_what_was_expected(string key, string? value, string expected)
    {
        var error = StartFails(new() { ["Sark:ConnectionString"] = Valid, [key] = value });

        var failure = Assert.Single(error.Failures);
        Assert.StartsWith(expected, failure);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_minimum_pool_above_the_maximum_names_both_settings()
    {
        var error = StartFails(new() { ["Sark:ConnectionString"] = Valid, ["Sark:MinPoolSize"] = "10", ["Sark:MaxPoolSize"] = "5" });

        Assert.Equal("Sark:MinPoolSize is 10; expected a number from 0 to Sark:MaxPoolSize (5)", Assert.Single(error.Failures));
    }

    [Fact]
    public void A_minimum_pool_above_the_connection_strings_maximum_names_that_maximum()
    {
        var error = StartFails(new() { ["Sark:ConnectionString"] = Valid + ";Maximum Pool Size=4", ["Sark:MinPoolSize"] = "6" });

        Assert.Equal("Sark:MinPoolSize is 6; expected a number from 0 to Maximum Pool Size (4)", Assert.Single(error.Failures));
    }

    [Fact]
    public void A_bad_connection_string_is_named_without_repeating_its_password()
    {
        var error = StartFails(new() { ["Sark:ConnectionString"] = "mysql://sark:hunter2-not-shown@db.example/sark" });

        Assert.Equal("Sark:ConnectionString is not valid: connection URL has scheme 'mysql'; expected postgresql:// or postgres://", Assert.Single(error.Failures));
        Assert.DoesNotContain("hunter2-not-shown", error.Message);
    }

    [Fact]
    public void Every_bad_setting_is_listed_at_once()
    {
        var error = StartFails(new() { ["Sark:MaxPoolSize"] = "0", ["Sark:Migrations:LockWait"] = "-00:00:01" });

        Assert.Equal(3, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.StartsWith("Sark:ConnectionString is not set", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Sark:MaxPoolSize is 0", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Sark:Migrations:LockWait is -00:00:01", StringComparison.Ordinal));
    }

    [Fact]
    public void A_misspelt_key_in_the_section_stops_the_start_instead_of_being_ignored()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sark:ConnectionString"] = Valid,
            ["Sark:MaxPoolSzie"] = "5",
        }).Build();
        var provider = new ServiceCollection().AddSark(configuration).BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("'MaxPoolSzie'", error.Message);
    }

    [Fact]
    public void A_value_of_the_wrong_type_names_its_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sark:ConnectionString"] = Valid,
            ["Sark:MaxPoolSize"] = "lots",
        }).Build();
        var provider = new ServiceCollection().AddSark(configuration).BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("'Sark:MaxPoolSize'", error.Message);
    }

    [Fact]
    public void A_host_that_skips_start_up_validation_still_gets_no_data_source_from_bad_options()
    {
        var provider = new ServiceCollection().AddSark(o => o.ConnectionString = null).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<NpgsqlDataSource>());

        Assert.StartsWith("Sark:ConnectionString is not set", Assert.Single(error.Failures));
    }

    [Fact]
    public void Creating_a_data_source_directly_checks_the_same_rules()
    {
        var error = Assert.Throws<OptionsValidationException>(() => SarkDataSource.Create(new SarkOptions { ConnectionString = Valid, MaxPoolSize = 0 }));

        Assert.Equal("Sark:MaxPoolSize is 0; expected a number from 1 to 1,024", Assert.Single(error.Failures));
    }

    [Fact]
    public void Valid_options_start()
    {
        var provider = new ServiceCollection().AddSark(o =>
        {
            o.ConnectionString = Valid;
            o.MinPoolSize = 2;
            o.MaxPoolSize = 10;
            o.CommandTimeout = TimeSpan.Zero;
            o.ConnectTimeout = TimeSpan.FromSeconds(5);
        }).BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        var effective = new NpgsqlConnectionStringBuilder(provider.GetRequiredService<NpgsqlDataSource>().ConnectionString);

        Assert.Equal((2, 10, 0, 5), (effective.MinPoolSize, effective.MaxPoolSize, effective.CommandTimeout, effective.Timeout));
    }
}
