using Npgsql;

namespace Sark.Data.Errors;

/// <summary>
/// A PostgreSQL or Npgsql error translated by <see cref="PostgresErrors.Translate"/>: its kind, and
/// what the server named, with the original as the inner exception.
/// </summary>
public sealed class DatabaseException(SarkErrorKind kind, SarkMessage message, NpgsqlException innerException)
    : SarkException(kind, message, innerException)
{
    /// <summary>The SQLSTATE, or null for an error of the client (a broken connection, the command timeout).</summary>
    public string? SqlState => (InnerException as PostgresException)?.SqlState;

    /// <summary>The constraint the server named (a unique, foreign-key or check violation), or null.</summary>
    public string? ConstraintName => (InnerException as PostgresException)?.ConstraintName;

    /// <summary>The table the server named, or null.</summary>
    public string? TableName => (InnerException as PostgresException)?.TableName;

    /// <summary>The column the server named (a not-null violation), or null.</summary>
    public string? ColumnName => (InnerException as PostgresException)?.ColumnName;
}
