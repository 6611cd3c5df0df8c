using System.Text.Json;
using Spectre.Console;

namespace Sark.Cli.Output;

/// <summary>
/// Results go to stdout, progress and errors to stderr. On a terminal tables are drawn with
/// Spectre.Console; redirected output gets plain aligned columns that scripts can read. Every
/// human-readable line and table cell goes through <see cref="TerminalText.Escape"/> here, so no
/// command has to remember to escape database values; JSON goes out as its serializer wrote it.
/// </summary>
internal sealed class ConsoleOutput(TextWriter stdout, TextWriter stderr, bool isTerminal, bool verbose)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,

        // Output for people and scripts, not for embedding in HTML: keep quotes and non-ASCII readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    public bool Verbose { get; } = verbose;

    public void Line(string text) => Out.WriteLine(TerminalText.Escape(text));

    /// <summary>A progress line on stderr, so stdout stays clean for results.</summary>
    public void Progress(string text) => Error.WriteLine(TerminalText.Escape(text));

    public void Detail(string text)
    {
        if (Verbose)
        {
            Error.WriteLine(TerminalText.Escape(text));
        }
    }

    public void WriteJson<T>(T value) => Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        // Headers are this program's own words; cells can hold database values.
        var materialised = rows.Select(row => (IReadOnlyList<string>)row.Select(TerminalText.Escape).ToList()).ToList();
        if (isTerminal)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Out) });
            var table = new Table().Border(TableBorder.Rounded);
            foreach (var header in headers)
            {
                table.AddColumn(new TableColumn(Markup.Escape(header)));
            }

            foreach (var row in materialised)
            {
                table.AddRow(row.Select(cell => new Markup(Markup.Escape(cell))).ToArray());
            }

            console.Write(table);
            return;
        }

        var widths = headers.Select((h, i) => Math.Max(h.Length, materialised.Count == 0 ? 0 : materialised.Max(r => r[i].Length))).ToList();
        Out.WriteLine(FormatRow(headers, widths));
        foreach (var row in materialised)
        {
            Out.WriteLine(FormatRow(row, widths));
        }
    }

    private static string FormatRow(IReadOnlyList<string> cells, List<int> widths) =>
        string.Join("  ", cells.Select((c, i) => c.PadRight(widths[i]))).TrimEnd();
}
