namespace Sark.Cli.Tests.Docs;

/// <summary>The extraction convention of <see cref="DocCommands"/>, on hand-written blocks.</summary>
public sealed class DocCommandsConventionTests
{
    private static List<DocCommand> Read(string language, params string[] lines) =>
        [.. DocCommands.Read(new CodeBlock("test.md", language, [.. lines.Select((t, i) => new DocLine("test.md", i + 1, t))]))];

    [Fact]
    public void Placeholders_become_one_or_a_url_after_database_and_an_ellipsis_is_dropped()
    {
        var command = Assert.Single(Read("", "$ sark db status --database \"$V1_URL\" --to <version> …"));
        Assert.Equal(["db", "status", "--database", DocCommands.DatabasePlaceholderValue, "--to", "1"], command.Arguments);
        Assert.True(command.HasPlaceholders);
    }

    [Fact]
    public void A_command_ends_at_a_pipe_a_redirection_or_a_comment()
    {
        var commands = Read("", "$ sark db script --from 7 --to 5 | grep -E '^(-- |BEGIN)' > out.sql   # a note", "output");
        var command = Assert.Single(commands);
        Assert.Equal(["db", "script", "--from", "7", "--to", "5"], command.Arguments);
        Assert.Equal("a note", command.Comment);
        Assert.Equal("output", Assert.Single(command.Output).Text);
    }

    [Fact]
    public void Shell_blocks_find_commands_after_case_labels_and_operators_but_not_wrapper_definitions()
    {
        var commands = Read("sh",
            "sark() { dotnet run --project src/Sark.Cli -- \"$@\"; }",
            "  3) sark db migrate --lock-wait 5min || exit 1 ;;",
            "true && dotnet run --project src/Sark.Cli -- quickstart 2> log");
        Assert.Equal([["db", "migrate", "--lock-wait", "5min"], ["quickstart"]], commands.Select(c => c.Arguments.ToArray()));
    }

    [Fact]
    public void A_line_with_optional_parts_is_a_synopsis_of_options()
    {
        var command = Assert.Single(Read("", "sark migrate-v1 (--dry-run | --execute [--batch-size N]) [--json FILE]"));
        Assert.True(command.IsSynopsis);
        Assert.Equal(["migrate-v1", "--dry-run", "--execute", "--batch-size", "--json"], command.Arguments);
    }

    [Fact]
    public void Output_lines_and_a_documented_exit_code_belong_to_the_command_above()
    {
        var command = Assert.Single(Read("", "$ sark db status", "sark: refused", "$ echo $?", "1"));
        Assert.Equal("sark: refused", Assert.Single(command.Output).Text);
        Assert.Equal(1, command.DocumentedExitCode);
    }

    [Fact]
    public void Prose_inside_plain_blocks_is_not_a_command()
    {
        Assert.Empty(Read("", "    Schema/   sark db adopt and sark db verify", "sark: an error line"));
        Assert.Empty(Read("sql", "SELECT 1; -- sark db migrate"));
    }
}
