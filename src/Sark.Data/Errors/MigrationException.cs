namespace Sark.Data.Errors;

/// <summary>
/// The migration runner refused or failed: a bad migration set or file (<see cref="SarkErrorKind.Failed"/>),
/// a database this binary must not change (<see cref="SarkErrorKind.SchemaDrift"/>), a rollback that
/// would destroy data (<see cref="SarkErrorKind.Conflict"/>), or a migration the database refused
/// (the kind of its PostgreSQL error, see <see cref="PostgresErrors"/>).
/// </summary>
public sealed class MigrationException(SarkErrorKind kind, SarkMessage message, Exception? innerException = null)
    : SarkException(kind, message, innerException)
{
    /// <summary>A bad migration set or file (<see cref="SarkErrorKind.Failed"/>).</summary>
    public MigrationException(SarkMessage message, Exception? innerException = null)
        : this(SarkErrorKind.Failed, message, innerException)
    {
    }
}
