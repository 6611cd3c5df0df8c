using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Errors;

namespace Sark.Data.Schema;

/// <summary>
/// Applies and reverts migrations with the guarantees of SPEC §3.3: checksums, one advisory lock
/// with a fast path, a transaction per migration with its journal row, DDL timeouts, refusal of
/// newer databases, and destructive downs only on request. Logs through <paramref name="logger"/>
/// (events 1001–1009, see docs/library.md); constructed without one, it logs nothing.
/// </summary>
public sealed partial class MigrationRunner(
    NpgsqlDataSource dataSource, MigrationSet migrations, MigrationRunnerOptions? options = null, ILogger<MigrationRunner>? logger = null)
{
    private readonly ILogger log = logger ?? NullLogger<MigrationRunner>.Instance;

    /// <summary>Timeouts, the lock wait and who applies, as given at construction (defaults otherwise).</summary>
    public MigrationRunnerOptions Options { get; } = options ?? new MigrationRunnerOptions();

    /// <summary>The migrations this runner applies and reverts.</summary>
    public MigrationSet Migrations { get; } = migrations;

    /// <summary>
    /// Hears each step done, each checksum repaired and a wait for the lock, as it happens, on the
    /// runner's own thread: a listener that blocks holds the runner (and its lock) up.
    /// </summary>
    public IProgress<MigrationProgress>? Progress { get; set; }

    /// <summary>Reads where the database stands against <see cref="Migrations"/>. Changes nothing.</summary>
    public async Task<MigrationStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var connection = await SarkDataSource.OpenAsync(dataSource, cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            return await JournalCheck.ReadStatusAsync(connection, Migrations, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            // A database error nothing inside handled leaves as a SarkException with its kind.
            throw PostgresErrors.Translate(ex);
        }
    }

    /// <summary>What <see cref="MigrateAsync"/> would run; refuses the same states it refuses. Changes nothing.</summary>
    public async Task<MigrationPlan> PlanMigrateAsync(int? targetVersion = null, CancellationToken cancellationToken = default)
    {
        try
        {
            var connection = await SarkDataSource.OpenAsync(dataSource, cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            await RefuseUnjournaledTablesAsync(connection, cancellationToken).ConfigureAwait(false);
            return PlanMigrate(await JournalCheck.ReadStatusAsync(connection, Migrations, cancellationToken).ConfigureAwait(false), targetVersion);
        }
        catch (NpgsqlException ex)
        {
            // A database error nothing inside handled leaves as a SarkException with its kind.
            throw PostgresErrors.Translate(ex);
        }
    }

    // Tables and enum types count: either would make 001 fail half-way.
    private static readonly string UnjournaledTablesSql = $"""
        SELECT coalesce(string_agg(name, ', ' ORDER BY name), '') FROM (
            SELECT c.relname::text AS name
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
              AND c.relname NOT IN ('sark_migrations', 'sark_adoption')
            UNION ALL
            SELECT 'type ' || t.typname
            FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE n.nspname = current_schema() AND t.typtype = 'e'
        ) existing
        WHERE NOT {WorkingSchema.RelationExistsSql(MigrationJournal.TableName)}
        """;

    /// <summary>
    /// Migrating a database that has tables but no journal would fail half-way or, worse, mix sark's
    /// tables into another application's; an existing SARK v1 database must be adopted first.
    /// </summary>
    private static async Task RefuseUnjournaledTablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (await FindUnjournaledObjectsAsync(connection, cancellationToken).ConfigureAwait(false) is { } problem)
        {
            throw new MigrationException(SarkErrorKind.SchemaDrift, problem);
        }
    }

    /// <summary>The refusal for a database with tables or types but no journal, or null.</summary>
    public async Task<SarkMessage?> FindUnjournaledObjectsAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var connection = await SarkDataSource.OpenAsync(dataSource, cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            return await FindUnjournaledObjectsAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException ex)
        {
            // A database error nothing inside handled leaves as a SarkException with its kind.
            throw PostgresErrors.Translate(ex);
        }
    }

    internal static async Task<SarkMessage?> FindUnjournaledObjectsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(UnjournaledTablesSql, connection);
        var objects = (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        if (objects.Length == 0)
        {
            return null;
        }

        var shown = objects.Length > 200 ? objects[..200] + "…" : objects;
        return $"the database has tables or types sark has no journal for ({shown}); if it is an existing SARK database, run {MigrationTerms.Adopt} first, which verifies it and records its version; otherwise use an empty database";
    }

    /// <summary>What <see cref="RollbackAsync"/> would run. Changes nothing.</summary>
    public async Task<MigrationPlan> PlanRollbackAsync(int targetVersion, CancellationToken cancellationToken = default)
    {
        try
        {
            var status = await GetStatusAsync(cancellationToken).ConfigureAwait(false);
            return PlanRollback(status, targetVersion);
        }
        catch (NpgsqlException ex)
        {
            // A database error nothing inside handled leaves as a SarkException with its kind.
            throw PostgresErrors.Translate(ex);
        }
    }

    private MigrationPlan PlanMigrate(MigrationStatus status, int? targetVersion)
    {
        var target = Migrations.ValidateVersion(targetVersion ?? Migrations.Head);
        EnsureSafe(status);
        if (status.CurrentVersion > target)
        {
            throw new UsageException($"the database is at version {status.CurrentVersion}, above {MigrationTerms.TargetVersion(target)}; use {MigrationTerms.RollbackTo(target)} to go down");
        }

        return MigrationPlan.Between(Migrations, status.CurrentVersion, target);
    }

    private MigrationPlan PlanRollback(MigrationStatus status, int targetVersion)
    {
        var target = Migrations.ValidateVersion(targetVersion);
        EnsureSafe(status);
        if (target > status.CurrentVersion)
        {
            throw new UsageException($"the database is at version {status.CurrentVersion}, below {MigrationTerms.TargetVersion(target)}; use {MigrationTerms.MigrateTo(target)} to go up");
        }

        return MigrationPlan.Between(Migrations, status.CurrentVersion, target);
    }


    /// <summary>Refuses a newer database, an edited migration, or a journal with holes.</summary>
    private void EnsureSafe(MigrationStatus status) => JournalCheck.EnsureSafe(status, Migrations);

    /// <summary>Why this binary must not change the database, or null when it may.</summary>
    public SarkMessage? FindProblem(MigrationStatus status) => JournalCheck.FindProblem(status, Migrations);
}
