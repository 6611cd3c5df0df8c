using System.Text.RegularExpressions;
using Npgsql;

namespace Sark.Testing.V1;

/// <summary>
/// The schema dumps of real v1 databases (V1/Dumps, see its README), loaded exactly as pg_dump
/// wrote them. They run through Npgsql rather than psql so that they reach whatever server the
/// harness uses with the credentials it already has (no psql on PATH, no password to hand over),
/// and as one batch, so a dump that fails leaves nothing half-loaded.
/// </summary>
public static partial class V1Dumps
{
    /// <summary>Built by the original Alembic migrations 001–005.</summary>
    public const string Alembic = "alembic.sql";

    /// <summary>Built by the original ORM's create_all.</summary>
    public const string Orm = "orm.sql";

    /// <summary>The file as embedded: the README or one of the dumps, byte for byte.</summary>
    public static byte[] ReadBytes(string name)
    {
        using var stream = typeof(V1Dumps).Assembly.GetManifestResourceStream($"Sark.Testing.V1.Dumps.{name}")
            ?? throw new ArgumentException($"no embedded v1 dump '{name}'; expected {Alembic}, {Orm} or README.md", nameof(name));
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Loads a dump into <paramref name="database"/>, which should be empty.</summary>
    public static async Task LoadAsync(TestDatabase database, string name)
    {
        ArgumentNullException.ThrowIfNull(database);
        var sql = ToServerSql(System.Text.Encoding.UTF8.GetString(ReadBytes(name)), name);

        // A connection of its own, closed afterwards: the dump's session settings (an empty
        // search_path among them) must not leak into pooled connections of the test.
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The dump's SQL for the server. psql meta-commands are not SQL: <c>\restrict</c> and
    /// <c>\unrestrict</c> (written by newer pg_dump releases) only protect psql itself and are
    /// dropped; any other meta-command, or a COPY from stdin, would need psql and is refused
    /// rather than silently skipped.
    /// </summary>
    public static string ToServerSql(string dump, string name)
    {
        ArgumentNullException.ThrowIfNull(dump);
        var lines = dump.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (RestrictLine().IsMatch(lines[i]))
            {
                lines[i] = "";
            }
            else if (lines[i].StartsWith('\\') || CopyFromStdin().IsMatch(lines[i]))
            {
                throw new InvalidOperationException(
                    $"{name} line {i + 1}: '{lines[i].TrimEnd()}' needs psql; expected a schema-only dump of plain SQL");
            }
        }

        return string.Join('\n', lines);
    }

    [GeneratedRegex(@"^\\(un)?restrict\b")]
    private static partial Regex RestrictLine();

    [GeneratedRegex(@"^COPY\b.*\bFROM\s+stdin\b", RegexOptions.IgnoreCase)]
    private static partial Regex CopyFromStdin();
}
