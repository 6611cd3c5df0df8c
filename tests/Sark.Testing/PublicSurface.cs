using System.Reflection;
using System.Xml.Linq;

namespace Sark.Testing;

/// <summary>
/// A library's public surface as its tests pin it. Public is what another component calls; each
/// library's test project lists its public types, so a type that turns public (or stops being
/// public) fails a test until the list is changed on purpose. The documentation check covers what
/// the compiler's CS1591 lets through: the properties of a positional record, documented by the
/// record's param tags.
/// </summary>
public static class PublicSurface
{
    /// <summary>
    /// How the public types of <paramref name="assembly"/> differ from <paramref name="approved"/>,
    /// one line per type; empty when they are the same.
    /// </summary>
    public static IReadOnlyList<string> DifferencesFrom(Assembly assembly, IEnumerable<string> approved)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var expected = approved.ToHashSet(StringComparer.Ordinal);
        var actual = assembly.GetExportedTypes().Select(t => t.FullName!).ToHashSet(StringComparer.Ordinal);
        return actual.Except(expected).Select(t => $"{t} is public but not approved: make it internal, or approve it on purpose")
            .Concat(expected.Except(actual).Select(t => $"{t} is approved but not public (any more): take it off the list"))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The public types and properties of <paramref name="assembly"/> that its XML documentation
    /// file (built beside it) has no entry for.
    /// </summary>
    public static IReadOnlyList<string> UndocumentedIn(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var file = Path.ChangeExtension(assembly.Location, ".xml");
        if (!File.Exists(file))
        {
            return [$"{file} does not exist: the library must set GenerateDocumentationFile"];
        }

        var documented = XDocument.Load(file).Descendants("member")
            .Select(m => (string?)m.Attribute("name"))
            .ToHashSet(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var type in assembly.GetExportedTypes())
        {
            var name = type.FullName!.Replace('+', '.');
            if (!documented.Contains($"T:{name}"))
            {
                missing.Add($"T:{name}");
            }

            // EqualityContract is the compiler's, on every record; indexers have ids with parameters.
            missing.AddRange(type.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(p => p.Name != "EqualityContract" && p.GetIndexParameters().Length == 0)
                .Select(p => $"P:{name}.{p.Name}")
                .Where(id => !documented.Contains(id)));
        }

        return missing;
    }
}
