using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Errors;

namespace Sark.Cli;

/// <summary>A configured database and where the setting came from, for messages.</summary>
internal sealed record DatabaseChoice(NpgsqlConnectionStringBuilder Builder, string Source);

/// <summary>Which database a command works on: the CLI's choice between its option, its variable and the embedded server.</summary>
internal static class DatabaseSelection
{
    public const string Option = "--database";

    public const string Variable = "SARK_DATABASE_URL";

    /// <summary>
    /// <c>--database</c> wins over <c>SARK_DATABASE_URL</c>; null means neither is set and the
    /// embedded local PostgreSQL is the database. A blank <c>--database</c> is a usage error, never
    /// "embedded": that fallback would quietly work on another database than the one meant. An
    /// empty variable counts as unset (as libpq does with its PG* variables, and as
    /// <c>SARK_DATABASE_URL= sark …</c> intends); one holding only blanks is a usage error.
    /// </summary>
    public static DatabaseChoice? Choose(string? option, string? environmentValue)
    {
        if (option is not null)
        {
            return new DatabaseChoice(Parse(option, Option), Option);
        }

        if (string.IsNullOrEmpty(environmentValue))
        {
            return null;
        }

        return new DatabaseChoice(Parse(environmentValue, Variable), Variable);
    }

    /// <summary>Parses a connection setting, naming where it came from in any error.</summary>
    public static NpgsqlConnectionStringBuilder Parse(string value, string source)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new UsageException(source == Variable
                ? $"{Variable} holds only blanks; set it to postgresql://user@host:port/db or 'Host=…;Database=…', or unset it to use the embedded PostgreSQL"
                : $"{Option} is empty; expected postgresql://user@host:port/db or 'Host=…;Database=…', or leave the option out to use {Variable} or the embedded PostgreSQL");
        }

        try
        {
            return ConnectionStrings.Parse(value);
        }
        catch (UsageException ex)
        {
            throw new UsageException($"{source}: {ex.Message}", ex);
        }
    }
}
