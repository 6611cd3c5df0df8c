using Sark.Data.Errors;

namespace Sark.Data.Schema;

/// <summary>
/// The <see cref="HostTerm"/>s of the schema messages: the runner's operations and options by their
/// API names, which a host words as its own commands and flags.
/// </summary>
public static class MigrationTerms
{
    /// <summary>The code of <see cref="TargetVersion"/>; its <see cref="HostTerm.Value"/> is the version.</summary>
    public const string TargetVersionCode = "schema.target-version";

    /// <summary>The code of <see cref="MigrateTo"/>; its <see cref="HostTerm.Value"/> is the version.</summary>
    public const string MigrateToCode = "schema.migrate-to";

    /// <summary>The code of <see cref="RollbackTo"/>; its <see cref="HostTerm.Value"/> is the version.</summary>
    public const string RollbackToCode = "schema.rollback-to";

    /// <summary>Adopting an existing v1 database: "run … first, which verifies it".</summary>
    public static readonly HostTerm Adopt = new("schema.adopt", "DatabaseAdopter.AdoptAsync");

    /// <summary>Looking at how a database differs from the v1 shapes, without adopting it.</summary>
    public static readonly HostTerm InspectAdoption = new("schema.adopt-dry-run", "DatabaseAdopter.InspectAsync");

    /// <summary>Migrating to the newest version: "run … first".</summary>
    public static readonly HostTerm Migrate = new("schema.migrate", "MigrationRunner.MigrateAsync");

    /// <summary>Accepting edited migration files: "or accept the new contents with …".</summary>
    public static readonly HostTerm Repair = new("schema.repair", "MigrationRunner.RepairAsync");

    /// <summary>"back up first, then pass …".</summary>
    public static readonly HostTerm AllowDataLoss = new("schema.allow-data-loss", "allowDataLoss: true");

    /// <summary>The runner's lock timeout: "retry when it is idle or raise …".</summary>
    public static readonly HostTerm LockTimeout = new("schema.lock-timeout", "MigrationRunnerOptions.LockTimeout");

    /// <summary>The runner's statement timeout: "statement_timeout reached; raise …".</summary>
    public static readonly HostTerm StatementTimeout = new("schema.statement-timeout", "MigrationRunnerOptions.StatementTimeout");

    /// <summary>The version asked for: "the database is at version 5, above …".</summary>
    public static HostTerm TargetVersion(int version) => new(TargetVersionCode, $"the target version {version}", version);

    /// <summary>Migrating to <paramref name="version"/>: "use … to go up".</summary>
    public static HostTerm MigrateTo(int version) => new(MigrateToCode, $"MigrationRunner.MigrateAsync({version})", version);

    /// <summary>Rolling back to <paramref name="version"/>: "use … to go down".</summary>
    public static HostTerm RollbackTo(int version) => new(RollbackToCode, $"MigrationRunner.RollbackAsync({version})", version);
}
