namespace Sark.Data.Errors;

/// <summary>
/// What kind of failure a <see cref="SarkException"/> is, for a host to act on without reading the
/// message: the CLI maps kinds to its exit codes, an HTTP host to status codes, a retry policy
/// retries <see cref="Transient"/>. docs/library.md lists them with the SQLSTATEs that give each.
/// </summary>
public enum SarkErrorKind
{
    /// <summary>Unclassified: the operation failed and no more specific kind applies.</summary>
    Failed = 0,

    /// <summary>The caller's input is malformed: an option value, a connection string, a version number.</summary>
    Usage,

    /// <summary>What the operation names does not exist.</summary>
    NotFound,

    /// <summary>
    /// The operation conflicts with what is there: a unique or exclusion constraint refused the row,
    /// or the state does not allow it (a journal that already exists, a rollback that would destroy data).
    /// </summary>
    Conflict,

    /// <summary>The database refused the data: a check, not-null or foreign key constraint, a bad value, or a trigger.</summary>
    InvalidData,

    /// <summary>A limit was reached: a quota, or a database limit (disk full, out of memory, too many columns).</summary>
    LimitExceeded,

    /// <summary>
    /// The transaction lost a serialization conflict or a deadlock and was rolled back: running it
    /// again is safe and usually succeeds.
    /// </summary>
    Transient,

    /// <summary>
    /// A wait ran out: lock_timeout, statement_timeout (or a statement an administrator cancelled),
    /// the command timeout, or the wait for one of sark's own locks. Nothing of the statement stayed.
    /// </summary>
    Timeout,

    /// <summary>
    /// The database cannot be used: the server cannot be reached or the connection to it broke, it
    /// refused the login (bad password, no such database, too many connections), or it is starting up.
    /// </summary>
    Unavailable,

    /// <summary>
    /// The server ended the session while it worked (shut down, restarted, pg_terminate_backend,
    /// an idle timeout): its open transaction was rolled back; what committed before stays.
    /// </summary>
    Interrupted,

    /// <summary>
    /// The schema is not what this binary expects: newer, an edited migration, a journal with holes,
    /// tables without a journal, drift, or a table or column missing.
    /// </summary>
    SchemaDrift,

    /// <summary>The database role lacks a privilege the operation needs.</summary>
    PermissionDenied,
}
