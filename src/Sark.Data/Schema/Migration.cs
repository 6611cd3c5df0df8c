namespace Sark.Data.Schema;

/// <summary>One numbered schema change with its up and down scripts.</summary>
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
}

/// <summary>One SQL file and the directives in its header comments.</summary>
public sealed record MigrationScript(string FileName, string Sql, bool Transactional, bool Destructive)
{
    public const string NoTransactionDirective = "-- sark:no-transaction";
    public const string DestructiveDirective = "-- sark:destructive";

    public string Checksum { get; } = MigrationChecksum.Of(Sql);

    public static MigrationScript Parse(string fileName, string sql)
    {
        var header = HeaderLines(sql).ToList();
        return new MigrationScript(
            fileName,
            sql,
            Transactional: !header.Contains(NoTransactionDirective, StringComparer.OrdinalIgnoreCase),
            Destructive: header.Contains(DestructiveDirective, StringComparer.OrdinalIgnoreCase));
    }

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
