using Npgsql;

namespace Sark.Data.Connection;

/// <summary>A configured database and where the setting came from, for messages.</summary>
public sealed record DatabaseChoice(NpgsqlConnectionStringBuilder Builder, string Source);

public static class DatabaseSelection
{
    /// <summary>
    /// <c>--database</c> wins over <c>SARK_DATABASE_URL</c>; null means neither is set and the
    /// embedded local PostgreSQL is the database.
    /// </summary>
    public static DatabaseChoice? Choose(string? option, string? environmentValue)
    {
        if (!string.IsNullOrWhiteSpace(option))
        {
            return new DatabaseChoice(ConnectionStrings.Parse(option), "--database");
        }

        if (!string.IsNullOrWhiteSpace(environmentValue))
        {
            return new DatabaseChoice(ConnectionStrings.Parse(environmentValue), "SARK_DATABASE_URL");
        }

        return null;
    }
}
