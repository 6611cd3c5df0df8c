using Npgsql;
using Sark.Data.Connection;

namespace Sark.Data.Schema;

/// <summary>
/// The migration lock as a data job holds it: shared, so data jobs (the v1 import, its rollback,
/// validate, dry run, the v1 sample) run side by side, but never while a schema change (migrate,
/// rollback, repair, adopt: exclusive) runs, and no schema change starts while one of them is in
/// the middle of its transactions. Taken first, so that the journal check after it and everything
/// the job reads afterwards see a schema nobody changes under them; the journal check is the one
/// <see cref="MigrationRunner"/> uses. Hold it for the whole job on the job's own connection and dispose
/// it at the end. Jobs of one kind still exclude each other with a job lock of their own.
/// </summary>
public sealed class DataJobLock : IAsyncDisposable
{
    /// <summary>How long a data job waits for a schema change (or another job of its kind) by default.</summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(2);

    private readonly NpgsqlConnection connection;

    private DataJobLock(NpgsqlConnection connection) => this.connection = connection;

    /// <summary>Against the product's own migrations.</summary>
    public static Task<DataJobLock> AcquireAsync(NpgsqlConnection connection, TimeSpan wait, CancellationToken cancellationToken = default) =>
        AcquireAsync(connection, MigrationSet.Embedded, wait, null, cancellationToken);

    /// <summary>Against the product's own migrations; <paramref name="waiting"/> hears whom it waits for.</summary>
    public static Task<DataJobLock> AcquireAsync(NpgsqlConnection connection, TimeSpan wait, IProgress<LockWaiting>? waiting, CancellationToken cancellationToken = default) =>
        AcquireAsync(connection, MigrationSet.Embedded, wait, waiting, cancellationToken);

    /// <summary>Against <paramref name="migrations"/>, the set the journal is checked with.</summary>
    public static Task<DataJobLock> AcquireAsync(NpgsqlConnection connection, MigrationSet migrations, TimeSpan wait, CancellationToken cancellationToken = default) =>
        AcquireAsync(connection, migrations, wait, null, cancellationToken);

    /// <summary>
    /// Takes the migration lock shared, waiting at most <paramref name="wait"/>, then refuses a journal
    /// this binary must not work on (see <see cref="JournalCheck"/>), releasing the lock again.
    /// <paramref name="waiting"/> hears whom it waits for.
    /// </summary>
    public static async Task<DataJobLock> AcquireAsync(
        NpgsqlConnection connection, MigrationSet migrations, TimeSpan wait, IProgress<LockWaiting>? waiting, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await AdvisoryLock.AcquireAsync(connection, AdvisoryLock.Migrations, AdvisoryLockMode.Shared, wait, waiting, cancellationToken).ConfigureAwait(false);
        var held = new DataJobLock(connection);
        try
        {
            await JournalCheck.EnsureSafeAsync(connection, migrations, cancellationToken).ConfigureAwait(false);
            return held;
        }
        catch
        {
            await held.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Releases the lock; a connection whose session ended has lost it already.</summary>
    public async ValueTask DisposeAsync() =>
        await AdvisoryLock.ReleaseAsync(connection, AdvisoryLock.Migrations, AdvisoryLockMode.Shared, CancellationToken.None).ConfigureAwait(false);
}
