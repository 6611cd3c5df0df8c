namespace Sark.Data.Schema.Catalog;

/// <summary>The shape of one schema: what migrations create, without data or partitions.</summary>
public sealed record CatalogModel(
    IReadOnlyDictionary<string, TableShape> Tables,
    IReadOnlyDictionary<string, IReadOnlyList<string>> EnumTypes,
    IReadOnlyDictionary<string, string> Functions)
{
    public bool IsEmpty => Tables.Count == 0 && EnumTypes.Count == 0 && Functions.Count == 0;
}

/// <summary>A table, partitioned table, view or materialized view (<see cref="Kind"/> as in pg_class.relkind).</summary>
public sealed record TableShape(
    string Name,
    string Kind,
    IReadOnlyDictionary<string, ColumnShape> Columns,
    IReadOnlyDictionary<string, string> Constraints,
    IReadOnlyDictionary<string, string> Indexes,
    IReadOnlyDictionary<string, string> Triggers,
    string? Definition);

public sealed record ColumnShape(string Name, string Type, bool NotNull, string? Default);

public enum DifferenceKind
{
    MissingTable,
    ExtraTable,
    TableKind,
    MissingColumn,
    ExtraColumn,
    ColumnType,
    ColumnNullability,
    ColumnDefault,
    MissingConstraint,
    ExtraConstraint,
    ConstraintDefinition,

    /// <summary>The expected constraint (Subject, Expected) exists with its definition under another name (Actual).</summary>
    ConstraintName,

    /// <summary>The expected UNIQUE or PRIMARY KEY constraint is absent, but a unique index (Actual) enforces the same rule.</summary>
    UniqueAsIndex,
    MissingIndex,
    ExtraIndex,
    IndexDefinition,

    /// <summary>The expected index (Subject, Expected) exists with its definition under another name (Actual).</summary>
    IndexName,
    MissingTrigger,
    ExtraTrigger,
    TriggerDefinition,
    ViewDefinition,
    MissingType,
    ExtraType,
    EnumLabels,
    MissingFunction,
    ExtraFunction,
    FunctionDefinition,
}

/// <summary>One way the live schema differs from the expected one.</summary>
public sealed record CatalogDifference(DifferenceKind Kind, string Table, string Subject, string? Expected, string? Actual)
{
    public override string ToString() => Kind switch
    {
        DifferenceKind.MissingTable => $"table {Table}: missing",
        DifferenceKind.ExtraTable => $"table {Table}: not expected",
        DifferenceKind.MissingType => $"type {Subject}: missing",
        DifferenceKind.ExtraType => $"type {Subject}: not expected",
        DifferenceKind.EnumLabels => $"type {Subject}: labels ({Actual}), expected ({Expected})",
        DifferenceKind.MissingFunction => $"function {Subject}: missing",
        DifferenceKind.ExtraFunction => $"function {Subject}: not expected",
        DifferenceKind.FunctionDefinition => $"function {Subject}: definition differs",
        DifferenceKind.ConstraintName or DifferenceKind.IndexName => $"table {Table}: {Describe()} {Subject} is named {Actual} (same definition)",
        DifferenceKind.UniqueAsIndex => $"table {Table}: constraint {Subject} ({Expected}) is only the unique index {Actual}",
        _ when Expected is null => $"table {Table}: {Describe()} {Subject} not expected ({Actual})",
        _ when Actual is null => $"table {Table}: {Describe()} {Subject} missing (expected {Expected})",
        _ => $"table {Table}: {Describe()} {Subject} is {Actual}, expected {Expected}",
    };

    private string Describe() => Kind switch
    {
        DifferenceKind.MissingColumn or DifferenceKind.ExtraColumn => "column",
        DifferenceKind.ColumnType => "column type of",
        DifferenceKind.ColumnNullability => "nullability of",
        DifferenceKind.ColumnDefault => "default of",
        DifferenceKind.MissingConstraint or DifferenceKind.ExtraConstraint or DifferenceKind.ConstraintDefinition or DifferenceKind.ConstraintName => "constraint",
        DifferenceKind.MissingIndex or DifferenceKind.ExtraIndex or DifferenceKind.IndexDefinition or DifferenceKind.IndexName => "index",
        DifferenceKind.MissingTrigger or DifferenceKind.ExtraTrigger or DifferenceKind.TriggerDefinition => "trigger",
        DifferenceKind.TableKind => "kind",
        DifferenceKind.ViewDefinition => "definition",
        _ => Kind.ToString(),
    };
}
