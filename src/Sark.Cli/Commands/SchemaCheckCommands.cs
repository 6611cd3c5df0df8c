using System.CommandLine;
using Sark.Data.Errors;
using Sark.Data.Schema;
using Sark.V1Import.Adoption;

namespace Sark.Cli.Commands;

/// <summary><c>sark db adopt</c> and <c>sark db verify</c>: comparing a live schema with the chain.</summary>
internal static class SchemaCheckCommands
{
    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "Report what adoption would record and change nothing" };

    public static Command Adopt()
    {
        var command = new Command("adopt", "Recognise an existing SARK v1 database, verify its shape and baseline the journal at its version") { DryRun };
        command.SetHandler(async (context, cancellationToken) =>
        {
            var adopter = await context.GetAsync<DatabaseAdopter>(cancellationToken);
            var report = await adopter.AdoptAsync(context.Get(DryRun), cancellationToken);
            Write(context, report);
            return report.Outcome == AdoptionOutcome.Refused
                ? throw new MigrationException($"not adopted: the database matches no SARK v1 shape ({report.Mismatches.Count()} mismatch(es) listed above); sark never guesses")
                : ExitCodes.Success;
        });
        return command;
    }

    public static Command Verify()
    {
        var command = new Command("verify", $"Compare the live schema with what the journal says it should be; exits {ExitCodes.Drift} on drift");
        command.SetHandler(async (context, cancellationToken) =>
        {
            var verifier = await context.GetAsync<SchemaVerifier>(cancellationToken);
            var report = await verifier.VerifyAsync(cancellationToken);
            if (context.Json)
            {
                context.Output.WriteJson(new
                {
                    version = report.Version,
                    variant = report.KnownDifferences.Name,
                    drift = report.Drift.Select(f => f.Difference.ToString()),
                    tolerated = report.Findings.Where(f => !f.IsMismatch).Select(f => new { difference = f.Difference.ToString(), reason = f.Reason }),
                });
            }
            else
            {
                context.Output.Line($"Schema at version {report.Version} ({VariantText(AdoptionKnownDifferences.VariantOf(report.KnownDifferences))}): {(report.HasDrift ? $"{report.Drift.Count()} drift(s)" : "no drift")}");
                foreach (var finding in report.Drift)
                {
                    context.Output.Line($"  drift: {finding.Difference}");
                }

                foreach (var finding in report.Findings.Where(f => !f.IsMismatch))
                {
                    context.Output.Detail($"  known: {finding.Difference} ({finding.Reason})");
                }
            }

            return report.HasDrift ? ExitCodes.Drift : ExitCodes.Success;
        });
        return command;
    }

    private static void Write(CliContext context, AdoptionReport report)
    {
        if (context.Json)
        {
            context.Output.WriteJson(new
            {
                outcome = report.Outcome switch
                {
                    AdoptionOutcome.AlreadyManaged => "already-managed",
                    _ => report.Outcome.ToString().ToLowerInvariant(),
                },
                variant = report.Variant.ToString().ToLowerInvariant(),
                baseline_version = report.BaselineVersion,
                source = report.Source,
                applied = report.Applied,
                tolerated = report.Tolerated.Select(f => new { difference = f.Difference.ToString(), reason = f.Reason }),
                mismatches = report.MismatchesByTable(),
            });
            return;
        }

        var output = context.Output;
        switch (report.Outcome)
        {
            case AdoptionOutcome.AlreadyManaged:
                output.Line($"Nothing to adopt: sark already manages this database (version {report.BaselineVersion}).");
                return;
            case AdoptionOutcome.Empty:
                output.Line("Nothing to adopt: the database is empty; 'sark db migrate' starts it at 001.");
                return;
            case AdoptionOutcome.Refused:
                output.Line($"Not a SARK v1 database sark can adopt. Mismatches by table (compared with {Target(report)}):");
                foreach (var line in report.MismatchesByTable())
                {
                    output.Line($"  {line}");
                }

                return;
        }

        output.Line($"Found: {VariantText(report.Variant)}, {report.Source}; its shape matches {Target(report)}.");
        if (report.Tolerated.Any())
        {
            output.Line(report.Renames.Any()
                ? "Known differences of this variant (kept as they are, except the names adoption renames):"
                : "Known differences of this variant (kept as they are):");
            foreach (var group in report.Tolerated.GroupBy(f => f.Difference.Table.Length > 0 ? f.Difference.Table : "(types)").OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                output.Line($"  {group.Key}: {string.Join("; ", group.Select(f => f.Reason).Distinct())}");
            }
        }

        output.Line(report.Applied
            ? $"Adopted: journal baselined at {Target(report)}; run 'sark db migrate' to apply the rest."
            : $"Dry run: nothing recorded; 'sark db adopt' would baseline the journal at {Target(report)}.");
    }

    private static string Target(AdoptionReport report) => MigrationSet.Embedded[report.BaselineVersion].Id;

    private static string VariantText(V1Variant variant) => variant switch
    {
        V1Variant.Alembic => "SARK v1 built by the Alembic migrations",
        V1Variant.Orm => "SARK v1 built by the v1 application's ORM",
        _ => "built by sark",
    };
}
