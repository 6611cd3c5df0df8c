using Npgsql;

namespace Sark.V1Import;

/// <summary>
/// Commands for the tool's set-based statements. They run over whole tables (a million rows and
/// more), so Npgsql's default 30 s command timeout does not apply; the server's own
/// statement_timeout, if the operator set one, still does.
/// </summary>
internal static class Sql
{
    public static NpgsqlCommand Command(string sql, NpgsqlConnection connection, NpgsqlTransaction? transaction = null) =>
        new(sql, connection, transaction) { CommandTimeout = 0 };
}
