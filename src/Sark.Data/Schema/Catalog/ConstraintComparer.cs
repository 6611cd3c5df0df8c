using System.Text.RegularExpressions;

namespace Sark.Data.Schema.Catalog;

/// <summary>
/// Compares one table's constraints and indexes by definition, then by name. Names are a weak
/// identity: a database built by an ORM leaves most of them to PostgreSQL, so the same foreign key
/// can be <c>fk_policies_current_version</c> in sark's chain and <c>policies_current_version_id_fkey</c>
/// in the database. A missing and an unexpected member with the same definition are one member
/// under another name; a missing UNIQUE constraint whose exact index exists under another name is
/// uniqueness kept by an index alone; an index that backs a constraint is reported with it, not twice.
/// </summary>
internal static partial class ConstraintComparer
{
    public static void Compare(TableShape want, TableShape have, List<CatalogDifference> differences)
    {
        var table = want.Name;
        var constraints = new List<CatalogDifference>();
        var indexes = new List<CatalogDifference>();
        var missingConstraints = Only(want.Constraints, have.Constraints);
        var extraConstraints = Only(have.Constraints, want.Constraints);
        var missingIndexes = Only(want.Indexes, have.Indexes);
        var extraIndexes = Only(have.Indexes, want.Indexes);
        Changed(want.Constraints, have.Constraints, table, DifferenceKind.ConstraintDefinition, constraints);
        Changed(want.Indexes, have.Indexes, table, DifferenceKind.IndexDefinition, indexes);

        foreach (var name in missingConstraints.ToList())
        {
            var renamed = extraConstraints.FirstOrDefault(e => have.Constraints[e] == want.Constraints[name]);
            if (renamed is not null)
            {
                constraints.Add(new CatalogDifference(DifferenceKind.ConstraintName, table, name, name, renamed));
                missingConstraints.Remove(name);
                extraConstraints.Remove(renamed);

                // Renaming a constraint renames the index behind it (primary key, unique).
                missingIndexes.Remove(name);
                extraIndexes.Remove(renamed);
                continue;
            }

            if (!missingIndexes.Contains(name))
            {
                continue;
            }

            // The constraint's index is missing too: reported with the constraint, unless the same
            // index exists under another name, which still enforces the constraint's rule.
            missingIndexes.Remove(name);
            var body = Body(want.Indexes[name]);
            var index = extraIndexes.FirstOrDefault(e => Body(have.Indexes[e]) == body);
            if (index is not null && body.StartsWith("CREATE UNIQUE INDEX ", StringComparison.Ordinal))
            {
                constraints.Add(new CatalogDifference(DifferenceKind.UniqueAsIndex, table, name, want.Constraints[name], index));
                missingConstraints.Remove(name);
                extraIndexes.Remove(index);
            }
        }

        foreach (var name in extraConstraints)
        {
            extraIndexes.Remove(name);
        }

        foreach (var name in missingIndexes.ToList())
        {
            var renamed = extraIndexes.FirstOrDefault(e => Body(have.Indexes[e]) == Body(want.Indexes[name]));
            if (renamed is not null)
            {
                indexes.Add(new CatalogDifference(DifferenceKind.IndexName, table, name, name, renamed));
                missingIndexes.Remove(name);
                extraIndexes.Remove(renamed);
            }
        }

        constraints.AddRange(missingConstraints.Select(n => new CatalogDifference(DifferenceKind.MissingConstraint, table, n, want.Constraints[n], null)));
        constraints.AddRange(extraConstraints.Select(n => new CatalogDifference(DifferenceKind.ExtraConstraint, table, n, null, have.Constraints[n])));
        indexes.AddRange(missingIndexes.Select(n => new CatalogDifference(DifferenceKind.MissingIndex, table, n, want.Indexes[n], null)));
        indexes.AddRange(extraIndexes.Select(n => new CatalogDifference(DifferenceKind.ExtraIndex, table, n, null, have.Indexes[n])));
        differences.AddRange(constraints.OrderBy(d => d.Subject, StringComparer.Ordinal));
        differences.AddRange(indexes.OrderBy(d => d.Subject, StringComparer.Ordinal));
    }

    /// <summary>An index definition without the index's own name: what the index is, not what it is called.</summary>
    internal static string Body(string definition) => IndexNamePart().Replace(definition, "$1$2", 1);

    // Sorted, so that of several candidates the same one is always paired.
    private static SortedSet<string> Only(IReadOnlyDictionary<string, string> these, IReadOnlyDictionary<string, string> notIn) =>
        new(these.Keys.Where(k => !notIn.ContainsKey(k)), StringComparer.Ordinal);

    private static void Changed(
        IReadOnlyDictionary<string, string> want, IReadOnlyDictionary<string, string> have, string table, DifferenceKind kind, List<CatalogDifference> into)
    {
        foreach (var (name, expected) in want)
        {
            if (have.TryGetValue(name, out var actual) && actual != expected)
            {
                into.Add(new CatalogDifference(kind, table, name, expected, actual));
            }
        }
    }

    [GeneratedRegex("""^(CREATE (?:UNIQUE )?INDEX )(?:"(?:[^"]|"")*"|\S+)( ON .*)$""", RegexOptions.Singleline)]
    private static partial Regex IndexNamePart();
}
