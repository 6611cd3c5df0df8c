using Npgsql;
using Sark.Data.Connection;
using Sark.Data.Errors;
using Sark.Data.Schema.Catalog;

namespace Sark.Data.Schema;

/// <summary>What <see cref="SchemaVerifier.VerifyAsync"/> found: drift, and differences the database is known to have.</summary>
/// <param name="Version">The journal's version, whose shape the live schema was compared with.</param>
/// <param name="KnownDifferences">The set the findings were judged with.</param>
/// <param name="Findings">Every difference, known or drift.</param>
public sealed record VerifyReport(int Version, KnownDifferences KnownDifferences, IReadOnlyList<SchemaFinding> Findings)
{
    /// <summary>The findings no known difference explains.</summary>
    public IEnumerable<SchemaFinding> Drift => Findings.Where(f => f.IsMismatch);

    /// <summary>
    /// Whether the live schema differs from the journal's version in a way no known difference
    /// explains.
    /// </summary>
    public bool HasDrift => Drift.Any();
}

/// <summary>
/// Compares the live schema with what the journal says should be there: the chain's shape at the
/// journal's version, built in a scratch schema that is rolled back. Differences the database is
/// known to have (read through the <see cref="IKnownDifferencesSource"/> given, if any; without
/// one nothing is tolerated) are reported but are not drift.
/// </summary>
public sealed class SchemaVerifier(NpgsqlDataSource dataSource, MigrationSet migrations, IKnownDifferencesSource? knownDifferences = null)
{
    /// <summary>
    /// Compares the live schema with the chain's shape at the journal's version. Changes nothing.
    /// </summary>
    /// <exception cref="MigrationException">
    /// The journal is one this binary must not work on, or the database has tables but no journal
    /// (<see cref="SarkErrorKind.SchemaDrift"/>).
    /// </exception>
    public async Task<VerifyReport> VerifyAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var runner = new MigrationRunner(dataSource, migrations);
            var status = await runner.GetStatusAsync(cancellationToken).ConfigureAwait(false);
            if (runner.FindProblem(status) is { } problem)
            {
                throw new MigrationException(SarkErrorKind.SchemaDrift, problem);
            }

            if (status.CurrentVersion == 0 && await runner.FindUnjournaledObjectsAsync(cancellationToken).ConfigureAwait(false) is { } unjournaled)
            {
                throw new MigrationException(SarkErrorKind.SchemaDrift, unjournaled);
            }

            var connection = await SarkDataSource.OpenAsync(dataSource, cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
            var known = knownDifferences is null ? KnownDifferences.None : await knownDifferences.ReadAsync(connection, cancellationToken).ConfigureAwait(false);
            var live = await SchemaComparison.ReadLiveAsync(connection, knownDifferences?.BookkeepingTables ?? [], cancellationToken).ConfigureAwait(false);
            var findings = (await SchemaComparison.CompareWithChainAsync(connection, migrations, status.CurrentVersion, live, cancellationToken).ConfigureAwait(false))
                .Select(d => new SchemaFinding(d, known.Explain(d)))
                .ToList();
            return new VerifyReport(status.CurrentVersion, known, findings);
        }
        catch (NpgsqlException ex)
        {
            // A database error nothing inside handled leaves as a SarkException with its kind.
            throw PostgresErrors.Translate(ex);
        }
    }
}
