using System.Text;
using Sark.Data.Errors;

namespace Sark.Local;

/// <summary>
/// Which folders sark may trust with the home. Every existing entry on the way to the home (folders
/// and links) must belong to root or to the user running sark, and no folder on the way may be
/// writable by other users unless it has the sticky bit (like /tmp): otherwise another account could
/// swap the home, or a folder above it, for a link between two of sark's steps and have it create,
/// give away or read something elsewhere.
/// </summary>
internal sealed partial class LocalHome
{
    private const int MaxLinks = 40;

    private static readonly SarkMessage TrustFix =
        $"choose a {LocalPostgresOptions.HomeDirectoryTerm} whose folders above it belong to root or to you and are writable only by their owner (or sticky, like /tmp)";

    /// <summary>
    /// Follows symbolic links one component at a time, as the kernel does, and returns the real path
    /// with every existing entry met on the way (links included), so that their owners can be checked.
    /// </summary>
    private static (string RealPath, List<string> Entries) ResolveLinks(string path)
    {
        var absolute = Path.IsPathRooted(path) ? path : Path.Join(Environment.CurrentDirectory, path);
        var pending = new LinkedList<string>(absolute.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var resolved = "/";
        var entries = new List<string> { "/" };
        var links = 0;
        while (pending.First is { } first)
        {
            pending.RemoveFirst();
            var part = first.Value;
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                resolved = Path.GetDirectoryName(resolved) ?? "/";
                continue;
            }

            var next = Path.Join(resolved, part);
            var target = ReadLink(next);
            if (target is null)
            {
                resolved = next;
                if (Path.Exists(next))
                {
                    entries.Add(next);
                }

                continue;
            }

            if (++links > MaxLinks)
            {
                throw new LocalPostgresException($"{path} goes through more than {MaxLinks} symbolic links; give the real folder with {LocalPostgresOptions.HomeDirectoryTerm}");
            }

            entries.Add(next);
            foreach (var targetPart in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
            {
                pending.AddFirst(targetPart);
            }

            if (target.StartsWith('/'))
            {
                resolved = "/";
            }
        }

        return (resolved, entries);
    }

    private static string? ReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Unreadable: the owner check below names the entry sark cannot look at.
            return null;
        }
    }

    /// <summary>Refuses a home another user could swap for a link: see the class comment.</summary>
    private async Task CheckNoOtherUserControlsThePathAsync(CancellationToken cancellationToken)
    {
        // The home itself belongs to the server user; everything above it (and links to it) is checked.
        var entries = pathEntries.Where(e => e != Root).Distinct().ToList();
        var result = await ProcessRunner.RunAsync("sh", ["-c", "id -u && stat -c '%u %a %U %F' -- \"$@\"", "sh", .. entries], null, cancellationToken).ConfigureAwait(false);
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (result.ExitCode != 0 || lines.Length != entries.Count + 1)
        {
            throw new LocalPostgresException($"could not check who owns the folders above {Root}: {LastLine(result.Output)}");
        }

        var self = lines[0].Trim();
        for (var i = 0; i < entries.Count; i++)
        {
            var fields = lines[i + 1].Split(' ', 4);
            var (uid, mode, owner, type) = (fields[0], (UnixFileMode)Convert.ToInt32(fields[1], 8), fields[2], fields[3]);
            if (uid != "0" && uid != self)
            {
                throw new LocalPostgresException(
                    $"{entries[i]} belongs to '{owner}', who could swap the home {Root} for a link and make sark create or give away a folder elsewhere; {TrustFix}");
            }

            if (type == "directory" && (mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0 && !mode.HasFlag(UnixFileMode.StickyBit))
            {
                throw new LocalPostgresException(
                    $"{entries[i]} (mode {fields[1]}) can be written by other users and has no sticky bit: they could swap the home {Root} for a link and make sark create or give away a folder elsewhere; {TrustFix}");
            }
        }
    }

    /// <summary>
    /// Creates the missing folders above the home, top down, each with one mkdir that fails if the
    /// name exists: nothing someone else put there in the meantime is followed or adopted.
    /// </summary>
    private static async Task CreateMissingParentsAsync(string home, CancellationToken cancellationToken)
    {
        var missing = new List<string>();
        for (var dir = Path.GetDirectoryName(home); dir is not null && !Path.Exists(dir); dir = Path.GetDirectoryName(dir))
        {
            missing.Insert(0, dir);
        }

        if (missing.Count > 0)
        {
            // 0755: the server user may have to pass through them.
            await MustAsync(ProcessRunner.RunAsync("mkdir", ["-m", "0755", "--", .. missing], null, cancellationToken), $"could not create the folders above {home}").ConfigureAwait(false);
        }
    }

    private static void CheckPathCharacters(string root, string socketPath)
    {
        // pg_ctl hands the data directory and log file to /bin/sh inside double quotes; libpq and
        // Npgsql read a comma in a host as a list of hosts.
        if (root.IndexOfAny(['"', '$', '`', '\\', '\n', '\r', ',']) >= 0)
        {
            throw new UsageException(
                $"data directory '{root}' contains one of \" $ ` \\ , or a line break: pg_ctl cannot pass them through its shell and a comma splits the socket folder into two hosts; choose another path");
        }

        var socketBytes = Encoding.UTF8.GetByteCount(socketPath);
        if (socketBytes > MaxSocketPathBytes)
        {
            throw new UsageException(
                $"the server's socket {socketPath} would be {socketBytes} bytes long, over the {MaxSocketPathBytes} bytes a Unix socket path may have; choose a shorter {LocalPostgresOptions.HomeDirectoryTerm}");
        }
    }

    private static async Task MustAsync(Task<ProcessResult> command, string what)
    {
        var result = await command.ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new LocalPostgresException($"{what}: {LastLine(result.Output)}");
        }
    }

    internal static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "(no output)";
}
