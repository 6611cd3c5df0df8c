using Sark.Cli.Output;
using Sark.Data.Errors;

namespace Sark.Cli.Tests;

/// <summary>Control characters never reach a terminal raw: escaped where every human-readable line passes.</summary>
public sealed class TerminalTextTests
{
    [Theory]
    [InlineData("plain ✓ text", "plain ✓ text")]
    [InlineData("a\nb\r\tc", @"a\nb\r\tc")]
    [InlineData("\u001b[31mred\u001b]0;title\u0007", @"\e[31mred\e]0;title\x07")]
    [InlineData("del\u007f c1\u009b nul\0", @"del\x7f c1\x9b nul\x00")]
    [InlineData("line\u2028sep \u202egnp.exe", @"line\u2028sep \u202egnp.exe")]
    public void Control_characters_become_visible_escapes(string text, string shown) =>
        Assert.Equal(shown, TerminalText.Escape(text));

    [Fact]
    public void Lines_and_table_cells_are_escaped_and_json_is_left_as_serialized()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var output = new ConsoleOutput(stdout, stderr, isTerminal: false, verbose: true);

        output.Line("name: evil\nPASS  forged");
        output.Progress("progress \u001b[2J");
        output.Detail("detail \r");
        output.Table(["name"], [["cell\u001b[1m"]]);
        output.WriteJson(new { name = "evil\nPASS\u001b" });

        Assert.Equal(
            "name: evil\\nPASS  forged\nname\ncell\\e[1m\n{\n  \"name\": \"evil\\nPASS\\u001B\"\n}\n",
            stdout.ToString().ReplaceLineEndings("\n"));
        Assert.Equal("progress \\e[2J\ndetail \\r\n", stderr.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task An_error_message_quoting_input_stays_one_line_without_escape_sequences()
    {
        var result = await CliRunner.RunAsync("db", "frob\u001b]0;owned\u0007\nsark: all good");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains(@"frob\e]0;owned\x07\nsark: all good", line);
        Assert.DoesNotContain('\u001b', result.Error);
    }
}
