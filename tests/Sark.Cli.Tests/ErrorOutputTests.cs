namespace Sark.Cli.Tests;

/// <summary>One handler for every error: one line, the right exit code, no password, trace only with --verbose.</summary>
public sealed class ErrorOutputTests
{
    private const string Secret = "Sw0rdfish-9x";

    [Fact]
    public async Task An_unreachable_database_is_one_line_with_the_password_masked()
    {
        var result = await CliRunner.RunAsync("db", "status", "--database", $"postgresql://admin:{Secret}@127.0.0.1:1/sark");
        Assert.Equal(ExitCodes.CannotConnect, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("sark: cannot connect to postgresql://admin:***@127.0.0.1:1/sark", line);
        Assert.DoesNotContain(Secret, result.Error + result.Out);
    }

    [Fact]
    public async Task Verbose_adds_the_stack_trace_and_still_masks_the_password()
    {
        var result = await CliRunner.RunAsync("db", "status", "--verbose", "--database", $"Host=127.0.0.1;Port=1;Username=admin;Password={Secret};Database=sark");
        Assert.Equal(ExitCodes.CannotConnect, result.ExitCode);
        Assert.Contains("   at ", result.Error);
        Assert.DoesNotContain(Secret, result.Error + result.Out);
    }

    [Theory]
    [InlineData("postgresql://admin:" + Secret + "@host:99999/db", "port part")]
    [InlineData("postgresql://admin:" + Secret + "@host/db?colour=blue", "colour")]
    [InlineData("Host=h;Colour=blue;Password=" + Secret, "colour")]
    [InlineData("Host=h;Password=" + Secret + ";Colour=blue", "unknown keyword after its password")]
    [InlineData("mysql://admin:" + Secret + "@host/db", "mysql")]
    public async Task Bad_connection_strings_are_usage_errors_naming_the_problem(string value, string named)
    {
        var result = await CliRunner.RunAsync("db", "status", "--database", value);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains(named, line, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Secret, line);
    }

    [Fact]
    public async Task Unknown_commands_and_options_are_usage_errors()
    {
        var command = await CliRunner.RunAsync("db", "frobnicate");
        Assert.Equal(ExitCodes.Usage, command.ExitCode);
        Assert.Contains("frobnicate", Assert.Single(command.ErrorLines));

        var option = await CliRunner.RunAsync("db", "migrate", "--colour");
        Assert.Equal(ExitCodes.Usage, option.ExitCode);
        Assert.Contains("--colour", option.Error);
    }
}
