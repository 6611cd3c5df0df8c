using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Schema.Adoption;
using Sark.Data.Schema.Catalog;

namespace Sark.Data.Schema;

/// <summary>What <c>sark db verify</c> found: drift, and differences an adopted variant is known to have.</summary>
public sealed record VerifyReport(int Version, V1Variant Variant, IReadOnlyList<AdoptionFinding> Findings)
{
    public IEnumerable<AdoptionFinding> Drift => Findings.Where(f => f.IsMismatch);

    public bool HasDrift => Drift.Any();
}

/// <summary>
/// Compares the live schema with what the journal says should be there: the chain's shape at the
/// journal's version, built in a scratch schema that is rolled back. An adopted database's known
/// variant differences are reported but are not drift.
/// </summary>
public sealed class SchemaVerifier(NpgsqlDataSource dataSource, MigrationSet migrations)
{
    public async Task<VerifyReport> VerifyAsync(CancellationToken cancellationToken = default)
    {
        var runner = new MigrationRunner(dataSource, migrations);
        var status = await runner.GetStatusAsync(cancellationToken);
        if (runner.FindProblem(status) is { } problem)
        {
            throw new MigrationException(SarkErrorKind.SchemaDrift, problem);
        }

        if (status.CurrentVersion == 0 && await runner.FindUnjournaledObjectsAsync(cancellationToken) is { } unjournaled)
        {
            throw new MigrationException(SarkErrorKind.SchemaDrift, unjournaled);
        }

        await using var connection = await SarkDataSource.OpenAsync(dataSource, cancellationToken);
        var variant = await AdoptionRecord.ReadVariantAsync(connection, cancellationToken);
        var expected = await SchemaReference.BuildAsync(connection, migrations, status.CurrentVersion, cancellationToken);
        var live = await SchemaReference.ReadLiveAsync(connection, cancellationToken);
        var findings = CatalogComparer.Compare(expected, live)
            .Select(d => new AdoptionFinding(d, AdoptionRules.Explain(variant, d)))
            .ToList();
        return new VerifyReport(status.CurrentVersion, variant, findings);
    }
}
