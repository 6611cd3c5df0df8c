using System.Diagnostics;
using System.Text.Json;
using Sark.V1Import;

namespace Sark.Cli.Output;

/// <summary>Human-readable reports of <c>sark migrate-v1</c> on stdout, and their JSON forms.</summary>
internal sealed class MigrateV1View(ConsoleOutput output)
{
    private const int Shown = 20;

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new CliMessageJsonConverter() },
    };

    private static readonly string[] PlanActions = ["insert", "update", "unchanged", "invalid", "conflict", "duplicate", "remove", "kept"];

    private static double PeakMemoryMegabytes => Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0;

    public void Write(DryRunReport report)
    {
        output.Line($"Dry run (v1 built by {report.Source.Variant.ToString().ToLowerInvariant()}): nothing was written.");
        foreach (var table in report.Tables)
        {
            // "kept" is rare (stale resources native capabilities still use); shown only when it happens.
            output.Line($"{table.Table} (from {table.Source}): " + string.Join(", ", PlanActions.Where(a => a != "kept" || table.Count(a) > 0).Select(a => $"{table.Count(a)} {Verb(a)}")));
            if (table.ChangedFields.Count > 0)
            {
                output.Line("  fields that would change: " + string.Join(", ", table.ChangedFields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key} {f.Value}")));
            }

            WriteRows(table.Rows);
        }
    }

    public void Write(ImportResult result)
    {
        output.Line($"Run {result.RunId}{(result.Resumed ? " (resumed)" : "")} finished in {result.Elapsed.TotalSeconds:0.0} s.");
        foreach (var (table, c) in result.Tables)
        {
            output.Line($"{table}: {c.Inserted} inserted, {c.Updated} updated, {c.Unchanged} unchanged, {c.Invalid} invalid, {c.Conflicts} conflicts, {c.Duplicates} duplicates, {c.Removed} removed");
        }

        if (result.Issues.Count > 0)
        {
            output.Line("Skipped v1 rows (kept out of v2; fix them in v1 and run again):");
            WriteRows(result.Issues);
        }

        foreach (var (step, milliseconds) in result.StatementMilliseconds)
        {
            output.Detail($"  time in {step}: {milliseconds:N0} ms");
        }
    }

    public void Write(ValidationReport report)
    {
        foreach (var check in report.Checks)
        {
            output.Line($"{(check.Passed ? "PASS" : "FAIL")}  {check.Name}: {CliWording.Render(check.Summary)}");
            foreach (var detail in check.Details.Take(check.Passed ? 5 : Shown))
            {
                output.Line($"        {detail}");
            }

            if (check.Details.Count > (check.Passed ? 5 : Shown))
            {
                output.Line($"        … {check.Count - (check.Passed ? 5 : Shown)} more (--json FILE lists up to 1000)");
            }
        }

        output.Line(report.Passed ? "Validation passed." : $"Validation failed: {report.Checks.Count(c => !c.Passed)} check(s) failed.");
    }

    public void Write(RollbackReport report)
    {
        var verb = report.DryRun ? "Would remove" : "Removed";
        output.Line($"{verb} {report.Removed.GetValueOrDefault("capabilities")} capabilities and {report.Removed.GetValueOrDefault("resources")} resources written by the v1 import{(report.Forced ? " (forced)" : "")}; native v2 rows are untouched.");
        if (report.Kept.Count > 0)
        {
            output.Line($"Kept {report.KeptTotal} migrated row(s):");
            WriteRows([.. report.Kept.Select(CliWording.KeptRow)]);
        }
    }

    /// <summary>One line per table, for <c>sark quickstart</c>.</summary>
    public void WriteSummary(DryRunReport report)
    {
        foreach (var table in report.Tables)
        {
            output.Line($"dry run   {table.Table}: " + string.Join(", ", PlanActions.Where(a => table.Count(a) > 0).Select(a => $"{table.Count(a)} {Verb(a)}")));
        }
    }

    public void WriteSummary(ImportResult result)
    {
        foreach (var (table, c) in result.Tables)
        {
            output.Line($"execute   {table}: {c.Inserted} inserted, {c.Updated} updated, {c.Unchanged} unchanged, {c.Invalid + c.Conflicts + c.Duplicates} skipped, {c.Removed} removed");
        }
    }

    public void WriteSummary(ValidationReport report) =>
        output.Line(report.Passed
            ? $"validate  passed: {report.Checks.Count} checks, every migrated row matches its v1 row"
            : $"validate  FAILED: {string.Join("; ", report.Checks.Where(c => !c.Passed).Select(c => $"{c.Name}: {CliWording.Render(c.Summary)}"))}");

    private void WriteRows(IReadOnlyList<RowNote> rows)
    {
        foreach (var group in rows.GroupBy(r => r.Action))
        {
            foreach (var row in group.Take(Shown))
            {
                output.Line($"  {row.Action,-9} {row.TargetId}: {row.Detail}");
            }

            if (group.Count() > Shown)
            {
                output.Line($"  {group.Key,-9} … {group.Count() - Shown} more listed in --json FILE");
            }
        }
    }

    private static string Verb(string action) => action switch
    {
        "insert" => "to insert",
        "update" => "to update",
        "remove" => "to remove",
        "kept" => "stale but kept (native capabilities use them)",
        "conflict" => "conflicts",
        "duplicate" => "duplicates",
        _ => action,
    };

    public static object ToJson(DryRunReport report) => new
    {
        mode = "dry-run",
        v1_variant = report.Source.Variant.ToString().ToLowerInvariant(),
        tables = report.Tables.Select(t => new { table = t.Table, source = t.Source, counts = t.Counts, changed_fields = t.ChangedFields, rows = t.Rows }),
        rows_listed_per_action = report.RowsListedPerAction,
        peak_memory_mb = PeakMemoryMegabytes,
    };

    public static object ToJson(ImportResult result) => new
    {
        mode = "execute",
        run_id = result.RunId,
        resumed = result.Resumed,
        elapsed_seconds = result.Elapsed.TotalSeconds,
        tables = result.Tables,
        issues = result.Issues,
        statement_ms = result.StatementMilliseconds,
        peak_memory_mb = PeakMemoryMegabytes,
    };

    public static object ToJson(ValidationReport report) => new
    {
        mode = "validate",
        passed = report.Passed,
        checks = report.Checks,
        peak_memory_mb = PeakMemoryMegabytes,
    };

    public static object ToJson(RollbackReport report) => new
    {
        mode = report.DryRun ? "rollback-dry-run" : "rollback",
        forced = report.Forced,
        removed = report.Removed,
        kept_total = report.KeptTotal,
        kept = report.Kept.Select(CliWording.KeptRow),
        peak_memory_mb = PeakMemoryMegabytes,
    };
}
