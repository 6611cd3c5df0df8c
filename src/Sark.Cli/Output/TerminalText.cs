using System.Globalization;
using System.Text;

namespace Sark.Cli.Output;

/// <summary>
/// Makes text safe to print for a person: control characters become visible escapes, so a value
/// from the database (a v1 server name, a reason quoting one) cannot start a new report line, move
/// the cursor, recolour or retitle the terminal. Escaped: C0 and C1 controls and DEL (the ESC and
/// CSI of terminal sequences among them), the Unicode line and paragraph separators, and the
/// bidirectional overrides that make text display in another order than it reads. Everything
/// else, including any other non-ASCII text, passes unchanged; JSON output does not come here
/// (its encoder escapes control characters already and must stay byte for byte).
/// </summary>
internal static class TerminalText
{
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Any(NeedsEscape))
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '\n' => @"\n",
                '\r' => @"\r",
                '\t' => @"\t",
                '\u001b' => @"\e",
                _ when !NeedsEscape(c) => c.ToString(),
                _ when c <= '\u00ff' => @"\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture),
                _ => @"\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
            });
        }

        return escaped.ToString();
    }

    /// <summary>Multi-line text (a stack trace): its line breaks are kept, everything else escaped.</summary>
    public static string EscapeLines(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return string.Join(Environment.NewLine, text.Split('\n').Select(line => Escape(line.TrimEnd('\r'))));
    }

    private static bool NeedsEscape(char c) =>
        char.IsControl(c)
        || c is '\u2028' or '\u2029'
        || c is '\u200e' or '\u200f' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069');
}
