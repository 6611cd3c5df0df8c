using System.Text.RegularExpressions;

namespace Sark.Cli.Tests.Docs;

/// <summary>
/// docs/cli.md and the real command tree agree: every command has a section, every option (and
/// alias) of a command is named in its section, and every option cli.md lists exists.
/// </summary>
public sealed partial class CliReferenceTests
{
    private const string CliDoc = "docs/cli.md";
    private const string GlobalSection = "Global options";

    private static readonly IReadOnlyList<DocSection> Sections = MarkdownDoc.Get(CliDoc).Sections();

    /// <summary>"sark local start|stop|status|url" documents four commands; "sark db" one.</summary>
    private static IReadOnlyList<string> PathsOf(DocSection section)
    {
        if (!section.Title.StartsWith("sark ", StringComparison.Ordinal))
        {
            return section.Title == GlobalSection ? [""] : [];
        }

        var words = section.Title[5..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var stem = string.Join(' ', words[..^1]);
        return [.. words[^1].Split('|').Select(last => stem.Length == 0 ? last : $"{stem} {last}")];
    }

    /// <summary>The sections that document a command: its own, or else those of its subcommands.</summary>
    private static List<DocSection> SectionsOf(CliCommand command)
    {
        var own = Sections.Where(s => PathsOf(s).Contains(command.Path)).ToList();
        if (own.Count > 0 || command.Path.Length == 0)
        {
            return own;
        }

        return [.. Sections.Where(s => PathsOf(s).Any(p => p.StartsWith(command.Path + " ", StringComparison.Ordinal)))];
    }

    [Fact]
    public void Every_command_has_a_section_in_cli_md()
    {
        var missing = CommandTree.All
            .Where(c => c.Path.Length > 0 && SectionsOf(c).Count == 0)
            .Select(c => $"`sark {c.Path}` has no heading '## sark {c.Path}' (or a subcommand's) in {CliDoc}")
            .ToList();
        Assert.True(missing.Count == 0, string.Join('\n', missing));
    }

    [Fact]
    public void Every_option_and_alias_of_every_command_is_named_in_its_section()
    {
        var failures = new List<string>();
        foreach (var command in CommandTree.All)
        {
            var sections = SectionsOf(command);
            if (sections.Count == 0)
            {
                continue; // reported by Every_command_has_a_section_in_cli_md
            }

            var text = string.Join('\n', sections.SelectMany(s => s.Lines.Select(l => l.Text)));
            foreach (var name in command.Own.SelectMany(CommandTree.Names).Where(n => !Mentions(text, n)))
            {
                var where = sections[0].Heading.Where;
                var label = command.Path.Length == 0 ? $"global option {name}" : $"option {name} of `sark {command.Path}`";
                failures.Add($"{where} ({sections[0].Heading.Text}): {label} is not mentioned in this section");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} option(s) missing from {CliDoc}:\n" + string.Join('\n', failures));
    }

    [Fact]
    public void Every_option_cli_md_lists_exists()
    {
        var failures = new List<string>();
        // The global table lists the root's options and the recursive ones of db, local and quickstart.
        var recursive = CommandTree.All.SelectMany(c => c.Own.Where(o => o.Recursive || c.Path.Length == 0)).SelectMany(CommandTree.Names).ToHashSet(StringComparer.Ordinal);
        var anywhere = CommandTree.All.SelectMany(c => c.Own).SelectMany(CommandTree.Names).ToHashSet(StringComparer.Ordinal);
        foreach (var section in Sections)
        {
            var paths = PathsOf(section);
            if (paths.Count == 0)
            {
                continue;
            }

            // Options tables list what a command accepts: the first cell of each row.
            foreach (var line in section.OwnLines.Where(l => l.Text.StartsWith("| `-", StringComparison.Ordinal)))
            {
                var cell = line.Text.Split('|')[1];
                foreach (Match option in OptionToken().Matches(cell))
                {
                    var name = option.Value;
                    var known = section.Title == GlobalSection
                        ? recursive.Contains(name)
                        : paths.Select(CommandTree.Find).All(c => c is not null && c.AcceptedNames.Contains(name));
                    if (!known)
                    {
                        var owner = section.Title == GlobalSection ? "neither a root option nor one any command passes on to its subcommands" : $"not an option of `sark {string.Join("`, `sark ", paths)}`";
                        failures.Add($"{line.Where}: {name} is listed in '{section.Title}' but is {owner}");
                    }
                }
            }
        }

        // Any option named in backticks in prose must at least exist somewhere.
        foreach (var line in MarkdownDoc.Get(CliDoc).ProseLines)
        {
            foreach (Match code in InlineCode().Matches(line.Text))
            {
                var first = code.Groups[1].Value.Split(' ')[0];
                if (OptionToken().IsMatch(first) && OptionToken().Match(first).Value == first && !anywhere.Contains(first))
                {
                    failures.Add($"{line.Where}: `{first}` is not an option of any sark command");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} option(s) in {CliDoc} do not exist:\n" + string.Join('\n', failures));
    }

    private static bool Mentions(string text, string name) =>
        Regex.IsMatch(text, $@"(?<![\w-]){Regex.Escape(name)}(?![\w-])");

    [GeneratedRegex(@"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z?])(?![\w-])")]
    private static partial Regex OptionToken();

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex InlineCode();
}
