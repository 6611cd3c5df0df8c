using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Npgsql;

namespace Sark.Data.Connection;

/// <summary>
/// Keeps passwords out of everything SARK prints. Known passwords are registered when a
/// connection is parsed and replaced wherever they appear; URL and keyword shapes are masked by
/// pattern as a second line of defence, for every password keyword Npgsql accepts.
/// </summary>
public static partial class SecretMasker
{
    private const string Mask = "***";
    private static readonly ConcurrentDictionary<string, byte> KnownSecrets = new(StringComparer.Ordinal);

    // Keyword=value for every secret keyword of Npgsql (Password, PSW, PWD, SSL Password …).
    // An unquoted value runs to ';' or the end of the line: Npgsql keeps inner spaces in it, so
    // stopping at a space would print the rest of a password such as "two words".
    private static readonly Regex KeywordSecret = new(
        $"""(?<key>\b(?:{string.Join('|', SecretKeywords.All.Select(Regex.Escape))})\s*)=\s*(?:'(?:[^']|'')*'|"(?:[^"]|"")*"|[^;\r\n]*)""",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
        TimeSpan.FromSeconds(1));

    /// <summary>
    /// Masks <paramref name="secret"/> wherever it appears in what <see cref="Redact"/> sees from now
    /// on. A secret shorter than three characters is left to the patterns.
    /// </summary>
    public static void Register(string? secret)
    {
        // Very short secrets would mask ordinary words; they are still masked by pattern.
        if (!string.IsNullOrEmpty(secret) && secret.Length >= 3)
        {
            KnownSecrets.TryAdd(secret, 0);
        }
    }

    /// <summary>Registers every secret a parsed connection holds (its password, its SSL key passphrase).</summary>
    internal static void RegisterSecretsOf(NpgsqlConnectionStringBuilder builder)
    {
        foreach (var secret in SecretKeywords.ValuesOf(builder))
        {
            Register(secret);
        }
    }

    /// <summary>Masks every registered secret and every password-shaped fragment in <paramref name="text"/>.</summary>
    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        foreach (var secret in KnownSecrets.Keys)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
            var encoded = Uri.EscapeDataString(secret);
            if (encoded != secret)
            {
                text = text.Replace(encoded, Mask, StringComparison.Ordinal);
            }
        }

        return MaskConnectionText(text);
    }

    internal static string MaskConnectionText(string text)
    {
        text = QuotedUrlPassword().Replace(text, m => $"{m.Groups["prefix"].Value}{Mask}@");
        text = UrlPassword().Replace(text, m => $"{m.Groups["prefix"].Value}{Mask}@");
        return KeywordSecret.Replace(text, m => $"{m.Groups["key"].Value}={Mask}{ClosingQuote(text, m)}");
    }

    // A keyword value runs to ';' or the end of the line, so in "argument 'Host=h;Psw=x'." the
    // quote and stop that close the message's quotation would be masked too. They are given back
    // when the line opened a quotation before the keyword and the value ends in a quote followed
    // by nothing but one stop: only such a tail is restored, never a letter or digit, so a
    // password holding a quote stays masked to its end.
    private static string ClosingQuote(string text, Match match)
    {
        var lineStart = text.LastIndexOfAny(['\r', '\n'], Math.Max(match.Index - 1, 0)) + 1;
        if (text.IndexOf('\'', lineStart, match.Index - lineStart) < 0)
        {
            return "";
        }

        var tail = QuotationEnd().Match(match.Value);
        return tail.Success ? tail.Value : "";
    }

    // scheme://user:password@ — the password runs to the last '@' before a blank, so one holding
    // an unencoded '/', '?', '#' or '@' is masked whole.
    [GeneratedRegex(@"(?<prefix>\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^\s]*@", RegexOptions.IgnoreCase)]
    private static partial Regex UrlPassword();

    // 'scheme://user:password@…' quoted in a message (an argument the parser did not take): the
    // quotation holds the whole argument, blanks included, so the password runs to the last '@'
    // of the line rather than stopping at a blank ("postgresql://u:two words@h").
    [GeneratedRegex(@"(?<prefix>'[a-z][a-z0-9+.-]*://[^:/@'\r\n]*:)[^\r\n]*@", RegexOptions.IgnoreCase)]
    private static partial Regex QuotedUrlPassword();

    [GeneratedRegex(@"'[.,:)]?\s*$")]
    private static partial Regex QuotationEnd();
}
