using Sark.Testing;

namespace Sark.V1Import.Tests;

/// <summary>
/// Sark.V1Import's public surface is what the CLI (or another host) calls: the importer, planner,
/// validator, rollback, adoption, the sample data and baseline, their options and reports. The
/// mapping SQL, run state and adoption rules are internal. A type added to this list is a
/// deliberate change: a component needs it, and it is documented.
/// </summary>
public sealed class PublicSurfaceTests
{
    private static readonly string[] Approved =
    [
        "Microsoft.Extensions.DependencyInjection.V1ImportServiceCollectionExtensions",
        "Sark.V1Import.Adoption.AdoptionKnownDifferences",
        "Sark.V1Import.Adoption.AdoptionOutcome",
        "Sark.V1Import.Adoption.AdoptionReport",
        "Sark.V1Import.Adoption.DatabaseAdopter",
        "Sark.V1Import.Adoption.V1Variant",
        "Sark.V1Import.Baseline",
        "Sark.V1Import.DryRunReport",
        "Sark.V1Import.ImportCounts",
        "Sark.V1Import.Importer",
        "Sark.V1Import.ImportOptions",
        "Sark.V1Import.ImportProgress",
        "Sark.V1Import.ImportResult",
        "Sark.V1Import.ImportTerms",
        "Sark.V1Import.Planner",
        "Sark.V1Import.Rollback",
        "Sark.V1Import.RollbackReport",
        "Sark.V1Import.RowNote",
        "Sark.V1Import.SampleData",
        "Sark.V1Import.TablePlan",
        "Sark.V1Import.V1Source",
        "Sark.V1Import.ValidationCheck",
        "Sark.V1Import.ValidationReport",
        "Sark.V1Import.Validator",
    ];

    [Fact]
    public void Only_the_approved_types_are_public() =>
        Assert.Empty(PublicSurface.DifferencesFrom(typeof(Importer).Assembly, Approved));

    [Fact]
    public void Every_public_type_and_property_is_documented() =>
        Assert.Empty(PublicSurface.UndocumentedIn(typeof(Importer).Assembly));
}
