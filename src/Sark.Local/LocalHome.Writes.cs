namespace Sark.Local;

/// <summary>
/// How sark creates the home and writes into it. Under root every write in the home happens as the
/// server user, who owns it: a link that user planted leads only to what it may change anyway.
/// </summary>
internal sealed partial class LocalHome
{
    /// <summary>
    /// Creates the home, already given to the server user and holding its marker, under a temporary
    /// name next to it, then renames it into place: a concurrent sark sees nothing or a finished
    /// home, never a folder root has not yet given away. Returns false if the name was taken first.
    /// </summary>
    private async Task<bool> TryCreateAsync(CancellationToken cancellationToken)
    {
        await CreateMissingParentsAsync(Root, cancellationToken).ConfigureAwait(false);
        var parent = Path.GetDirectoryName(Root)!;
        if (runAs is not null && (await ProcessRunner.RunAsync("test", ["-x", parent], runAs, cancellationToken).ConfigureAwait(false)).ExitCode != 0)
        {
            throw UnreachableBy(runAs, parent);
        }

        var staging = Path.Join(parent, $".{Path.GetFileName(Root)}.sark-new-{Guid.NewGuid():N}");
        await MustAsync(ProcessRunner.RunAsync("mkdir", ["-m", "0700", "--", staging], null, cancellationToken), $"could not create {Root}").ConfigureAwait(false);
        try
        {
            if (runAs is not null)
            {
                // -h: should the name be a link by now, the link changes hands, not what it points to.
                await MustAsync(ProcessRunner.RunAsync("chown", ["-h", $"{runAs}:", "--", staging], null, cancellationToken), $"could not give {staging} to the '{runAs}' system user").ConfigureAwait(false);
            }

            await WriteFileAsync(Path.Join(staging, MarkerFileName), MarkerText, append: false, cancellationToken).ConfigureAwait(false);
            // rename(2) fails on anything but an empty folder, which it would replace: look first,
            // so that only a folder made in the microseconds between could go.
            if (Path.Exists(Root))
            {
                return false;
            }

            try
            {
                Directory.Move(staging, Root);
                return true;
            }
            catch (IOException) when (Path.Exists(Root))
            {
                return false;
            }
        }
        finally
        {
            await RemoveStagingAsync(staging, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RemoveStagingAsync(string staging, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(staging))
        {
            return;
        }

        if (Directory.EnumerateFileSystemEntries(staging).Any())
        {
            await DeleteContentsAsync(staging, cancellationToken).ConfigureAwait(false);
        }

        // rmdir: removes only an empty folder and never follows a link.
        Directory.Delete(staging);
    }

    /// <summary>
    /// Writes a file in the home. Under root the home belongs to the server user, who could have put a
    /// symbolic link where the file goes; writing as that user means such a link can only lead to what
    /// that user may write anyway, never to a file only root may change.
    /// </summary>
    public async Task WriteFileAsync(string path, string content, bool append, CancellationToken cancellationToken)
    {
        if (runAs is null)
        {
            var write = append ? File.AppendAllTextAsync(path, content, cancellationToken) : File.WriteAllTextAsync(path, content, cancellationToken);
            await write.ConfigureAwait(false);
            return;
        }

        var script = append ? "cat >> \"$1\"" : "cat > \"$1\"";
        var result = await ProcessRunner.RunAsync("sh", ["-c", script, "sh", path], runAs, content, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new LocalPostgresException($"could not write {path} as the '{runAs}' system user: {result.Output}");
        }
    }

    /// <summary>
    /// Empties a failed initdb's data/ or an unfinished home, as the server user (see <see cref="WriteFileAsync"/>): find
    /// neither follows symbolic links nor descends through them, so only the folder's own entries go.
    /// </summary>
    private async Task DeleteContentsAsync(string directory, CancellationToken cancellationToken)
    {
        var result = await ProcessRunner.RunAsync("find", [directory, "-mindepth", "1", "-delete"], runAs, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new LocalPostgresException($"could not empty {directory} as '{ServerUser}' (left by a failed initdb or an unfinished home): {LastLine(result.Output)}");
        }
    }
}
