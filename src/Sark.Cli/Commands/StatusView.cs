using Sark.Data.Schema;

namespace Sark.Cli.Commands;

/// <summary>Renders a <see cref="MigrationStatus"/> as a table or JSON.</summary>
internal static class StatusView
{
    public static void Write(CliContext context, MigrationStatus status)
    {
        if (context.Json)
        {
            context.Output.WriteJson(new
            {
                current_version = status.CurrentVersion,
                head_version = status.HeadVersion,
                pending = status.HasPending,
                migrations = status.Entries.Select(e => new
                {
                    version = e.Version,
                    name = e.Name,
                    state = e.State.ToString().ToLowerInvariant(),
                    applied_at = e.AppliedAt,
                    applied_by = e.AppliedBy,
                    duration_ms = e.DurationMs,
                    checksum = e.FileChecksum ?? e.JournalChecksum,
                }),
            });
            return;
        }

        context.Output.Line($"Database at version {status.CurrentVersion}; this sark knows up to {status.HeadVersion}.");
        context.Output.Table(
            ["Version", "Migration", "State", "Applied at (UTC)", "Applied by", "ms"],
            status.Entries.Select(e => (IReadOnlyList<string>)
            [
                e.Version.ToString("D3"),
                e.Name,
                e.State.ToString().ToLowerInvariant(),
                e.AppliedAt?.ToString("yyyy-MM-dd HH:mm:ss") ?? "",
                e.AppliedBy ?? "",
                e.DurationMs?.ToString() ?? "",
            ]));
    }
}
