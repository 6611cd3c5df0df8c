using System.Reflection;
using System.Text.RegularExpressions;
using Sark.Data.Errors;

namespace Sark.Data.Schema;

/// <summary>
/// The ordered, validated migrations a binary knows. Loading refuses a malformed name, a gap, a
/// duplicate number or a missing down script, naming the file, so a broken set never reaches a database.
/// </summary>
public sealed partial class MigrationSet
{
    private const string EmbeddedPrefix = "Sark.Migrations.";

    private MigrationSet(IReadOnlyList<Migration> migrations) => Migrations = migrations;

    /// <summary>Every migration, by version from 1 up without a gap.</summary>
    public IReadOnlyList<Migration> Migrations { get; }

    /// <summary>The highest version, 0 when the set is empty.</summary>
    public int Head => Migrations.Count == 0 ? 0 : Migrations[^1].Version;

    /// <summary>The migration numbered <paramref name="version"/> (1 to <see cref="Head"/>).</summary>
    public Migration this[int version] => Migrations[version - 1];

    // Lazy rather than a static initializer, so a broken set surfaces as the loader's own message
    // instead of a TypeInitializationException.
    private static readonly Lazy<MigrationSet> EmbeddedSet = new(() => LoadEmbedded(typeof(MigrationSet).Assembly));

    /// <summary>The product's own migrations, embedded in this assembly; what <c>AddSark</c> registers.</summary>
    public static MigrationSet Embedded => EmbeddedSet.Value;

    internal static MigrationSet LoadEmbedded(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var files = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(EmbeddedPrefix, StringComparison.Ordinal))
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                return (n[EmbeddedPrefix.Length..], reader.ReadToEnd());
            });
        return FromFiles(files);
    }

    internal static MigrationSet LoadDirectory(string directory) =>
        FromFiles(Directory.GetFiles(directory, "*.sql").Select(p => (Path.GetFileName(p), File.ReadAllText(p))));

    internal static MigrationSet FromFiles(IEnumerable<(string FileName, string Sql)> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var ups = new SortedDictionary<int, (string Name, MigrationScript Script)>();
        var downs = new Dictionary<int, (string Name, MigrationScript Script)>();
        foreach (var (fileName, sql) in files)
        {
            var match = FileNamePattern().Match(fileName);
            if (!match.Success)
            {
                throw new MigrationException($"migration file '{fileName}' is misnamed; expected NNN_name.up.sql or NNN_name.down.sql (three digits, lower-case name)");
            }

            var version = int.Parse(match.Groups["version"].Value);
            if (version == 0)
            {
                throw new MigrationException($"migration file '{fileName}' has number 000; numbering starts at 001");
            }

            var name = match.Groups["name"].Value;
            var target = match.Groups["direction"].Value == "up" ? ups : (IDictionary<int, (string, MigrationScript)>)downs;
            if (target.TryGetValue(version, out var existing))
            {
                throw new MigrationException($"migration number {version:D3} is used twice: '{existing.Item2.FileName}' and '{fileName}'");
            }

            target[version] = (name, MigrationScript.Parse(fileName, sql));
        }

        var migrations = new List<Migration>();
        var expected = 1;
        foreach (var (version, up) in ups)
        {
            if (version != expected)
            {
                throw new MigrationException($"migration '{up.Script.FileName}' follows a gap: version {expected:D3} is missing");
            }

            if (!downs.Remove(version, out var down))
            {
                throw new MigrationException($"migration '{up.Script.FileName}' has no down script; add {version:D3}_{up.Name}.down.sql");
            }

            if (down.Name != up.Name)
            {
                throw new MigrationException($"migration number {version:D3} is used twice: '{up.Script.FileName}' and '{down.Script.FileName}'");
            }

            migrations.Add(new Migration(version, up.Name, up.Script, down.Script));
            expected++;
        }

        if (downs.Count > 0)
        {
            var orphan = downs.OrderBy(d => d.Key).First().Value.Script.FileName;
            throw new MigrationException($"down script '{orphan}' has no up script");
        }

        return new MigrationSet(migrations);
    }

    /// <summary>Checks a user-given version; 0 means "before the first migration".</summary>
    internal int ValidateVersion(int version) =>
        version >= 0 && version <= Head
            ? version
            : throw new UsageException($"migration version '{version}' is unknown; expected a number from 0 to {Head}");

    /// <summary>Parses <c>5</c>, <c>005</c> or <c>005_gateway_audit</c> into a known version number.</summary>
    public int ParseVersion(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var match = VersionPattern().Match(text.Trim());
        if (!match.Success || !int.TryParse(match.Groups["version"].Value, out var version))
        {
            throw new UsageException($"migration version '{text}' is not valid; expected a number from 0 to {Head} or a name such as {(Migrations.Count > 0 ? Migrations[0].Id : "001_initial")}");
        }

        ValidateVersion(version);
        var name = match.Groups["name"];
        if (name.Success && (version == 0 || this[version].Name != name.Value))
        {
            throw new UsageException($"migration version '{text}' is unknown; version {version} is {(version == 0 ? "the empty schema" : this[version].Id)}");
        }

        return version;
    }

    [GeneratedRegex(@"^(?<version>\d{1,9})(?:_(?<name>[a-z0-9_]+))?$")]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"^(?<version>\d{3})_(?<name>[a-z0-9][a-z0-9_]*)\.(?<direction>up|down)\.sql$")]
    private static partial Regex FileNamePattern();
}
