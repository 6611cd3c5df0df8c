using Npgsql;
using Sark.Data.Connection;

namespace Sark.Data.Errors;

/// <summary>
/// The one translation of PostgreSQL and Npgsql errors into <see cref="SarkErrorKind"/>s, by
/// SQLSTATE (<see cref="PostgresErrorCodes"/>), never by message text. Stores catch
/// <see cref="NpgsqlException"/> and throw <see cref="Translate"/>'s result; code that words its
/// own message takes <see cref="KindOf(string)"/> and <see cref="MessageOf"/>.
/// </summary>
public static class PostgresErrors
{
    // Not in PostgresErrorCodes: the server ended a session idle inside a transaction.
    private const string IdleInTransactionSessionTimeout = "25P03";

    /// <summary>The kind of a PostgreSQL error, by its SQLSTATE.</summary>
    public static SarkErrorKind KindOf(string sqlState)
    {
        ArgumentNullException.ThrowIfNull(sqlState);
        return sqlState switch
        {
            PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.ExclusionViolation => SarkErrorKind.Conflict,
            PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected
                or PostgresErrorCodes.TransactionRollback or PostgresErrorCodes.StatementCompletionUnknown => SarkErrorKind.Transient,
            PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.QueryCanceled => SarkErrorKind.Timeout,
            PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedColumn or PostgresErrorCodes.UndefinedFunction
                or PostgresErrorCodes.UndefinedObject or PostgresErrorCodes.InvalidSchemaName
                or PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.DuplicateColumn or PostgresErrorCodes.DuplicateObject
                or PostgresErrorCodes.DuplicateSchema or PostgresErrorCodes.DuplicateFunction => SarkErrorKind.SchemaDrift,
            PostgresErrorCodes.InvalidAuthorizationSpecification or PostgresErrorCodes.InvalidPassword
                or PostgresErrorCodes.InvalidCatalogName or PostgresErrorCodes.TooManyConnections
                or PostgresErrorCodes.CannotConnectNow => SarkErrorKind.Unavailable,
            PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.DatabaseDropped
                or PostgresErrorCodes.IdleSessionTimeout or IdleInTransactionSessionTimeout => SarkErrorKind.Interrupted,
            PostgresErrorCodes.InsufficientPrivilege => SarkErrorKind.PermissionDenied,
            PostgresErrorCodes.ProtocolViolation => SarkErrorKind.Failed,
            _ when InClass(sqlState, PostgresErrorCodes.DataException) => SarkErrorKind.InvalidData,
            _ when InClass(sqlState, PostgresErrorCodes.IntegrityConstraintViolation) => SarkErrorKind.InvalidData,

            // Raised by a function or trigger the database runs on the data: its own rule refused it.
            _ when InClass(sqlState, PostgresErrorCodes.PlpgsqlError) => SarkErrorKind.InvalidData,
            _ when InClass(sqlState, PostgresErrorCodes.ConnectionException) => SarkErrorKind.Unavailable,
            _ when InClass(sqlState, PostgresErrorCodes.InsufficientResources) => SarkErrorKind.LimitExceeded,
            _ when InClass(sqlState, PostgresErrorCodes.ProgramLimitExceeded) => SarkErrorKind.LimitExceeded,
            _ => SarkErrorKind.Failed,
        };
    }

