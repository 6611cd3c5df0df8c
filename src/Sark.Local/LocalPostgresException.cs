using Sark.Data.Errors;

namespace Sark.Local;

/// <summary>The embedded local PostgreSQL could not be found, initialised, started or stopped.</summary>
public sealed class LocalPostgresException(SarkMessage message, Exception? innerException = null)
    : SarkException(SarkErrorKind.Failed, message, innerException);
