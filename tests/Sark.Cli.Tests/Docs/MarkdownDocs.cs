namespace Sark.Cli.Tests.Docs;

/// <summary>One line of a doc, with where it is (for failure messages that name file:line).</summary>
public sealed record DocLine(string File, int Number, string Text)
{
    public string Where => $"{File}:{Number}";
}

/// <summary>A fenced code block (```lang … ```); <see cref="Language"/> is empty for a plain fence.</summary>
public sealed record CodeBlock(string File, string Language, IReadOnlyList<DocLine> Lines);

/// <summary>
/// A heading and the lines under it: <see cref="Lines"/> up to the next heading of the same or a
/// higher level (subsections included), <see cref="OwnLines"/> up to the next heading of any level.
/// </summary>
public sealed record DocSection(DocLine Heading, int Level, string Title, IReadOnlyList<DocLine> Lines, IReadOnlyList<DocLine> OwnLines);

/// <summary>README.md and docs/*.md of this repository, split into code blocks and sections.</summary>
public sealed class MarkdownDoc
{
    private MarkdownDoc(string relativePath, string[] lines)
    {
        RelativePath = relativePath;
        Lines = [.. lines.Select((text, i) => new DocLine(relativePath, i + 1, text))];
        InCode = new bool[Lines.Count];
        CodeBlocks = ReadCodeBlocks();
    }

    public string RelativePath { get; }

    public IReadOnlyList<DocLine> Lines { get; }

    public IReadOnlyList<CodeBlock> CodeBlocks { get; }

    /// <summary>True for lines inside a fenced block (and the fences): headings are not read there.</summary>
    private bool[] InCode { get; }

    /// <summary>The repository root: the folder holding Sark.slnx, found by walking up from the test binaries.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    // Declared after RepositoryRoot: static initialisers run in order, and Load needs the root.
    public static IReadOnlyList<MarkdownDoc> All { get; } = Load();

    public static MarkdownDoc Get(string relativePath) => All.Single(d => d.RelativePath == relativePath);

    /// <summary>Sections in document order; a section's lines include its subsections.</summary>
    public IReadOnlyList<DocSection> Sections()
    {
        var headings = new List<(int Index, int Level, string Title)>();
        for (var i = 0; i < Lines.Count; i++)
        {
            var text = Lines[i].Text;
            if (InCode[i] || !text.StartsWith('#'))
            {
                continue;
            }

            var level = text.TakeWhile(c => c == '#').Count();
            if (level < text.Length && text[level] == ' ')
            {
                headings.Add((i, level, text[(level + 1)..].Trim()));
            }
        }

        var sections = new List<DocSection>();
        for (var h = 0; h < headings.Count; h++)
        {
            var (index, level, title) = headings[h];
            var end = headings.Skip(h + 1).FirstOrDefault(n => n.Level <= level).Index;
            if (end == 0)
            {
                end = Lines.Count;
            }

            var ownEnd = h + 1 < headings.Count ? headings[h + 1].Index : Lines.Count;
            var body = Lines.Skip(index + 1).Take(end - index - 1).ToList();
            var own = Lines.Skip(index + 1).Take(ownEnd - index - 1).ToList();
            sections.Add(new DocSection(Lines[index], level, title, body, own));
        }

        return sections;
    }

    /// <summary>Lines outside code blocks: the prose.</summary>
    public IEnumerable<DocLine> ProseLines => Lines.Where((_, i) => !InCode[i]);

    private List<CodeBlock> ReadCodeBlocks()
    {
        var blocks = new List<CodeBlock>();
        string? language = null;
        string fence = "";
        var body = new List<DocLine>();
        for (var i = 0; i < Lines.Count; i++)
        {
            var trimmed = Lines[i].Text.TrimStart();
            if (language is null && trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                fence = Lines[i].Text[..(Lines[i].Text.Length - trimmed.Length)] + "```";
                language = trimmed[3..].Trim();
                body = [];
                InCode[i] = true;
                continue;
            }

            if (language is not null)
            {
                InCode[i] = true;
                if (trimmed == "```")
                {
                    blocks.Add(new CodeBlock(RelativePath, language, body));
                    language = null;
                }
                else
                {
                    // Blocks inside list items are indented; the indent is not part of the line.
                    var indent = fence.Length - 3;
                    var text = Lines[i].Text;
                    var cut = Math.Min(indent, text.Length - text.TrimStart().Length);
                    body.Add(Lines[i] with { Text = text[cut..] });
                }
            }
        }

        if (language is not null)
        {
            throw new InvalidOperationException($"{RelativePath}: a code block opened with {fence} is never closed");
        }

        return blocks;
    }

    private static List<MarkdownDoc> Load()
    {
        var root = RepositoryRoot;
        var files = new[] { Path.Combine(root, "README.md") }
            .Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Order(StringComparer.Ordinal));
        return [.. files.Select(f => new MarkdownDoc(
            Path.GetRelativePath(root, f).Replace('\\', '/'),
            File.ReadAllText(f).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n')))];
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Sark.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Sark.slnx above {AppContext.BaseDirectory}: the docs tests read README.md and docs/ from the repository root");
    }
}
