using System.Text;

namespace Sark.Cli.Tests.Docs;

/// <summary>
/// A <c>sark</c> command shown in a docs code block. <see cref="Arguments"/> are the words after
/// <c>sark</c> with the placeholders already replaced (see <see cref="DocCommands"/>).
/// </summary>
public sealed record DocCommand(
    DocLine Line,
    IReadOnlyList<string> Arguments,
    bool IsSynopsis,
    bool HasPlaceholders,
    string? Comment,
    IReadOnlyList<DocLine> Output)
{
    /// <summary>The exit code a following <c>$ echo $?</c> shows, if any.</summary>
    public int? DocumentedExitCode { get; init; }

    public string Shown => string.Join(' ', Arguments);
}

/// <summary>
/// Finds the sark commands in the docs' code blocks. The convention, also written in
/// docs/cli.md's introduction:
/// <list type="bullet">
/// <item>Blocks fenced as plain ```, ```sh, ```bash, ```console or ```shell are read. A command is a
/// line starting with <c>sark </c>, <c>$ sark </c> or <c>dotnet run --project src/Sark.Cli -- </c>;
/// in sh/bash blocks also a command after <c>;</c>, <c>&amp;&amp;</c>, <c>||</c>, <c>|</c> or a case
/// label. The command ends at a pipe, a redirection, <c>;</c> or a <c>#</c> comment.</item>
/// <item>Placeholders stand for a value and are replaced with <c>1</c> (after <c>--database</c>, with
/// a well-formed URL): shell variables
/// (<c>$V1_URL</c>, <c>"$V1_URL"</c>) and <c>&lt;word&gt;</c>. A lone <c>…</c> or <c>...</c> stands
/// for "more arguments" and is dropped.</item>
/// <item>A line without a prompt that has <c>[optional]</c> or <c>(a | b)</c> parts is a synopsis:
/// its command path and each option in it must exist; it is not parsed as a whole.</item>
/// <item>After a <c>$ sark …</c> line, the lines up to the next <c>$ </c> are its output. An output
/// line ending in <c>(see 'sark --help')</c> documents a parse error: that command must fail to
/// parse. Every other command must parse.</item>
/// <item>A trailing <c># comment</c> on a command line describes a situation the docs check cannot
/// set up (another session holding a lock, a particular database): such examples are parsed but
/// never run.</item>
/// </list>
/// </summary>
public static class DocCommands
{
    private static readonly string[] Languages = ["", "sh", "bash", "console", "shell"];
    private static readonly string[] DotnetRunPrefix = ["dotnet", "run", "--project", "src/Sark.Cli", "--"];

    public const string PlaceholderValue = "1";

    /// <summary>What a placeholder after --database stands for: options are checked while parsing.</summary>
    public const string DatabasePlaceholderValue = "postgresql://sark@localhost/sark";

    // Option values are checked at parse time, so a placeholder must be a value its option accepts.
    private static string PlaceholderFor(string? option) =>
        option == "--database" ? DatabasePlaceholderValue : PlaceholderValue;

    public static IReadOnlyList<DocCommand> All { get; } = [.. MarkdownDoc.All.SelectMany(d => d.CodeBlocks).SelectMany(Read)];

    public static IEnumerable<DocCommand> Read(CodeBlock block)
    {
        if (!Languages.Contains(block.Language))
        {
            yield break;
        }

        var shell = block.Language is "sh" or "bash" or "shell";
        for (var i = 0; i < block.Lines.Count; i++)
        {
            var line = block.Lines[i];
            var prompted = line.Text.StartsWith("$ ", StringComparison.Ordinal);
            var text = prompted ? line.Text[2..] : line.Text;
            if (!shell && !prompted && !text.StartsWith("sark ", StringComparison.Ordinal) && text != "sark"
                && !text.StartsWith("dotnet run --project src/Sark.Cli -- ", StringComparison.Ordinal))
            {
                continue;
            }

            var output = prompted ? block.Lines.Skip(i + 1).TakeWhile(l => !l.Text.StartsWith("$ ", StringComparison.Ordinal)).ToList() : [];
            int? exitCode = null;
            var next = i + 1 + output.Count;
            if (next + 1 < block.Lines.Count && block.Lines[next].Text == "$ echo $?" && int.TryParse(block.Lines[next + 1].Text, out var code))
            {
                exitCode = code;
            }

            if (!prompted && !shell && (text.Contains('[', StringComparison.Ordinal) || text.Contains('(', StringComparison.Ordinal)))
            {
                yield return Synopsis(line, text);
                continue;
            }

            foreach (var command in Commands(line, text))
            {
                yield return command with { Output = output, DocumentedExitCode = exitCode };
            }
        }
    }

