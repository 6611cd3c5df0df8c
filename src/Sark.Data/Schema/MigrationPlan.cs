namespace Sark.Data.Schema;

/// <summary>Which script of a migration runs.</summary>
public enum MigrationDirection
{
    /// <summary>The up script: applies the migration.</summary>
    Up,
    /// <summary>The down script: reverts it.</summary>
    Down,
}

/// <summary>One script to run: a migration's up or down.</summary>
/// <param name="Migration">The migration.</param>
/// <param name="Direction">Whether its up or its down script runs.</param>
public sealed record MigrationStep(Migration Migration, MigrationDirection Direction)
{
    /// <summary>The script this step runs.</summary>
    public MigrationScript Script => Direction == MigrationDirection.Up ? Migration.Up : Migration.Down;
}

/// <summary>The scripts that take a database from one version to another, in order.</summary>
/// <param name="FromVersion">The version the database is at.</param>
/// <param name="ToVersion">The version it will be at.</param>
/// <param name="Steps">Ups ascending, or downs descending; empty when the versions are the same.</param>
public sealed record MigrationPlan(int FromVersion, int ToVersion, IReadOnlyList<MigrationStep> Steps)
{
    /// <summary>The steps from <paramref name="from"/> to <paramref name="to"/>: ups ascending or downs descending.</summary>
    public static MigrationPlan Between(MigrationSet migrations, int from, int to)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        migrations.ValidateVersion(from);
        migrations.ValidateVersion(to);
        var steps = from <= to
            ? Enumerable.Range(from + 1, to - from).Select(v => new MigrationStep(migrations[v], MigrationDirection.Up))
            : Enumerable.Range(to + 1, from - to).Reverse().Select(v => new MigrationStep(migrations[v], MigrationDirection.Down));
        return new MigrationPlan(from, to, steps.ToList());
    }

    /// <summary>Down steps whose script drops data; a rollback refuses them unless data loss is allowed.</summary>
    public IEnumerable<MigrationStep> DestructiveSteps => Steps.Where(s => s.Direction == MigrationDirection.Down && s.Script.Destructive);
}
