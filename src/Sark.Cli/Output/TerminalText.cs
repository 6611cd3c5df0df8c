using System.Globalization;
using System.Text;

namespace Sark.Cli.Output;

/// <summary>
/// Makes text safe to print for a person: control characters become visible escapes, so a value
/// from the database (a v1 server name, a reason quoting one) cannot start a new report line, move
/// the cursor, recolour or retitle the terminal. Escaped: C0 and C1 controls and DEL (the ESC and
/// CSI of terminal sequences among them), the Unicode line and paragraph separators, every
/// invisible format character (Unicode category Cf: zero-width spaces and joiners, the byte order
/// mark, the bidirectional marks and overrides that make text display in another order than it
/// reads, the tag characters), lone surrogates, and the backslash itself, so a name holding the
/// text <c>\n</c> is shown as <c>\\n</c> and never looks like an escaped line break. Two names
/// that differ only by an invisible character therefore print differently. Everything else,
/// including any other non-ASCII text, passes unchanged; JSON output does not come here (its
/// encoder escapes control characters already and must stay byte for byte).
/// </summary>
internal static class TerminalText
{
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!NeedsAnyEscape(text))
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsSurrogatePair(text, i))
            {
                // A format character outside the BMP (a tag character) is one code point, shown as one.
                var codePoint = char.ConvertToUtf32(c, text[i + 1]);
                if (IsFormat(new Rune(codePoint)))
                {
                    escaped.Append(@"\U").Append(codePoint.ToString("x8", CultureInfo.InvariantCulture));
                }
                else
                {
                    escaped.Append(text.AsSpan(i, 2));
                }
                i++;
                continue;
            }

            escaped.Append(c switch
            {
                '\\' => @"\\",
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

    private static bool NeedsAnyEscape(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsSurrogatePair(text, i))
            {
                if (IsFormat(new Rune(text[i], text[i + 1])))
                {
                    return true;
                }

                i++;
            }
            else if (NeedsEscape(text[i]))
            {
                return true;
            }
        }

        return false;
    }

    // A surrogate reaching here is a lone one (pairs are handled by the callers): it cannot be shown.
    private static bool NeedsEscape(char c) =>
        c == '\\'
        || char.IsControl(c)
        || char.IsSurrogate(c)
        || c is '\u2028' or '\u2029'
        || char.GetUnicodeCategory(c) == UnicodeCategory.Format;

    private static bool IsFormat(Rune rune) => Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format;
}