    /// <summary>
    /// The kind of any error Npgsql throws: a server error by its SQLSTATE; a client-side one is a
    /// <see cref="SarkErrorKind.Timeout"/> when the command timeout ran out, else the connection
    /// could not be made or broke (<see cref="SarkErrorKind.Unavailable"/>).
    /// </summary>
    public static SarkErrorKind KindOf(NpgsqlException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            PostgresException pg => KindOf(pg.SqlState),
            { InnerException: TimeoutException } => SarkErrorKind.Timeout,
            _ => SarkErrorKind.Unavailable,
        };
    }

    /// <summary>
    /// The server's message and what it names: <c>duplicate key value violates unique constraint
    /// "ux_resources_name_ci" (SQLSTATE 23505, constraint ux_resources_name_ci, table resources)</c>.
    /// The error's Detail is left out: it quotes row values (the key that already exists, the whole
    /// failing row), which may be secrets or personal data, and messages end up in logs and
    /// responses. Npgsql redacts it anyway unless the connection string sets Include Error Detail;
    /// a caller that wants it reads it from the inner <see cref="PostgresException"/>.
    /// </summary>
    internal static string Describe(PostgresException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return $"{MessageOf(exception)} ({Fields(exception)})";
    }

    /// <summary>
    /// The server's message, except for data exceptions (SQLSTATE class 22), whose text quotes the
    /// offending input ("invalid input syntax for type integer: \"…\""): a row's value must not reach
    /// messages, which end up in logs and responses. Those are named by what went wrong instead; the
    /// server's own text stays on the inner exception. RAISE EXCEPTION texts (P0001) are kept: they
    /// are written by whoever wrote the SQL.
    /// </summary>
    public static string MessageOf(PostgresException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (!InClass(exception.SqlState, PostgresErrorCodes.DataException))
        {
            return exception.MessageText;
        }

        var what = exception.SqlState switch
        {
            PostgresErrorCodes.StringDataRightTruncation => "a value is too long for its column",
            PostgresErrorCodes.NumericValueOutOfRange => "a number is out of range for its type",
            PostgresErrorCodes.InvalidTextRepresentation => "a value is not valid input for its type",
            PostgresErrorCodes.InvalidDatetimeFormat or PostgresErrorCodes.DatetimeFieldOverflow => "a date or time value is not valid",
            PostgresErrorCodes.DivisionByZero => "division by zero",
            PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.UntranslatableCharacter => "a value holds a character the database cannot store",
            PostgresErrorCodes.NullValueNotAllowed => "a null value where none is allowed",
            _ => "a value was refused as invalid data",
        };
        return $"{what} (the value is not repeated here: it may be data)";
    }

    /// <summary>"SQLSTATE 23505, constraint …, table …, column …": the code and the names the server gave.</summary>
    internal static string Fields(PostgresException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var fields = new List<string> { $"SQLSTATE {exception.SqlState}" };
        AddIfGiven(fields, "constraint", exception.ConstraintName);
        AddIfGiven(fields, "table", exception.TableName);
        AddIfGiven(fields, "column", exception.ColumnName);
        return string.Join(", ", fields);
    }

    /// <summary>
    /// The error as a <see cref="DatabaseException"/> of its kind, with the original as its inner
    /// exception. <paramref name="doing"/>, when given, says what failed ("adding resource 'x'").
    /// No message holds a password: a client-side error names no connection string, and whatever
    /// <see cref="SecretMasker"/> knows is masked.
    /// </summary>
    public static DatabaseException Translate(NpgsqlException exception, string? doing = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is not PostgresException && exception.InnerException is TimeoutException)
        {
            // Holds no server text, so nothing to mask; the fix is a term each host words its own way.
            SarkMessage timedOut = $"the database did not answer within the command timeout; raise {SarkTerms.CommandTimeout}, or look for a lock holding the statement up";
            return new DatabaseException(
                SarkErrorKind.Timeout, doing is null ? timedOut : $"{SecretMasker.Redact(doing)} failed: {timedOut}", exception);
        }

        var what = exception is PostgresException pg
            ? Describe(pg)
            : $"database connection failed: {ConnectionStrings.FirstLine(exception.Message)}";
        var message = SecretMasker.Redact(doing is null ? what : $"{doing} failed: {what}");
        return new DatabaseException(KindOf(exception), message, exception);
    }

    private static bool InClass(string sqlState, string classCode) =>
        sqlState.Length == 5 && string.CompareOrdinal(sqlState, 0, classCode, 0, 2) == 0;

    private static void AddIfGiven(List<string> fields, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            fields.Add($"{name} {value}");
        }
    }
}
