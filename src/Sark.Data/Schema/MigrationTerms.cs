using Sark.Data.Errors;

namespace Sark.Data.Schema;

/// <summary>
/// The <see cref="HostTerm"/>s of the schema messages: the runner's operations and options by their
/// API names, which a host words as its own commands and flags.
/// </summary>
public static class MigrationTerms
{
    public const string TargetVersionCode = "schema.target-version";

    public const string MigrateToCode = "schema.migrate-to";

    public const string RollbackToCode = "schema.rollback-to";

    public static readonly HostTerm Adopt = new("schema.adopt", "DatabaseAdopter.AdoptAsync");

    /// <summary>Looking at how a database differs from the v1 shapes, without adopting it.</summary>
    public static readonly HostTerm InspectAdoption = new("schema.adopt-dry-run", "DatabaseAdopter.InspectAsync");

    public static readonly HostTerm Migrate = new("schema.migrate", "MigrationRunner.MigrateAsync");

    public static readonly HostTerm Repair = new("schema.repair", "MigrationRunner.RepairAsync");

    /// <summary>"back up first, then pass …".</summary>
    public static readonly HostTerm AllowDataLoss = new("schema.allow-data-loss", "allowDataLoss: true");

    public static readonly HostTerm LockTimeout = new("schema.lock-timeout", "MigrationRunnerOptions.LockTimeout");

    public static readonly HostTerm StatementTimeout = new("schema.statement-timeout", "MigrationRunnerOptions.StatementTimeout");

    /// <summary>The version asked for: "the database is at version 5, above …".</summary>
    public static HostTerm TargetVersion(int version) => new(TargetVersionCode, $"the target version {version}", version);

    public static HostTerm MigrateTo(int version) => new(MigrateToCode, $"MigrationRunner.MigrateAsync({version})", version);

    public static HostTerm RollbackTo(int version) => new(RollbackToCode, $"MigrationRunner.RollbackAsync({version})", version);
}
