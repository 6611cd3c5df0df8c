using System.CommandLine;

namespace Sark.Cli.Tests.Docs;

/// <summary>One command of the real sark tree with its path ("db migrate") and the options it accepts.</summary>
public sealed record CliCommand(string Path, Command Command, IReadOnlyList<Option> Inherited)
{
    /// <summary>Options declared on this command itself.</summary>
    public IEnumerable<Option> Own => Command.Options.Where(o => !o.Hidden);

    /// <summary>Every name and alias the parser accepts here (own and inherited recursive options).</summary>
    public IReadOnlySet<string> AcceptedNames =>
        Own.Concat(Inherited).SelectMany(CommandTree.Names).ToHashSet(StringComparer.Ordinal);
}

/// <summary>The command tree of <see cref="SarkCli.BuildRootCommand"/>, walked once.</summary>
public static class CommandTree
{
    public static RootCommand Root { get; } = SarkCli.BuildRootCommand();

    /// <summary>Every command, the root first (its path is "").</summary>
    public static IReadOnlyList<CliCommand> All { get; } = Walk(Root, "", []).ToList();

    public static CliCommand? Find(string path) => All.FirstOrDefault(c => c.Path == path);

    public static IEnumerable<string> Names(Option option) => option.Aliases.Prepend(option.Name).Distinct(StringComparer.Ordinal);

    /// <summary>
    /// The command a list of words selects: the longest prefix of words that names a command,
    /// e.g. ["db", "migrate", "--to", "3"] selects "db migrate".
    /// </summary>
    public static CliCommand SelectedBy(IEnumerable<string> words)
    {
        var path = "";
        foreach (var word in words)
        {
            var candidate = path.Length == 0 ? word : $"{path} {word}";
            if (Find(candidate) is null)
            {
                break;
            }

            path = candidate;
        }

        return Find(path)!;
    }

    private static IEnumerable<CliCommand> Walk(Command command, string path, IReadOnlyList<Option> inherited)
    {
        yield return new CliCommand(path, command, inherited);
        var passedOn = inherited.Concat(command.Options.Where(o => o.Recursive && !o.Hidden)).ToList();
        foreach (var sub in command.Subcommands.Where(s => !s.Hidden))
        {
            foreach (var child in Walk(sub, path.Length == 0 ? sub.Name : $"{path} {sub.Name}", passedOn))
            {
                yield return child;
            }
        }
    }
}
