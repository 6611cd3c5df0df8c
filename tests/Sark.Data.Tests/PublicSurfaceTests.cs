using Sark.Data.Errors;
using Sark.Testing;

namespace Sark.Data.Tests;

/// <summary>
/// Sark.Data's public surface is what other components call (the CLI, Sark.V1Import, Sark.Local,
/// a host): wiring, options, errors, the runner, the verifier and their results. Everything else
/// is internal and reached by the tests through InternalsVisibleTo. A type added to this list is a
/// deliberate change: a component needs it, and it is documented.
/// </summary>
public sealed class PublicSurfaceTests
{
    private static readonly string[] Approved =
    [
        "Microsoft.Extensions.DependencyInjection.MaintenanceServiceCollectionExtensions",
        "Microsoft.Extensions.DependencyInjection.SarkServiceCollectionExtensions",
        "Sark.Data.Audit.AuditEvent",
        "Sark.Data.Audit.AuditEventType",
        "Sark.Data.Audit.AuditLabels",
        "Sark.Data.Audit.AuditLog",
        "Sark.Data.Audit.AuditQuery",
        "Sark.Data.Audit.AuditSeverity",
        "Sark.Data.Connection.AdvisoryLock",
        "Sark.Data.Connection.AdvisoryLockKey",
        "Sark.Data.Connection.AdvisoryLockMode",
        "Sark.Data.Connection.ConnectionStrings",
        "Sark.Data.Connection.LockHolder",
        "Sark.Data.Connection.LockWaiting",
        "Sark.Data.Connection.SarkDataSource",
        "Sark.Data.Connection.SecretMasker",
        "Sark.Data.Connection.WorkingSchema",
        "Sark.Data.Costs.BudgetChange",
        "Sark.Data.Costs.BudgetDenial",
        "Sark.Data.Costs.BudgetExceededException",
        "Sark.Data.Costs.BudgetLimit",
        "Sark.Data.Costs.BudgetOverLimit",
        "Sark.Data.Costs.BudgetStatus",
        "Sark.Data.Costs.BudgetWindow",
        "Sark.Data.Costs.BudgetWindowKind",
        "Sark.Data.Costs.ChargeRequest",
        "Sark.Data.Costs.ChargeResult",
        "Sark.Data.Costs.CostLedger",
        "Sark.Data.Costs.CostRecord",
        "Sark.Data.Costs.IdReusedException",
        "Sark.Data.Costs.IngestionResult",
        "Sark.Data.Costs.ReservationEnd",
        "Sark.Data.Costs.ReservationRequest",
        "Sark.Data.Costs.ReservationResult",
        "Sark.Data.Costs.ReservationState",
        "Sark.Data.Costs.ReusedIdKind",
        "Sark.Data.Errors.DatabaseException",
        "Sark.Data.Errors.DatabaseUnavailableException",
        "Sark.Data.Errors.HostTerm",
        "Sark.Data.Errors.MigrationException",
        "Sark.Data.Errors.PostgresErrors",
        "Sark.Data.Errors.SarkErrorKind",
        "Sark.Data.Errors.SarkException",
        "Sark.Data.Errors.SarkMessage",
        "Sark.Data.Errors.SarkTerms",
        "Sark.Data.Errors.UsageException",
        "Sark.Data.Federation.FederationNode",
        "Sark.Data.Federation.FederationRegistry",
        "Sark.Data.Federation.NodeRegistration",
        "Sark.Data.Federation.NodeTrustStatus",
        "Sark.Data.Federation.NodeVerification",
        "Sark.Data.Federation.RequestAllowance",
        "Sark.Data.Federation.RequestLimitExceededException",
        "Sark.Data.Hosting.SarkHealthCheck",
        "Sark.Data.Maintenance.MaintenanceAction",
        "Sark.Data.Maintenance.MaintenanceActionKinds",
        "Sark.Data.Maintenance.MaintenanceContext",
        "Sark.Data.Maintenance.MaintenanceJob",
        "Sark.Data.Maintenance.MaintenanceOptions",
        "Sark.Data.Maintenance.MaintenanceReport",
        "Sark.Data.Maintenance.MaintenanceService",
        "Sark.Data.Maintenance.MaintenanceStep",
        "Sark.Data.Maintenance.MaintenanceSteps",
        "Sark.Data.Paging.Page`1",
        "Sark.Data.Registry.Capability",
        "Sark.Data.Registry.CapabilityRegistration",
        "Sark.Data.Registry.Metadata.GrpcCapabilityMetadata",
        "Sark.Data.Registry.Metadata.GrpcResourceMetadata",
        "Sark.Data.Registry.Metadata.HttpCapabilityMetadata",
        "Sark.Data.Registry.Metadata.HttpResourceMetadata",
        "Sark.Data.Registry.Metadata.McpCapabilityMetadata",
        "Sark.Data.Registry.Metadata.McpResourceMetadata",
        "Sark.Data.Registry.ProtocolTotal",
        "Sark.Data.Registry.RegistryCount",
        "Sark.Data.Registry.RegistryStatistics",
        "Sark.Data.Registry.RegistryValues",
        "Sark.Data.Registry.Resource",
        "Sark.Data.Registry.ResourceChange",
        "Sark.Data.Registry.ResourceRegistration",
        "Sark.Data.Registry.ResourceStore",
        "Sark.Data.Registry.SensitivityClassifier",
        "Sark.Data.Registry.SensitivityLevel",
        "Sark.Data.Registry.UpsertResult",
        "Sark.Data.Rollups.CostGrouping",
        "Sark.Data.Rollups.CostRollupOptions",
        "Sark.Data.Rollups.CostRollupReport",
        "Sark.Data.Rollups.CostRollups",
        "Sark.Data.Rollups.CostSummaries",
        "Sark.Data.Rollups.CostSummary",
        "Sark.Data.Rollups.CostSummaryGroup",
        "Sark.Data.Rollups.CostSummaryOrigin",
        "Sark.Data.Rollups.CostSummaryQuery",
        "Sark.Data.Rollups.CostSummarySource",
        "Sark.Data.SarkOptions",
        "Sark.Data.Schema.Catalog.CatalogDifference",
        "Sark.Data.Schema.Catalog.CatalogModel",
        "Sark.Data.Schema.Catalog.ColumnShape",
        "Sark.Data.Schema.Catalog.DifferenceKind",
        "Sark.Data.Schema.Catalog.SchemaComparison",
        "Sark.Data.Schema.Catalog.TableShape",
        "Sark.Data.Schema.DataJobLock",
        "Sark.Data.Schema.IKnownDifferencesSource",
        "Sark.Data.Schema.JournalCheck",
        "Sark.Data.Schema.KnownDifferences",
        "Sark.Data.Schema.Migration",
        "Sark.Data.Schema.MigrationChecksumAccepted",
        "Sark.Data.Schema.MigrationDirection",
        "Sark.Data.Schema.MigrationLockWaiting",
        "Sark.Data.Schema.MigrationOutcome",
        "Sark.Data.Schema.MigrationPlan",
        "Sark.Data.Schema.MigrationProgress",
        "Sark.Data.Schema.MigrationRunner",
        "Sark.Data.Schema.MigrationRunnerOptions",
        "Sark.Data.Schema.MigrationScript",
        "Sark.Data.Schema.MigrationScriptWriter",
        "Sark.Data.Schema.MigrationSet",
        "Sark.Data.Schema.MigrationState",
        "Sark.Data.Schema.MigrationStatus",
        "Sark.Data.Schema.MigrationStatusEntry",
        "Sark.Data.Schema.MigrationStep",
        "Sark.Data.Schema.MigrationStepDone",
        "Sark.Data.Schema.MigrationTerms",
        "Sark.Data.Schema.RepairOutcome",
        "Sark.Data.Schema.SchemaFinding",
        "Sark.Data.Schema.SchemaVerifier",
        "Sark.Data.Schema.VerifyReport",
    ];

    [Fact]
    public void Only_the_approved_types_are_public() =>
        Assert.Empty(PublicSurface.DifferencesFrom(typeof(SarkException).Assembly, Approved));

    [Fact]
    public void Every_public_type_and_property_is_documented() =>
        Assert.Empty(PublicSurface.UndocumentedIn(typeof(SarkException).Assembly));

    [Fact]
    public void A_type_that_turns_public_or_internal_is_named()
    {
        var differences = PublicSurface.DifferencesFrom(
            typeof(SarkException).Assembly,
            Approved.Where(t => t != "Sark.Data.Schema.MigrationRunner").Append("Sark.Data.Schema.SqlStatementSplitter"));

        Assert.Equal(
            [
                "Sark.Data.Schema.MigrationRunner is public but not approved: make it internal, or approve it on purpose",
                "Sark.Data.Schema.SqlStatementSplitter is approved but not public (any more): take it off the list",
            ],
            differences);
    }
}
