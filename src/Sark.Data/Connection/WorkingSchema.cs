using System.Text;
using Npgsql;
using Sark.Data.Errors;

namespace Sark.Data.Connection;

/// <summary>
/// The one rule for where sark works: the connection's current schema (<c>current_schema()</c>, the
/// first existing schema of its search_path, where unqualified CREATE puts everything). Every lookup
/// (journal, adoption record, v1 and v2 tables) asks about that schema only, never the whole
/// search_path, so a table of the same name in a later schema is never mistaken for sark's.
/// A connection with no such schema, or whose objects would be created in the session's temporary
/// schema (gone at disconnect) or a system schema, is refused before anything is done: every
/// connection sark opens passes <see cref="RequireAsync"/> (in <see cref="SarkDataSource.OpenAsync"/>).
/// </summary>
public static class WorkingSchema
{
    private const string Fix = "set search_path to the schema sark should use, for example with '?search_path=public' in the database URL (or ALTER ROLE … SET search_path)";

    /// <summary>A SQL condition: a table (or other relation) of this name exists in the working schema.</summary>
    internal static string RelationExistsSql(string relation) => $"""
        EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = current_schema() AND c.relname = '{relation.Replace("'", "''", StringComparison.Ordinal)}')
        """;

    /// <summary>Whether a relation of this name exists in the working schema.</summary>
    public static async Task<bool> RelationExistsAsync(NpgsqlConnection connection, string relation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = new NpgsqlCommand($"SELECT {RelationExistsSql(relation)}", connection);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>The working schema's name; refuses (usage error) a connection sark must not work through.</summary>
    public static async Task<string> RequireAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = new NpgsqlCommand(
            "SELECT current_schema()::text, current_setting('search_path'), current_user::text", connection);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var schema = reader.IsDBNull(0) ? null : reader.GetString(0);
        var searchPath = reader.GetString(1);
        var user = reader.GetString(2);
        return FindProblem(schema, searchPath, user) is { } problem ? throw new UsageException(problem) : schema!;
    }

    /// <summary>Why sark must not work through a connection with this current schema and search_path, or null.</summary>
    internal static string? FindProblem(string? currentSchema, string searchPath, string currentUser)
    {
        // PostgreSQL creates the temporary schema on first use: until then current_schema() skips a
        // leading pg_temp, yet CREATE already goes there. So the listed order decides, not only the name.
        foreach (var item in SplitSearchPath(searchPath))
        {
            var name = item == "$user" ? currentUser : item;
            if (name == currentSchema)
            {
                break;
            }

            if (name == "pg_temp")
            {
                return $"the connection's search_path ('{searchPath}') lists pg_temp before any existing schema, so sark's tables would be created in the session's temporary schema and vanish when it ends; {Fix}";
            }
        }

        if (currentSchema is null)
        {
            return $"the connection has no current schema: its search_path ('{searchPath}') names no existing schema it may use, so sark has nowhere to look for or create its tables; create that schema, or {Fix}";
        }

        // Only system schemas may start with pg_ (pg_catalog, pg_toast, pg_temp_N).
        if (currentSchema.StartsWith("pg_", StringComparison.Ordinal) || currentSchema == "information_schema")
        {
            return $"the connection's current schema is the system schema '{currentSchema}' (search_path '{searchPath}'); sark works only in an ordinary schema: {Fix}";
        }

        return null;
    }

    /// <summary>The names of a search_path setting as PostgreSQL reads them: quoted ones as written, others lower-cased.</summary>
    internal static List<string> SplitSearchPath(string searchPath)
    {
        var names = new List<string>();
        var i = 0;
        while (i < searchPath.Length)
        {
            while (i < searchPath.Length && (char.IsWhiteSpace(searchPath[i]) || searchPath[i] == ','))
            {
                i++;
            }

            if (i >= searchPath.Length)
            {
                break;
            }

            var name = new StringBuilder();
            if (searchPath[i] == '"')
            {
                for (i++; i < searchPath.Length; i++)
                {
                    if (searchPath[i] == '"')
                    {
                        if (i + 1 < searchPath.Length && searchPath[i + 1] == '"')
                        {
                            name.Append('"');
                            i++;
                            continue;
                        }

                        i++;
                        break;
                    }

                    name.Append(searchPath[i]);
                }

                names.Add(name.ToString());
            }
            else
            {
                for (; i < searchPath.Length && searchPath[i] != ','; i++)
                {
                    name.Append(searchPath[i]);
                }

                names.Add(LowerAscii(name.ToString().TrimEnd()));
            }

            while (i < searchPath.Length && searchPath[i] != ',')
            {
                i++;
            }
        }

        return names;
    }

    // PostgreSQL folds only ASCII letters of an unquoted name.
    private static string LowerAscii(string name) =>
        string.Concat(name.Select(c => c is >= 'A' and <= 'Z' ? (char)(c + ('a' - 'A')) : c));
}
