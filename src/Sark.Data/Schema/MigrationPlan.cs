namespace Sark.Data.Schema;

public enum MigrationDirection
{
    Up,
    Down,
}

/// <summary>One script to run: a migration's up or down.</summary>
public sealed record MigrationStep(Migration Migration, MigrationDirection Direction)
{
    public MigrationScript Script => Direction == MigrationDirection.Up ? Migration.Up : Migration.Down;
}

/// <summary>The scripts that take a database from one version to another, in order.</summary>
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

    public IEnumerable<MigrationStep> DestructiveSteps => Steps.Where(s => s.Direction == MigrationDirection.Down && s.Script.Destructive);
}
