using Npgsql;
using Sark.Data.Errors;
using Sark.V1Import.Mapping;

namespace Sark.V1Import;

public sealed partial class Importer
{
    // This many rows refused before any row of the table was accepted is a broken rule, not bad data.
    private const int RefusedBeforeAnyAccepted = 50;

    /// <summary>
    /// Tells a broken schema from bad rows across the batches of one table's phase, whatever the
    /// batch size: the run stops when the first <see cref="RefusedBeforeAnyAccepted"/> candidate
    /// rows were all refused by the database, or, at the end of the phase, when every candidate (at
    /// least two) was refused and all for the same cause (one constraint, or one SQLSTATE when the
    /// database names no constraint). Once one candidate went in, refusals are bad rows.
    /// </summary>
    private sealed class RefusalGuard(bool accepted)
    {
        private readonly HashSet<string> causes = new(StringComparer.Ordinal);

        public bool Accepted { get; private set; } = accepted;

        public int Refused { get; private set; }

        public PostgresException? First { get; private set; }

        public bool StopsNow => !Accepted && Refused >= RefusedBeforeAnyAccepted;

        public bool StopsAtEnd => !Accepted && Refused >= 2 && causes.Count == 1;

        public void Add(long acceptedRows, List<PostgresException> refusals)
        {
            Accepted |= acceptedRows > 0;
            Refused += refusals.Count;
            First ??= refusals.Count > 0 ? refusals[0] : null;
            causes.UnionWith(refusals.Select(e => e.ConstraintName is { Length: > 0 } name ? $"constraint {name}" : $"SQLSTATE {e.SqlState}"));
        }
    }

    // The rows of one v1 table ($2) listed in run $1.
    private const string ForgetIssuesOfTableSql = "DELETE FROM v1_import_issues WHERE run_id = $1 AND source_table = $2";

    /// <summary>
    /// Stops the run because the database refuses the table as a whole. Nothing of the table was
    /// written (no candidate went in), so its phase is reset: the rows listed so far are forgotten
    /// and the resume, once the cause is fixed, starts the table again instead of skipping them.
    /// </summary>
    private static async Task StopPhaseAsync(
        NpgsqlConnection connection, V2Table table, RunState run, RefusalGuard guard, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            using (var forget = Sql.Command(ForgetIssuesOfTableSql, connection, transaction))
            {
                forget.Parameters.Add(new NpgsqlParameter { Value = run.RunId });
                forget.Parameters.Add(new NpgsqlParameter { Value = table.Source });
                await forget.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            run.Counts[table.Target] = new ImportCounts();
            run.Checkpoint = null;
            using (var save = run.SaveCommand(connection, transaction))
            {
                await save.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        throw new SarkException(
            PostgresErrors.KindOf(guard.First!.SqlState),
            $"the database refused every one of the {guard.Refused} rows of {table.Target} it was given ({RefusalWithoutValues(guard.First)}), and accepted none; that is not bad data in single rows. Nothing of {table.Target} was written; fix the cause and run {ImportTerms.Execute} again to resume",
            guard.First);
    }
}