    private static DocCommand Synopsis(DocLine line, string text)
    {
        // Keep the words of the command path and every option name; values and brackets go.
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(w => w.Trim('[', ']', '(', ')'))
            .Where(w => w.Length > 0 && w != "|")
            .ToList();
        var path = words.TakeWhile(w => !w.StartsWith('-') && w.All(c => char.IsLower(c) || c == '-' || char.IsDigit(c)));
        var options = words.Where(w => w.StartsWith('-'));
        return new DocCommand(line, [.. path, .. options], IsSynopsis: true, HasPlaceholders: false, Comment: null, Output: []);
    }

    private static IEnumerable<DocCommand> Commands(DocLine line, string text)
    {
        var (tokens, comment) = Tokenize(text);
        var segment = new List<Token>();
        foreach (var token in tokens.Append(new Token(";", Quoted: false, Expands: false, IsOperator: true)))
        {
            if (!token.IsOperator)
            {
                segment.Add(token);
                continue;
            }

            var command = ToCommand(line, segment, comment);
            if (command is not null)
            {
                yield return command;
            }

            segment = [];
        }
    }

    private static DocCommand? ToCommand(DocLine line, List<Token> segment, string? comment)
    {
        var words = segment.ToList();
        if (words.Count > 0 && !words[0].Quoted && words[0].Text.EndsWith(')') && words[0].Text != ")")
        {
            words.RemoveAt(0); // a case label: 3) sark db migrate
        }

        int skip;
        if (words.Count > 0 && words[0].Text == "sark" && !words[0].Quoted)
        {
            skip = 1;
        }
        else if (words.Count >= DotnetRunPrefix.Length && words.Take(DotnetRunPrefix.Length).Select(w => w.Text).SequenceEqual(DotnetRunPrefix))
        {
            skip = DotnetRunPrefix.Length;
        }
        else
        {
            return null;
        }

        var rest = words.Skip(skip).ToList();
        if (rest.Any(w => w.Text == "$@"))
        {
            return null; // a wrapper definition: sark() { dotnet run --project src/Sark.Cli -- "$@"; }
        }

        var placeholders = false;
        var arguments = new List<string>();
        foreach (var word in rest)
        {
            if (!word.Quoted && word.Text is "…" or "...")
            {
                placeholders = true;
            }
            else if (word.Expands || (!word.Quoted && word.Text.StartsWith('<') && word.Text.EndsWith('>')))
            {
                placeholders = true;
                arguments.Add(PlaceholderFor(arguments.LastOrDefault()));
            }
            else
            {
                arguments.Add(word.Text);
            }
        }

        return new DocCommand(line, arguments, IsSynopsis: false, placeholders, comment, Output: []);
    }

    private sealed record Token(string Text, bool Quoted, bool Expands, bool IsOperator = false);

    /// <summary>Splits a shell line into words: quotes group, unquoted operators stand alone, # starts a comment.</summary>
    private static (List<Token> Tokens, string? Comment) Tokenize(string text)
    {
        var tokens = new List<Token>();
        var word = new StringBuilder();
        bool inWord = false, quoted = false, expands = false;
        void Flush()
        {
            if (inWord)
            {
                tokens.Add(new Token(word.ToString(), quoted, expands));
            }

            word.Clear();
            inWord = quoted = expands = false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '\'' or '"')
            {
                var close = text.IndexOf(c, i + 1);
                if (close < 0)
                {
                    close = text.Length;
                }

                var inner = text[(i + 1)..Math.Min(close, text.Length)];
                word.Append(inner);
                inWord = quoted = true;
                expands |= c == '"' && inner.Contains('$', StringComparison.Ordinal);
                i = close;
            }
            else if (char.IsWhiteSpace(c))
            {
                Flush();
            }
            else if (c == '<' && !inWord && text.IndexOf('>', i) is var end and > 0)
            {
                word.Append(text[i..(end + 1)]); // a <placeholder>, not a redirection
                inWord = true;
                i = end;
            }
            else if (c == '#' && !inWord)
            {
                Flush();
                return (tokens, text[(i + 1)..].Trim());
            }
            else if (c is '|' or ';' or '&' or '>')
            {
                var op = new StringBuilder();
                if (c == '>' && inWord && word.ToString() == "2")
                {
                    op.Append('2');
                    word.Clear();
                    inWord = false;
                }

                Flush();
                while (i < text.Length && text[i] is '|' or ';' or '&' or '>')
                {
                    op.Append(text[i++]);
                }

                i--;
                tokens.Add(new Token(op.ToString(), Quoted: false, Expands: false, IsOperator: true));
            }
            else
            {
                word.Append(c);
                inWord = true;
                expands |= c == '$';
            }
        }

        Flush();
        return (tokens, null);
    }
}
