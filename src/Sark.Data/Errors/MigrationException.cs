namespace Sark.Data.Errors;

/// <summary>The migration runner refused or failed: bad migration set, tampered file, newer database, lock timeout.</summary>
public sealed class MigrationException(string message, Exception? innerException = null)
    : SarkException(message, ExitCodes.Failure, innerException);
