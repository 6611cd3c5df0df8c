using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Sark.Data.Connection;

/// <summary>
/// Keeps passwords out of everything SARK prints. Known passwords are registered when a
/// connection is configured and replaced wherever they appear; URL and keyword shapes are
/// masked by pattern as a second line of defence.
/// </summary>
public static partial class SecretMasker
{
    private const string Mask = "***";
    private static readonly ConcurrentDictionary<string, byte> KnownSecrets = new(StringComparer.Ordinal);

    public static void Register(string? secret)
    {
        // Very short secrets would mask ordinary words; they are still masked by pattern.
        if (!string.IsNullOrEmpty(secret) && secret.Length >= 3)
        {
            KnownSecrets.TryAdd(secret, 0);
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
        return KeywordPassword().Replace(text, m => $"{m.Groups["key"].Value}={Mask}");
    }

    // scheme://user:password@ — the password runs to the last '@' before the host.
    [GeneratedRegex(@"(?<prefix>\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^\s]*@", RegexOptions.IgnoreCase)]
    private static partial Regex UrlPassword();

    // Password=...; in keyword strings, quoted or not.
    [GeneratedRegex(@"(?<key>\b(?:password|pwd)\s*)=\s*(?:'[^']*'|""[^""]*""|[^;\s'""]*)", RegexOptions.IgnoreCase)]
    private static partial Regex KeywordPassword();
}
