using System.Security.Cryptography;
using System.Text;

namespace Sark.Data.Schema;

internal static class MigrationChecksum
{
    /// <summary>
    /// Hex SHA-256 of the script with CRLF turned into LF, so a checkout with other line-ending
    /// settings does not look like an edited migration.
    /// </summary>
    public static string Of(string sql)
    {
        var normalised = sql.Replace("\r\n", "\n", StringComparison.Ordinal);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalised)));
    }
}
