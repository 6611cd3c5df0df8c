using System.Text;
using Microsoft.Win32.SafeHandles;
using Sark.Data.Connection;
using Sark.Data.Errors;

namespace Sark.Cli.Output;

/// <summary>
/// The file a <c>--json FILE</c> option names. It is checked when the command line is parsed, so a
/// place that cannot take the report fails before any work, and written once the work is done,
/// whole or not at all. The check leaves nothing behind: a run that then fails early finds the
/// folder as it was, an earlier report included.
/// </summary>
/// <remarks>
/// Every existing target is opened for writing at the check, without waiting and without
/// truncating (see <see cref="NonBlockingOpen"/>): a read-only empty file, a link to one, a device
/// that refuses writes and a named pipe with no reader are refused before the work, never found
/// out after it. A target written in place (see <see cref="IsReplacedWhole"/>) is kept open from
/// the check to the write: closing a pipe in between would end its reader's input before the
/// report was in it.
/// </remarks>
internal sealed class ReportFile : IDisposable
{
    private SafeFileHandle? inPlace;

    private ReportFile(string fullPath, string given, SafeFileHandle? inPlace)
    {
        FullPath = fullPath;
        Given = given;
        this.inPlace = inPlace;
    }

    public string FullPath { get; }

    /// <summary>The path as the user typed it, for messages.</summary>
    public string Given { get; }

    /// <summary>Checks that <paramref name="text"/> can take the report; throws <see cref="UsageException"/> naming why not.</summary>
    public static ReportFile Prepare(string text, string optionName)
    {
        CheckedOptions.NotBlank(text, optionName, "a file to write the JSON report to");
        CheckedOptions.NotAnOption(text, optionName, "a file to write the JSON report to");
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

        var info = new FileInfo(fullPath);
        SafeFileHandle? existing = null;
        if (info.Exists || info.LinkTarget is not null)
        {
            existing = NonBlockingOpen.TryOpenForWrite(fullPath, out var errno) ?? throw new UsageException(errno == NonBlockingOpen.NoReader
                ? $"{optionName} '{text}' is a named pipe that nothing reads; the report is written after the work and would wait for a reader forever: start the reader first, or write to a file"
                : $"{optionName} '{text}' cannot be written: {NonBlockingOpen.Describe(errno)}");
        }

        if (!IsReplacedWhole(info))
        {
            return new ReportFile(fullPath, text, existing);
        }

        existing?.Dispose();
        try
        {
            // Creating (and at once removing) the sibling the report will be written to proves
            // that the folder takes it.
            using (new FileStream(TemporarySibling(fullPath), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{optionName} '{text}' cannot be written: {ConnectionStrings.FirstLine(ex.Message)}", ex);
        }

        return new ReportFile(fullPath, text, null);
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
            if (inPlace is not null)
            {
                await WriteInPlaceAsync(content, cancellationToken);
            }
            else
            {
                await ReplaceAsync(content, cancellationToken);
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

    public void Dispose()
    {
        inPlace?.Dispose();
        inPlace = null;
    }

    // A new file or an earlier report is written beside it and renamed over it, so a reader never
    // sees half a report. Anything else (an empty file, a link, /dev/stdout, a pipe) is written in
    // place, as a shell redirection would: renaming over a device or a link would replace it.
    private static bool IsReplacedWhole(FileInfo info) =>
        !info.Exists ? info.LinkTarget is null : info.Length > 0 && info.LinkTarget is null;

    private async Task WriteInPlaceAsync(string content, CancellationToken cancellationToken)
    {
        var handle = inPlace!;
        inPlace = null;
        NonBlockingOpen.MakeBlocking(handle);
        await using var stream = new FileStream(handle, FileAccess.Write, 1);
        if (stream.CanSeek && stream.Length > 0)
        {
            // A link to an earlier report: replaced, as '>' would.
            stream.SetLength(0);
        }

        await stream.WriteAsync(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(content), cancellationToken);
        await stream.FlushAsync(cancellationToken);
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
