using Sark.Data.Connection;
using Sark.Data.Errors;

namespace Sark.Cli.Output;

/// <summary>
/// The file a <c>--json FILE</c> option names. It is checked when the command line is parsed, so a
/// place that cannot take the report fails before any work, and written once the work is done,
/// whole or not at all. The check leaves nothing behind: a run that then fails early finds the
/// folder as it was, an earlier report included.
/// </summary>
internal sealed class ReportFile
{
    private ReportFile(string fullPath, string given)
    {
        FullPath = fullPath;
        Given = given;
    }

    public string FullPath { get; }

    /// <summary>The path as the user typed it, for messages.</summary>
    public string Given { get; }

    /// <summary>Checks that <paramref name="text"/> can take the report; throws <see cref="UsageException"/> naming why not.</summary>
    public static ReportFile Prepare(string text, string optionName)
    {
        CheckedOptions.NotBlank(text, optionName, "a file to write the JSON report to");
        var fullPath = Path.GetFullPath(text);
        if (Directory.Exists(fullPath))
        {
            throw new UsageException($"{optionName} '{text}' is a folder; expected a file to write the JSON report to");
        }

        var directory = Path.GetDirectoryName(fullPath);
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new UsageException($"{optionName} '{text}': the folder {directory} does not exist");
        }

        try
        {
            if (IsReplacedWhole(fullPath))
            {
                // Creating (and at once removing) the sibling the report will be written to proves
                // that the folder takes it; an existing report is opened without being truncated, so
                // a read-only one is refused now rather than replaced later.
                using (new FileStream(TemporarySibling(fullPath), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
                {
                }

                if (File.Exists(fullPath))
                {
                    using var existing = new FileStream(fullPath, FileMode.Open, FileAccess.Write);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{optionName} '{text}' cannot be written: {ConnectionStrings.FirstLine(ex.Message)}", ex);
        }

        return new ReportFile(fullPath, text);
    }

    /// <summary>
    /// Writes the report. When that fails the work stays done, so this says so plainly on
    /// <paramref name="error"/> and returns false; the caller exits with <see cref="ExitCodes.ReportNotWritten"/>.
    /// </summary>
    public async Task<bool> TryWriteAsync(string content, string work, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            if (IsReplacedWhole(FullPath))
            {
                await ReplaceAsync(content, cancellationToken);
            }
            else
            {
                await File.WriteAllTextAsync(FullPath, content, cancellationToken);
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync(
                $"sark: {work} finished, but its JSON report was not written to '{Given}': {ConnectionStrings.FirstLine(ex.Message)}; the work is done, do not run it again for the report's sake");
            return false;
        }
    }

    // A new file or an earlier report is written beside it and renamed over it, so a reader never
    // sees half a report. Anything else (an empty file, a link, /dev/stdout, a pipe) is written in
    // place, as a shell redirection would: renaming over a device or a link would replace it.
    private static bool IsReplacedWhole(string path)
    {
        var info = new FileInfo(path);
        return !info.Exists || (info.Length > 0 && info.LinkTarget is null);
    }

    private async Task ReplaceAsync(string content, CancellationToken cancellationToken)
    {
        var temporary = TemporarySibling(FullPath);
        try
        {
            await File.WriteAllTextAsync(temporary, content, cancellationToken);
            if (File.Exists(FullPath) && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(FullPath));
            }

            File.Move(temporary, FullPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static string TemporarySibling(string path) =>
        Path.Combine(Path.GetDirectoryName(path) ?? ".", $".sark-report-{Guid.NewGuid():N}.tmp");
}
