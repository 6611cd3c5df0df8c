using Microsoft.Extensions.Logging;
using Sark.Data.Errors;

namespace Sark.V1Import.Logging;

/// <summary>
/// Every log event of Sark.V1Import, with fixed ids from 2000 to 2999 (Sark.Data uses 1000–1999);
/// docs/library.md lists them. Events carry counts, ids and table names, never a row's contents
/// (v1 metadata can hold anything a user typed).
/// </summary>
internal static partial class ImportLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Started v1 import run {RunId}: {SourceRows} v1 rows in batches of {BatchSize}")]
    public static partial void ImportStarted(this ILogger logger, long runId, long sourceRows, int batchSize);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Resumed v1 import run {RunId} in phase {Phase}: {RowsDone} of {SourceRows} v1 rows were done")]
    public static partial void ImportResumed(this ILogger logger, long runId, string phase, long rowsDone, long sourceRows);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Debug, Message = "Committed a batch of {Table}: {Read} read, {Inserted} inserted, {Updated} updated, {Skipped} skipped, in {ElapsedMs} ms")]
    public static partial void BatchCommitted(this ILogger logger, string table, long read, long inserted, long updated, long skipped, long elapsedMs);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "The database refused {Count} row(s) of a batch of {Table}; they are skipped and listed as issues")]
    public static partial void RowsRefused(this ILogger logger, int count, string table);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Finished phase {Phase} of v1 import run {RunId} in {ElapsedMs} ms")]
    public static partial void PhaseFinished(this ILogger logger, string phase, long runId, long elapsedMs);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "Finished v1 import run {RunId} in {ElapsedMs} ms: {Inserted} rows inserted, {Updated} updated, {Skipped} skipped")]
    public static partial void ImportFinished(this ILogger logger, long runId, long elapsedMs, long inserted, long updated, long skipped);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Information, Message = "Waiting up to {WaitSeconds} s for {LockPurpose}, held by pid {HolderPid} (application_name '{HolderApplicationName}')")]
    public static partial void LockWaiting(this ILogger logger, double waitSeconds, SarkMessage lockPurpose, int holderPid, string holderApplicationName);
}
