namespace Sark.Data.Schema.Catalog;

/// <summary>Lists every way an actual schema differs from the expected one, table by table.</summary>
internal static class CatalogComparer
{
    public static IReadOnlyList<CatalogDifference> Compare(CatalogModel expected, CatalogModel actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var differences = new List<CatalogDifference>();
        foreach (var name in Union(expected.Tables.Keys, actual.Tables.Keys))
        {
            var want = expected.Tables.GetValueOrDefault(name);
            var have = actual.Tables.GetValueOrDefault(name);
            if (want is null || have is null)
            {
                differences.Add(new CatalogDifference(want is null ? DifferenceKind.ExtraTable : DifferenceKind.MissingTable, name, name, want?.Kind, have?.Kind));
                continue;
            }

            CompareTable(want, have, differences);
        }

        foreach (var name in Union(expected.EnumTypes.Keys, actual.EnumTypes.Keys))
        {
            var want = expected.EnumTypes.GetValueOrDefault(name);
            var have = actual.EnumTypes.GetValueOrDefault(name);
            if (want is null || have is null)
            {
                differences.Add(new CatalogDifference(want is null ? DifferenceKind.ExtraType : DifferenceKind.MissingType, "", name, null, null));
            }
            else if (!want.SequenceEqual(have, StringComparer.Ordinal))
            {
                differences.Add(new CatalogDifference(DifferenceKind.EnumLabels, "", name, string.Join(", ", want), string.Join(", ", have)));
            }
        }

        Members(expected.Functions, actual.Functions, "", DifferenceKind.MissingFunction, DifferenceKind.ExtraFunction, DifferenceKind.FunctionDefinition, differences);
        return differences;
    }

    private static void CompareTable(TableShape want, TableShape have, List<CatalogDifference> differences)
    {
        var table = want.Name;
        if (want.Kind != have.Kind)
        {
            differences.Add(new CatalogDifference(DifferenceKind.TableKind, table, table, want.Kind, have.Kind));
        }

        if (want.Definition != have.Definition)
        {
            differences.Add(new CatalogDifference(DifferenceKind.ViewDefinition, table, table, want.Definition, have.Definition));
        }

        foreach (var column in Union(want.Columns.Keys, have.Columns.Keys))
        {
            var expected = want.Columns.GetValueOrDefault(column);
            var actual = have.Columns.GetValueOrDefault(column);
            if (expected is null || actual is null)
            {
                differences.Add(new CatalogDifference(
                    expected is null ? DifferenceKind.ExtraColumn : DifferenceKind.MissingColumn, table, column, expected?.Type, actual?.Type));
                continue;
            }

            if (expected.Type != actual.Type)
            {
                differences.Add(new CatalogDifference(DifferenceKind.ColumnType, table, column, expected.Type, actual.Type));
            }

            if (expected.NotNull != actual.NotNull)
            {
                differences.Add(new CatalogDifference(DifferenceKind.ColumnNullability, table, column, NullText(expected.NotNull), NullText(actual.NotNull)));
            }

            if (expected.Default != actual.Default)
            {
                differences.Add(new CatalogDifference(DifferenceKind.ColumnDefault, table, column, expected.Default ?? "no default", actual.Default ?? "no default"));
            }
        }

        ConstraintComparer.Compare(want, have, differences);
        Members(want.Triggers, have.Triggers, table, DifferenceKind.MissingTrigger, DifferenceKind.ExtraTrigger, DifferenceKind.TriggerDefinition, differences);
    }

    private static void Members(
        IReadOnlyDictionary<string, string> want, IReadOnlyDictionary<string, string> have, string table,
        DifferenceKind missing, DifferenceKind extra, DifferenceKind changed, List<CatalogDifference> differences)
    {
        foreach (var name in Union(want.Keys, have.Keys))
        {
            var expected = want.GetValueOrDefault(name);
            var actual = have.GetValueOrDefault(name);
            if (expected != actual)
            {
                var kind = expected is null ? extra : actual is null ? missing : changed;
                differences.Add(new CatalogDifference(kind, table, name, expected, actual));
            }
        }
    }

    private static string NullText(bool notNull) => notNull ? "NOT NULL" : "NULL";

    private static IEnumerable<string> Union(IEnumerable<string> first, IEnumerable<string> second) =>
        first.Union(second, StringComparer.Ordinal).Order(StringComparer.Ordinal);
}
