using Microsoft.Extensions.Logging;
using Sark.Data.Errors;

namespace Sark.Data.Logging;

/// <summary>
/// Every log event of Sark.Data, with fixed ids from 1000 to 1999 (Sark.V1Import uses 2000–2999),
/// so a host can filter or alert on an event by number. docs/library.md lists them. No event
/// carries a password or a connection string: targets are shown as
/// <see cref="Connection.ConnectionStrings.Describe"/> prints them, with the password masked.
/// </summary>
internal static partial class DataLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Applied migration {MigrationId} in {ElapsedMs} ms")]
    public static partial void MigrationApplied(this ILogger logger, string migrationId, long elapsedMs);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Reverted migration {MigrationId} in {ElapsedMs} ms")]
    public static partial void MigrationReverted(this ILogger logger, string migrationId, long elapsedMs);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Migrating the database from version {FromVersion} to {ToVersion} in {StepCount} step(s)")]
    public static partial void MigrationStarting(this ILogger logger, int fromVersion, int toVersion, int stepCount);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "The database is at version {Version}; no migration to run")]
    public static partial void MigrationNothingToDo(this ILogger logger, int version);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Waiting up to {WaitSeconds} s for {LockPurpose}, held by pid {HolderPid} (application_name '{HolderApplicationName}')")]
    public static partial void LockWaiting(this ILogger logger, double waitSeconds, SarkMessage lockPurpose, int holderPid, string holderApplicationName);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Acquired {LockPurpose} after waiting {WaitedMs} ms")]
    public static partial void LockAcquiredAfterWaiting(this ILogger logger, SarkMessage lockPurpose, long waitedMs);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Error, Message = "Migration {FileName} failed")]
    public static partial void MigrationFailed(this ILogger logger, string fileName, Exception exception);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Information, Message = "Accepted the edited file of migration {MigrationId}: checksum {JournalChecksum} -> {FileChecksum}")]
    public static partial void ChecksumAccepted(this ILogger logger, string migrationId, string journalChecksum, string fileChecksum);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Information, Message = "Recorded versions 1 to {Version} as already present (baseline)")]
    public static partial void BaselineRecorded(this ILogger logger, int version);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Debug, Message = "Created the data source for {Target} (application_name '{ApplicationName}')")]
    public static partial void DataSourceCreated(this ILogger logger, string target, string applicationName);
}
