using Npgsql;
using Sark.Data.Schema;
using Sark.Data.Schema.Catalog;
using Sark.Testing;

namespace Sark.Data.Tests.Schema;

/// <summary>
/// The verifier knows no other tool: what a database is known to differ by, and which tables are
/// another tool's bookkeeping, come from the <see cref="IKnownDifferencesSource"/> it is given.
/// </summary>
public sealed class SchemaVerifierTests : EmptyDatabaseTest
{
    private const string ExtraIndex = "CREATE INDEX ix_legacy_capabilities_description ON capabilities (description)";

    /// <summary>Tolerates one index by name, and keeps a table of its own, as a tool that built the database would.</summary>
    private sealed class LegacyTool : IKnownDifferencesSource
    {
        public IReadOnlyCollection<string> BookkeepingTables { get; } = ["legacy_version"];

        public Task<KnownDifferences> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default) =>
            Task.FromResult(new KnownDifferences("legacy", d =>
                d is { Kind: DifferenceKind.ExtraIndex, Subject: "ix_legacy_capabilities_description" } ? "the legacy tool's index" : null));
    }

    private async Task<VerifyReport> VerifyAsync(IKnownDifferencesSource? source = null) =>
        await new SchemaVerifier(Database.DataSource, MigrationSet.Embedded, source).VerifyAsync();

    [Fact]
    public async Task Without_a_source_nothing_is_tolerated_and_every_extra_table_is_drift()
    {
        await new MigrationRunner(Database.DataSource, MigrationSet.Embedded).MigrateAsync();
        await Database.ExecuteAsync($"{ExtraIndex}; CREATE TABLE legacy_version (v text)");

        var report = await VerifyAsync();

        Assert.Equal("none", report.KnownDifferences.Name);
        Assert.Equal(
            ["table capabilities: index ix_legacy_capabilities_description not expected (CREATE INDEX ix_legacy_capabilities_description ON capabilities USING btree (description))",
             "table legacy_version: not expected"],
            report.Drift.Select(f => f.Difference.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_source_tolerates_its_differences_with_their_reason_and_its_bookkeeping_is_not_compared()
    {
        await new MigrationRunner(Database.DataSource, MigrationSet.Embedded).MigrateAsync();
        await Database.ExecuteAsync($"{ExtraIndex}; CREATE TABLE legacy_version (v text)");

        var report = await VerifyAsync(new LegacyTool());

        Assert.Equal("legacy", report.KnownDifferences.Name);
        Assert.False(report.HasDrift);
        var known = Assert.Single(report.Findings);
        Assert.Equal(("ix_legacy_capabilities_description", "the legacy tool's index"), (known.Difference.Subject, known.Reason));

        // Only what the source knows: any other difference is still drift.
        await Database.ExecuteAsync("CREATE INDEX ix_other ON capabilities (name)");
        Assert.Equal("ix_other", Assert.Single((await VerifyAsync(new LegacyTool())).Drift).Difference.Subject);
    }
}
