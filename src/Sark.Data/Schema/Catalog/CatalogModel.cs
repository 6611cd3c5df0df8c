namespace Sark.Data.Schema.Catalog;

/// <summary>The shape of one schema: what migrations create, without data or partitions.</summary>
/// <param name="Tables">Tables, views and materialized views by name.</param>
/// <param name="EnumTypes">Enum types by name, with their labels in order.</param>
/// <param name="Functions">Functions by signature (<c>name(argument types)</c>), with their definitions.</param>
public sealed record CatalogModel(
    IReadOnlyDictionary<string, TableShape> Tables,
    IReadOnlyDictionary<string, IReadOnlyList<string>> EnumTypes,
    IReadOnlyDictionary<string, string> Functions)
{
    /// <summary>Nothing at all: no table, type or function (a schema nothing has been created in).</summary>
    public bool IsEmpty => Tables.Count == 0 && EnumTypes.Count == 0 && Functions.Count == 0;
}

/// <summary>A table, partitioned table, view or materialized view (<see cref="Kind"/> as in pg_class.relkind).</summary>
/// <param name="Name">The relation's name.</param>
/// <param name="Kind">Its pg_class.relkind: r table, p partitioned, v view, m materialized view, f foreign table.</param>
/// <param name="Columns">Columns by name.</param>
/// <param name="Constraints">Constraint definitions by name.</param>
/// <param name="Indexes">Index definitions by name.</param>
/// <param name="Triggers">Trigger definitions by name.</param>
/// <param name="Definition">A view's query; null for a table.</param>
public sealed record TableShape(
    string Name,
    string Kind,
    IReadOnlyDictionary<string, ColumnShape> Columns,
    IReadOnlyDictionary<string, string> Constraints,
    IReadOnlyDictionary<string, string> Indexes,
    IReadOnlyDictionary<string, string> Triggers,
    string? Definition);

/// <summary>A column as the catalog describes it.</summary>
/// <param name="Name">The column name.</param>
/// <param name="Type">The type as <c>format_type</c> spells it (<c>character varying(255)</c>).</param>
/// <param name="NotNull">Whether the column is NOT NULL.</param>
/// <param name="Default">The default expression as the server deparses it, or null.</param>
public sealed record ColumnShape(string Name, string Type, bool NotNull, string? Default);

/// <summary>
/// What a <see cref="CatalogDifference"/> is about. Missing… means expected but absent, Extra…
/// present but not expected, and …Definition (or Type, Kind, Labels) present under both names but
/// not the same.
/// </summary>
public enum DifferenceKind
{
    /// <summary>An expected table, view or materialized view is absent.</summary>
    MissingTable,

    /// <summary>A table, view or materialized view that is not expected.</summary>
    ExtraTable,

    /// <summary>The relation exists as another kind (a view where a table was expected).</summary>
    TableKind,

    /// <summary>An expected column is absent.</summary>
    MissingColumn,

    /// <summary>A column that is not expected.</summary>
    ExtraColumn,

    /// <summary>The column has another type.</summary>
    ColumnType,

    /// <summary>The column is nullable where NOT NULL was expected, or the other way round.</summary>
    ColumnNullability,

    /// <summary>The column has another default, or one where none was expected.</summary>
    ColumnDefault,

    /// <summary>An expected constraint is absent.</summary>
    MissingConstraint,

    /// <summary>A constraint that is not expected.</summary>
    ExtraConstraint,

    /// <summary>The constraint exists under its name with another definition.</summary>
    ConstraintDefinition,

    /// <summary>The expected constraint (Subject, Expected) exists with its definition under another name (Actual).</summary>
    ConstraintName,

    /// <summary>The expected UNIQUE or PRIMARY KEY constraint is absent, but a unique index (Actual) enforces the same rule.</summary>
    UniqueAsIndex,

    /// <summary>An expected index is absent.</summary>
    MissingIndex,

    /// <summary>An index that is not expected.</summary>
    ExtraIndex,

    /// <summary>The index exists under its name with another definition.</summary>
    IndexDefinition,

    /// <summary>The expected index (Subject, Expected) exists with its definition under another name (Actual).</summary>
    IndexName,

    /// <summary>An expected trigger is absent.</summary>
    MissingTrigger,

    /// <summary>A trigger that is not expected.</summary>
    ExtraTrigger,

    /// <summary>The trigger exists under its name with another definition.</summary>
    TriggerDefinition,

    /// <summary>The view or materialized view selects something else.</summary>
    ViewDefinition,

    /// <summary>An expected enum type is absent.</summary>
    MissingType,

    /// <summary>An enum type that is not expected.</summary>
    ExtraType,

    /// <summary>The enum type has other labels, or the same in another order.</summary>
    EnumLabels,

    /// <summary>An expected function is absent.</summary>
    MissingFunction,

    /// <summary>A function that is not expected.</summary>
    ExtraFunction,

    /// <summary>The function exists under its signature with another body or attributes.</summary>
    FunctionDefinition,
}

/// <summary>One way the live schema differs from the expected one.</summary>
/// <param name="Kind">What differs.</param>
/// <param name="Table">The table it is on; empty for a type or function.</param>
/// <param name="Subject">The column, constraint, index, trigger, type or function; the table itself for a table.</param>
/// <param name="Expected">What the expected schema has, or null.</param>
/// <param name="Actual">What the live schema has, or null.</param>
public sealed record CatalogDifference(DifferenceKind Kind, string Table, string Subject, string? Expected, string? Actual)
{
    /// <summary>One line for a report: what, where, and expected against actual.</summary>
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
