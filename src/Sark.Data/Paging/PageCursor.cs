using System.Security.Cryptography;
using System.Text.Json;
using Sark.Data.Errors;

namespace Sark.Data.Paging;

/// <summary>
/// Opaque keyset cursors shared by every store's listings. A cursor holds the sort key of the last
/// row of a page and the scope it belongs to (the listing and its filters), base64url-encoded
/// with a checksum, so a cursor that was edited, truncated or taken from another listing or
/// other filters is refused with a usage error instead of silently starting somewhere else.
/// The checksum is not a signature: a cursor forged on purpose only picks where a page starts,
/// which the filters allow anyway.
/// </summary>
internal static class PageCursor
{
    /// <summary>The most items a page may ask for.</summary>
    public const int MaxPageSize = 1000;

    private const string Version = "1";

    /// <summary>A cursor for <paramref name="scope"/> continuing after the row with sort key <paramref name="keys"/>.</summary>
    public static string Encode(string scope, params string[] keys)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(keys);
        var payload = JsonSerializer.SerializeToUtf8Bytes(new[] { Version, scope }.Concat(keys).ToArray());
        return $"{Base64Url(payload)}.{Base64Url(Checksum(payload))}";
    }

    /// <summary>
    /// The sort key in <paramref name="cursor"/>, which must come from a page of
    /// <paramref name="scope"/> and hold <paramref name="keyCount"/> values; anything else is a
    /// <see cref="UsageException"/> naming <paramref name="optionName"/>.
    /// </summary>
    public static string[] Decode(string cursor, string scope, int keyCount, string optionName = "cursor")
    {
        ArgumentNullException.ThrowIfNull(cursor);
        ArgumentNullException.ThrowIfNull(scope);
        var parts = cursor.Split('.');
        string[]? values = null;
        if (parts.Length == 2 && FromBase64Url(parts[0]) is { } payload && FromBase64Url(parts[1]) is { } checksum
            && CryptographicOperations.FixedTimeEquals(checksum, Checksum(payload)))
        {
            try
            {
                values = JsonSerializer.Deserialize<string[]>(payload);
            }
            catch (JsonException)
            {
                values = null;
            }
        }

        // A key holding NUL was never stored (PostgreSQL text cannot hold it): the cursor was forged.
        var intact = values is { Length: >= 2 } && values[0] == Version && values.All(v => v is not null && !v.Contains('\0', StringComparison.Ordinal));
        if (intact && values![1] != scope)
        {
            // Checked before the key count: another listing's cursor has its own number of keys.
            throw new UsageException($"{optionName} '{Shorten(cursor)}' belongs to another listing or other filters; pass it with the filters of the page that returned it, or start again without a {optionName}");
        }

        if (!intact || values!.Length != keyCount + 2)
        {
            throw new UsageException($"{optionName} '{Shorten(cursor)}' is not a cursor a page returned (it was changed or cut short); list again without a {optionName} to start from the first page");
        }

        return values[2..];
    }

    /// <summary>Checks a page size: 1 to <see cref="MaxPageSize"/>.</summary>
    public static int CheckLimit(int limit, string optionName = "limit") =>
        limit is >= 1 and <= MaxPageSize ? limit
            : throw new UsageException($"{optionName} {limit} is out of range; expected a page size from 1 to {MaxPageSize}");

    // Cursors are long and may be pasted garbage: enough to recognise it, not a screenful.
    private static string Shorten(string cursor) => cursor.Length <= 40 ? cursor : $"{cursor[..37]}...";

    private static byte[] Checksum(byte[] payload) =>
        SHA256.HashData([.. "sark-page-cursor:"u8, .. payload])[..12];

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? FromBase64Url(string text)
    {
        if (text.Length == 0 || text.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            return null;
        }

        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
