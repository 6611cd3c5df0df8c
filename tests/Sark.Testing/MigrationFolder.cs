namespace Sark.Testing;

/// <summary>A temporary folder of migration files, for tests of the runner with migrations of their own.</summary>
public sealed class MigrationFolder : IDisposable
{
    public MigrationFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"sark-migrations-{Guid.NewGuid():N}");

    /// <summary>Writes NNN_name.up.sql and NNN_name.down.sql.</summary>
    public MigrationFolder Add(int version, string name, string up, string down)
    {
        File.WriteAllText(System.IO.Path.Combine(Path, $"{version:D3}_{name}.up.sql"), up);
        File.WriteAllText(System.IO.Path.Combine(Path, $"{version:D3}_{name}.down.sql"), down);
        return this;
    }

    public void Write(string fileName, string sql) => File.WriteAllText(System.IO.Path.Combine(Path, fileName), sql);

    public Sark.Data.Schema.MigrationSet Load() => Sark.Data.Schema.MigrationSet.LoadDirectory(Path);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
