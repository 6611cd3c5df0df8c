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

    public static void Register(string? secret)
    {
        // Very short secrets would mask ordinary words; they are still masked by pattern.
        if (!string.IsNullOrEmpty(secret) && secret.Length >= 3)
        {
            KnownSecrets.TryAdd(secret, 0);
        }
    }

    /// <summary>Registers every secret a parsed connection holds (its password, its SSL key passphrase).</summary>
    public static void RegisterSecretsOf(NpgsqlConnectionStringBuilder builder)
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
        text = UrlPassword().Replace(text, m => $"{m.Groups["prefix"].Value}{Mask}@");
        return KeywordSecret.Replace(text, m => $"{m.Groups["key"].Value}={Mask}");
    }

    // scheme://user:password@ — the password runs to the last '@' before a blank, so one holding
    // an unencoded '/', '?', '#' or '@' is masked whole.
    [GeneratedRegex(@"(?<prefix>\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^\s]*@", RegexOptions.IgnoreCase)]
    private static partial Regex UrlPassword();
}
