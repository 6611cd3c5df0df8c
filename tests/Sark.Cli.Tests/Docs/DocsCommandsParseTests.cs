namespace Sark.Cli.Tests.Docs;

/// <summary>
/// Every sark command shown in README.md and docs/*.md parses with the real command tree (no
/// unknown command or option), following the convention described on <see cref="DocCommands"/>.
/// </summary>
public sealed class DocsCommandsParseTests
{
    private const string UsageErrorSuffix = "(see 'sark --help')";

    [Fact]
    public void The_docs_show_sark_commands_in_every_page_that_should_have_them()
    {
        // Guards the extractor: if it found nothing, the parse check below would pass vacuously.
        var files = DocCommands.All.Select(c => c.Line.File).ToHashSet();
        Assert.Contains("README.md", files);
        Assert.Contains("docs/cli.md", files);
        Assert.Contains("docs/migrations.md", files);
        Assert.Contains("docs/runbook.md", files);
        Assert.True(DocCommands.All.Count(c => c.Line.File == "docs/cli.md") > 50, "fewer than 50 commands found in docs/cli.md");
    }

    [Fact]
    public void Every_sark_command_in_a_docs_code_block_parses()
    {
        var failures = new List<string>();
        foreach (var command in DocCommands.All)
        {
            var failure = command.IsSynopsis ? CheckSynopsis(command) : CheckCommand(command);
            if (failure is not null)
            {
                failures.Add($"{command.Line.Where}: {failure}\n    {command.Line.Text.Trim()}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} documented command(s) do not match the CLI:\n" + string.Join('\n', failures));
    }

    [Fact]
    public void An_unknown_command_or_option_is_reported_and_a_documented_parse_error_must_fail()
    {
        DocLine Line(string text) => new("test.md", 1, text);
        DocCommand Command(string[] args, params string[] output) =>
            new(Line("$ sark " + string.Join(' ', args)), args, IsSynopsis: false, HasPlaceholders: false, Comment: null, [.. output.Select(Line)]);
        DocCommand Synopsis(params string[] args) => new(Line("sark ..."), args, IsSynopsis: true, HasPlaceholders: false, Comment: null, []);

        Assert.Null(CheckCommand(Command(["db", "migrate", "--to", "1", "--lock-wait", "5min", "-v"])));
        Assert.Contains("--colour", CheckCommand(Command(["db", "migrate", "--colour"])));
        Assert.Contains("frobnicate", CheckCommand(Command(["db", "frobnicate"])));
        Assert.Null(CheckCommand(Command(["--json", "db", "status"], "sark: Unrecognized command or argument '--json'. (see 'sark --help')")));
        Assert.Contains("but it parses", CheckCommand(Command(["db", "status"], "sark: nope (see 'sark --help')")));
        Assert.Null(CheckSynopsis(Synopsis("db", "rollback", "--to", "--allow-data-loss", "--database")));
        Assert.Contains("--keep", CheckSynopsis(Synopsis("db", "migrate", "--keep")));
        Assert.Contains("unknown command", CheckSynopsis(Synopsis("db", "frobnicate")));
    }

    internal static string? CheckCommand(DocCommand command)
    {
        var parse = CommandTree.Root.Parse([.. command.Arguments]);
        var documentedAsParseError = command.Output.Any(l => l.Text.TrimEnd().EndsWith(UsageErrorSuffix, StringComparison.Ordinal));
        if (documentedAsParseError)
        {
            return parse.Errors.Count == 0 ? $"its output says it is refused by the parser (ends with {UsageErrorSuffix}), but it parses" : null;
        }

        return parse.Errors.Count == 0 ? null : string.Join("; ", parse.Errors.Select(e => e.Message));
    }

    internal static string? CheckSynopsis(DocCommand command)
    {
        var path = string.Join(' ', command.Arguments.TakeWhile(a => !a.StartsWith('-')));
        var target = CommandTree.Find(path);
        if (target is null)
        {
            return $"synopsis of unknown command 'sark {path}'";
        }

        var unknown = command.Arguments.Where(a => a.StartsWith('-') && !target.AcceptedNames.Contains(a)).ToList();
        return unknown.Count == 0 ? null : $"synopsis of 'sark {path}' shows option(s) it does not have: {string.Join(", ", unknown)}";
    }
}
