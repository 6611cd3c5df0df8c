using Sark.Cli.Output;

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

    // A backslash is escaped too, or the text "\n" would print exactly like an escaped line break.
    [Theory]
    [InlineData(@"a\nb", @"a\\nb")]
    [InlineData(@"\e]0;title", @"\\e]0;title")]
    [InlineData("real\nfake\\n", @"real\nfake\\n")]
    [InlineData(@"C:\dir\", @"C:\\dir\\")]
    public void A_backslash_is_shown_doubled_so_text_never_imitates_an_escape(string text, string shown) =>
        Assert.Equal(shown, TerminalText.Escape(text));

    // Every invisible format character (Unicode category Cf) is shown, so two names that differ only
    // by one never print the same.
    [Theory]
    [InlineData("d\u200bup", @"d\u200bup")]
    [InlineData("d\u2060up", @"d\u2060up")]
    [InlineData("\ufeffdup", @"\ufeffdup")]
    [InlineData("d\u061cup", @"d\u061cup")]
    [InlineData("d\u00adup", @"d\xadup")]
    [InlineData("d\u200dup\u2066", @"d\u200dup\u2066")]
    [InlineData("dup\U000E0041\U000E007F", @"dup\U000e0041\U000e007f")]
    public void Invisible_format_characters_become_visible_escapes(string text, string shown) =>
        Assert.Equal(shown, TerminalText.Escape(text));

    [Fact]
    public void Every_format_character_is_escaped_and_visible_text_is_not()
    {
        for (var c = 0; c <= 0xffff; c++)
        {
            if (c is >= 0xd800 and <= 0xdfff)
            {
                continue;
            }

            var text = ((char)c).ToString();
            var category = char.GetUnicodeCategory((char)c);
            var mustEscape = c == '\\' || category is System.Globalization.UnicodeCategory.Format
                or System.Globalization.UnicodeCategory.Control
                || c is 0x2028 or 0x2029;
            Assert.True(mustEscape == (TerminalText.Escape(text) != text), $"U+{c:X4} ({category})");
        }

        Assert.Equal("dup", TerminalText.Escape("dup"));
        Assert.Equal(@"lone\ud800", TerminalText.Escape("lone\ud800"));
        Assert.NotEqual(TerminalText.Escape("dup"), TerminalText.Escape("d\u200bup"));
        Assert.Equal("caf\u00e9 \ud83d\ude00 ✓", TerminalText.Escape("caf\u00e9 \ud83d\ude00 ✓"));
    }

    [Fact]
    public void Lines_and_table_cells_are_escaped_and_json_is_left_as_serialized()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var output = new ConsoleOutput(stdout, stderr, isTerminal: false, verbose: true);

        output.Line("name: evil\nPASS  forged \\n");
        output.Progress("progress \u001b[2J");
        output.Detail("detail \r");
        output.Table(["name"], [["cell\u001b[1m"]]);
        output.WriteJson(new { name = "evil\nPASS\u001b\\ d\u200bup" });

        Assert.Equal(
            "name: evil\\nPASS  forged \\\\n\nname\ncell\\e[1m\n{\n  \"name\": \"evil\\nPASS\\u001B\\\\ d\u200bup\"\n}\n",
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
