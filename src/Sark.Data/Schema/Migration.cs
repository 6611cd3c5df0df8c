using System.Text.RegularExpressions;
using Sark.Data.Errors;

namespace Sark.Data.Schema;

/// <summary>One numbered schema change with its up and down scripts.</summary>
/// <param name="Version">The number, from 1 up without a gap.</param>
/// <param name="Name">The name after the number (<c>policies</c>).</param>
/// <param name="Up">The script that applies it.</param>
/// <param name="Down">The script that reverts it.</param>
public sealed record Migration(
    int Version,
    string Name,
    MigrationScript Up,
    MigrationScript Down)
{
    /// <summary><c>003_policies</c>: the number and name as the files and the journal show them.</summary>
    public string Id => $"{Version:D3}_{Name}";

    /// <summary>SHA-256 of the up script (line endings normalised); the journal keeps it.</summary>
    public string Checksum => Up.Checksum;

    /// <summary>
    /// Whether a journal row with <paramref name="journalChecksum"/> records this migration as it is:
    /// the file's checksum, or one its up script lists with <c>-- sark:previous-checksum</c>.
    /// </summary>
    internal bool Accepts(string journalChecksum) =>
        journalChecksum == Checksum || Up.PreviousChecksums.Contains(journalChecksum, StringComparer.Ordinal);
}

/// <summary>One SQL file and the directives in its header comments.</summary>
/// <param name="FileName">The file name (<c>003_policies.up.sql</c>), as errors and the journal name it.</param>
/// <param name="Sql">The whole script, run as one command.</param>
/// <param name="Transactional">False when the header says <c>-- sark:no-transaction</c> (CREATE INDEX CONCURRENTLY).</param>
/// <param name="Destructive">True when the header says <c>-- sark:destructive</c>: reverting it drops data.</param>
/// <param name="PreviousChecksums">Checksums of earlier contents a journal may hold (<c>-- sark:previous-checksum</c>).</param>
public sealed partial record MigrationScript(
    string FileName, string Sql, bool Transactional, bool Destructive, IReadOnlyList<string> PreviousChecksums)
{
    internal const string NoTransactionDirective = "-- sark:no-transaction";
    internal const string DestructiveDirective = "-- sark:destructive";
    internal const string PreviousChecksumDirective = "-- sark:previous-checksum";

    /// <summary>SHA-256 of the script with line endings normalised, so a checkout with CRLF matches.</summary>
    public string Checksum { get; } = MigrationChecksum.Of(Sql);

    internal static MigrationScript Parse(string fileName, string sql)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var header = HeaderLines(sql).ToList();
        return new MigrationScript(
            fileName,
            sql,
            Transactional: !header.Contains(NoTransactionDirective, StringComparer.OrdinalIgnoreCase),
            Destructive: header.Contains(DestructiveDirective, StringComparer.OrdinalIgnoreCase),
            PreviousChecksums: ParsePreviousChecksums(fileName, header));
    }

    // An edited migration lists the checksums of its earlier contents, so databases that ran those
    // are not refused as edited. It is a reviewed line in the file rather than 'sark db repair' on
    // every database, and only an up script has a checksum to replace.
    private static List<string> ParsePreviousChecksums(string fileName, List<string> header)
    {
        var checksums = new List<string>();
        foreach (var line in header.Where(l => l.StartsWith(PreviousChecksumDirective, StringComparison.OrdinalIgnoreCase)))
        {
            var match = PreviousChecksumLine().Match(line);
            if (!match.Success)
            {
                throw new MigrationException(
                    $"migration file '{fileName}' has a malformed directive '{line}'; expected '{PreviousChecksumDirective} ' followed by the 64 hex digits of a checksum");
            }

            if (fileName.EndsWith(".down.sql", StringComparison.Ordinal))
            {
                throw new MigrationException(
                    $"migration file '{fileName}' has '{PreviousChecksumDirective}', which only an up script may have (down scripts have no checksum)");
            }

            checksums.Add(match.Groups["checksum"].Value.ToLowerInvariant());
        }

        return checksums;
    }

    [GeneratedRegex(@"^-- sark:previous-checksum (?<checksum>[0-9a-f]{64})$", RegexOptions.IgnoreCase)]
    private static partial Regex PreviousChecksumLine();

    // Directives count only in the leading comment block, so a directive quoted further down is inert.
    private static IEnumerable<string> HeaderLines(string sql)
    {
        foreach (var raw in sql.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (!line.StartsWith("--", StringComparison.Ordinal))
            {
                yield break;
            }

            yield return line;
        }
    }
}
